package gen

import "github.com/dave/jennifer/jen"

// renderImpl emits the dispatch from the checked entry points to the
// kernels. With an assembly backend, amd64 builds without the purego tag
// get their own dispatch from the assembly emitter instead of this file.
func renderImpl(m *model) ([]byte, error) {
	tag := ""
	if m.opt.Asm {
		tag = "!amd64 || purego"
	}
	f := newFile(m, tag)
	T := jen.Id(m.elem)
	slices := func(names ...string) jen.Code {
		ids := make([]jen.Code, len(names))
		for i, n := range names {
			ids[i] = jen.Id(n)
		}
		return jen.List(ids...).Index().Add(T)
	}
	params := jen.List(jen.Id("beta"), jen.Id("lambda")).Float64()
	fn := func(name string, slice []string, withParams bool) {
		decl := []jen.Code{slices(slice...)}
		args := make([]jen.Code, 0, len(slice)+2)
		for _, s := range slice {
			args = append(args, jen.Id(s))
		}
		if withParams {
			decl = append(decl, params)
			args = append(args, jen.Id("beta"), jen.Id("lambda"))
		}
		f.Func().Id(name + "Impl").Params(decl...).Block(jen.Id(name + "Generic").Call(args...))
		f.Line()
	}
	f.Comment(lines("The entry points call these on checked arguments. They run the portable\n" +
		"kernels; an assembly backend brings its own dispatch instead."))
	f.Line()
	fn("sort", []string{"y", "x"}, true)
	if m.has(kForward) {
		fn("forward", []string{"y", "tape", "x"}, true)
	}
	fn("forwardP", []string{"y", "pt", "tape", "diff", "x"}, true)
	if m.has(kBackward) {
		fn("backward", []string{"gx", "gy", "tape"}, false)
		fn("backwardP", []string{"gx", "gy", "gpt", "tape", "diff"}, false)
	}
	return render(f)
}
