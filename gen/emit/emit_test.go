package emit

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
)

// TestPackage checks the file lists of a package with and without the
// assembly, and that every file carries the generated-code header.
func TestPackage(t *testing.T) {
	p, err := plan.Named("odd_even", 5, "cauchy", "", plan.Float32)
	require.NoError(t, err)
	for _, withAsm := range []bool{false, true} {
		files, err := Package(p, gen.Options{Asm: withAsm})
		require.NoError(t, err)
		var names []string
		for name, src := range files {
			names = append(names, name)
			require.True(t, strings.HasPrefix(string(src), gen.Header), "%s has no header", name)
		}
		slices.Sort(names)
		want := []string{"api.go", "doc.go", "impl_noasm.go", "kernels_generic.go", "oddeven_n5_cauchy_f32_test.go", "swap.go"}
		if withAsm {
			want = append(want, "kernels_amd64.go", "kernels_amd64.s", "stubs_amd64.go")
			slices.Sort(want)
		}
		require.Equal(t, want, names, "asm=%v", withAsm)
	}
}

// TestContract parses the files of emitted packages and checks that each
// set of files defines exactly the contract's functions, with its
// signatures: the entry points and portable kernels once, the dispatch
// functions once per build (impl_noasm.go, and kernels_amd64.go with the
// assembly).
func TestContract(t *testing.T) {
	for _, c := range []struct {
		network, swap string
		elem          plan.Elem
		withAsm       bool
		topK          int
	}{
		{"odd_even", "cauchy", plan.Float32, true, 0},
		{"bitonic", "errorfree", plan.Float64, true, 0},
		{"bitonic", "hard", plan.Float32, true, 0},
		{"odd_even", "logistic_phi", plan.Float64, false, 0},
		{"odd_even", "cauchy", plan.Float32, true, 3},
		{"bitonic", "errorfree", plan.Float64, true, 2},
		{"bitonic", "hard", plan.Float32, false, 1},
		{"bitonic", "hard", plan.Float32, true, 1},
		{"odd_even", "logistic", plan.Float64, false, 3},
	} {
		var p *plan.Plan
		var err error
		if c.topK > 0 {
			p, err = plan.NamedTopK(c.network, 8, c.topK, c.swap, "", c.elem)
		} else {
			p, err = plan.Named(c.network, 8, c.swap, "", c.elem)
		}
		require.NoError(t, err)
		files, err := Package(p, gen.Options{Asm: c.withAsm})
		require.NoError(t, err)
		what := fmt.Sprintf("%s/%s top-%d", c.network, c.swap, c.topK)
		funcs := func(names ...string) map[string]string {
			out := map[string]string{}
			for _, name := range names {
				for fn, sig := range signatures(t, files[name], p.Elem.String()) {
					_, dup := out[fn]
					require.False(t, dup, "%s: %s defined twice in %v", what, fn, names)
					out[fn] = sig
				}
			}
			return out
		}
		portable := []string{"api.go", "kernels_generic.go"}
		if c.topK > 0 {
			portable = append(portable, "kernels_topk.go")
		}
		checkDefines(t, what+": "+strings.Join(portable, ", "), funcs(portable...),
			append(gen.ContractFor(p, gen.EntryPoints), gen.ContractFor(p, gen.Portable)...))
		dispatch := []string{"impl_noasm.go"}
		if c.withAsm {
			dispatch = append(dispatch, "kernels_amd64.go")
		}
		for _, name := range dispatch {
			checkDefines(t, what+": "+name, funcs(name), gen.ContractFor(p, gen.Dispatch))
		}
		// Nothing outside the dispatch files defines a dispatch function.
		for name := range files {
			if strings.HasSuffix(name, ".go") && !slices.Contains(dispatch, name) {
				for _, f := range gen.Dispatch {
					_, found := funcs(name)[f.Name]
					require.False(t, found, "%s: %s defines %s", what, name, f.Name)
				}
			}
		}
	}
}

// checkDefines requires defined to hold every function of want with its
// signature, and no function of the whole contract that want leaves out.
func checkDefines(t *testing.T, what string, defined map[string]string, want []gen.ContractFunc) {
	t.Helper()
	wanted := map[string]bool{}
	for _, f := range want {
		wanted[f.Name] = true
		sig, ok := defined[f.Name]
		require.True(t, ok, "%s: %s is not defined", what, f.Name)
		require.Equal(t, normalise(t, f.Signature), sig, "%s: signature of %s", what, f.Name)
	}
	for _, all := range [][]gen.ContractFunc{gen.EntryPoints, gen.Portable, gen.Dispatch} {
		for _, f := range all {
			if _, ok := defined[f.Name]; ok && !wanted[f.Name] {
				t.Errorf("%s: defines %s, which this package's contract leaves out", what, f.Name)
			}
		}
	}
}

// signatures maps the top-level functions of src to their types, with the
// element type written T and the parameter names dropped.
func signatures(t *testing.T, src []byte, elem string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "", src, 0)
	require.NoError(t, err)
	out := map[string]string{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			out[fd.Name.Name] = typeString(fd.Type, elem)
		}
	}
	return out
}

func normalise(t *testing.T, sig string) string {
	e, err := parser.ParseExpr(sig)
	require.NoError(t, err)
	return typeString(e.(*ast.FuncType), "T")
}

// typeString prints a function type without parameter names, []elem as
// []T (the contract uses T only for slices of elements).
func typeString(ft *ast.FuncType, elem string) string {
	list := func(fl *ast.FieldList) string {
		if fl == nil {
			return ""
		}
		var parts []string
		for _, f := range fl.List {
			var b strings.Builder
			_ = printer.Fprint(&b, token.NewFileSet(), f.Type)
			typ := strings.ReplaceAll(b.String(), "[]"+elem, "[]T")
			for range max(1, len(f.Names)) {
				parts = append(parts, typ)
			}
		}
		return strings.Join(parts, ", ")
	}
	return "func(" + list(ft.Params) + ") (" + list(ft.Results) + ")"
}
