package gen

import "github.com/dave/jennifer/jen"

// renderImpl emits the dispatch from the checked entry points to the
// kernels, allFinite (checkFinite's fast path), and the portable SetAVX2,
// AVX2 and tapeToGeneric. With an
// assembly backend, amd64 builds without the purego tag get all of them
// from the assembly emitter (asm.Generate's kernels_amd64.go) instead of
// this file.
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

	f.Comment(lines("allFinite reports whether no element of s is NaN or infinite, the fast\n" +
		"path of checkFinite. It is allFiniteGeneric here; an assembly backend\n" +
		"brings its own, which runs an AVX2 kernel."))
	f.Func().Id("allFinite").Params(jen.Id("s").Index().Add(T)).Bool().Block(jen.Return(jen.Id("allFiniteGeneric").Call(jen.Id("s"))))
	f.Line()

	doc := "SetAVX2 is for benchmarks and tests: it switches every caller in the\n" +
		"process between the AVX2 kernels and the portable ones and returns the\n" +
		"previous setting. Enabling has no effect on CPUs without AVX2+FMA."
	if m.opt.Asm {
		doc += "\nThis build (not amd64, or the purego tag) has no AVX2 kernels: it\n" +
			"ignores its argument and returns false."
	} else {
		doc += "\nThis package has no AVX2 kernels (sortgen -asm=false): it ignores its\n" +
			"argument and returns false."
	}
	f.Comment(lines(doc))
	f.Func().Id("SetAVX2").Params(jen.Id("enabled").Bool()).Params(jen.Id("previous").Bool()).Block(jen.Return(jen.False()))
	f.Line()
	f.Comment("AVX2 reports whether the entry points run the AVX2 kernels: never in this build.")
	f.Func().Id("AVX2").Params().Bool().Block(jen.Return(jen.False()))
	if m.grad != nil {
		f.Line()
		f.Comment(lines("tapeToGeneric returns the tape and the column differences (either may be\n" +
			"nil) of batch rows in the generic per-row layout of the package\n" +
			"documentation, which the portable kernels use throughout: it returns its\n" +
			"arguments. An assembly backend brings its own, which undoes the layout of\n" +
			"its blocks of rows; the package's tests read tapes through it."))
		f.Func().Id("tapeToGeneric").Params(jen.List(jen.Id("tape"), jen.Id("diff")).Index().Add(T), jen.Id("batch").Int()).
			Params(jen.List(jen.Id("genericTape"), jen.Id("genericDiff")).Index().Add(T)).
			Block(jen.Return(jen.Id("tape"), jen.Id("diff")))
	}
	return render(f)
}
