// Package kerneltest checks the AVX2 kernels of package asm against the
// generic Go kernels of the same generated package.
//
// Every test package is a complete generated kernel package (what
// emit.Package writes, and sortgen with it) with one more file, the
// comparison check, which calls the package's unexported xxxImpl
// (dispatching to assembly for whole blocks of lanes) and xxxGeneric
// functions on the same inputs.
//
// A compact set of small configurations (Golden) is checked in as
// subdirectories of this one, each with the check as a _test.go file;
// TestGolden regenerates them and compares bytes (go test -run TestGolden
// -update rewrites them). The configurations checked in under generated/
// that the benchmarks use (Emitted) are not checked in twice: TestEmitted
// emits them with the check into a temporary module and runs the checks
// and the Go emitter's tests there in one test binary; TestTopK does the
// same for the top-k configurations (TopK), and TestTopKReference runs the
// AVX2 top-k kernels on difftopk's reference cases. TestMatrix (skipped
// with SORTGEN_SLOW=1, not with -short) does the same for a matrix of swaps, element types,
// networks and sizes: by default Subset, a representative part that takes
// about a minute, and with SORTGEN_FULL_MATRIX=1 the full Matrix (216
// packages, several minutes).
package kerneltest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/emit"
	"github.com/sortgen/sortgen/gen/plan"
)

// A Config is one kernel configuration.
type Config struct {
	Network string
	N       int
	TopK    int // k of a top-k package (selection network), 0 for sorting
	Swap    string
	Base    string // errorfree only
	Elem    plan.Elem
}

// Plan builds the plan of c.
func (c Config) Plan() (*plan.Plan, error) {
	if c.TopK > 0 {
		return plan.NamedTopK(c.Network, c.N, c.TopK, c.Swap, c.Base, c.Elem)
	}
	return plan.Named(c.Network, c.N, c.Swap, c.Base, c.Elem)
}

// Name is the package (and directory) name of c's test package.
func (c Config) Name() string {
	net := strings.ReplaceAll(c.Network, "_", "")
	sw := strings.ReplaceAll(c.Swap, "_", "")
	if c.Base != "" {
		sw += "_" + strings.ReplaceAll(c.Base, "_", "")
	}
	e := "f64"
	if c.Elem == plan.Float32 {
		e = "f32"
	}
	top := ""
	if c.TopK > 0 {
		top = fmt.Sprintf("_top%d", c.TopK)
	}
	return fmt.Sprintf("%s_n%d%s_%s_%s", net, c.N, top, sw, e)
}

// Golden is the representative set checked in under this directory: small
// configurations covering every kind of kernel, both element types, odd
// sizes (transposes with tails) and the exact swaps.
var Golden = []Config{
	{Network: "odd_even", N: 9, Swap: "reciprocal", Elem: plan.Float32},
	{Network: "bitonic", N: 8, Swap: "optimal", Elem: plan.Float64},
	{Network: "odd_even", N: 5, Swap: "errorfree", Base: "reciprocal", Elem: plan.Float64},
	{Network: "odd_even", N: 3, Swap: "hard", Elem: plan.Float32},
}

// Emitted are the benchmark configurations (cauchy float32 at n = 32),
// which generated/ checks in.
var Emitted = []Config{
	{Network: "bitonic", N: 32, Swap: "cauchy", Elem: plan.Float32},
	{Network: "odd_even", N: 32, Swap: "cauchy", Elem: plan.Float32},
}

// TopK are the top-k configurations, whose ForwardTopK and BackwardTopK
// the Go emitter's top-k test compares between the AVX2 and the Go kernels:
// the checked-in splitter selection and bitonic top-1 shapes, an error-free
// swap, logistic_phi, and a k above 16 (rows of Z processed in a loop).
var TopK = []Config{
	{Network: "splitter_selection", N: 100, TopK: 5, Swap: "cauchy", Elem: plan.Float32},
	{Network: "splitter_selection", N: 100, TopK: 5, Swap: "cauchy", Elem: plan.Float64},
	{Network: "bitonic", N: 32, TopK: 1, Swap: "cauchy", Elem: plan.Float32},
	{Network: "odd_even", N: 9, TopK: 3, Swap: "errorfree", Base: "cauchy", Elem: plan.Float32},
	{Network: "odd_even", N: 9, TopK: 3, Swap: "errorfree", Base: "reciprocal", Elem: plan.Float64},
	{Network: "bitonic", N: 16, TopK: 4, Swap: "logistic_phi", Elem: plan.Float64},
	{Network: "odd_even", N: 12, TopK: 5, Swap: "hard", Elem: plan.Float32},
	{Network: "bitonic", N: 32, TopK: 19, Swap: "logistic", Elem: plan.Float32},
}

// matrixSwaps are the swaps of the matrix: every swap function, and
// errorfree over cauchy and over another base.
var matrixSwaps = []struct{ swap, base string }{{"logistic", ""}, {"logistic_phi", ""}, {"gaussian", ""}, {"reciprocal", ""},
	{"cauchy", ""}, {"optimal", ""}, {"hard", ""}, {"errorfree", "cauchy"}, {"errorfree", "logistic"}}

// matrixSizes are the sizes of the matrix.
var matrixSizes = []int{2, 3, 5, 8, 16, 32, 64}

// Matrix is the full test matrix: every swap of matrixSwaps, both element
// types, odd_even at n in matrixSizes and bitonic at the powers of two.
func Matrix() []Config {
	var out []Config
	for _, s := range matrixSwaps {
		for _, e := range []plan.Elem{plan.Float32, plan.Float64} {
			for _, n := range matrixSizes {
				out = append(out, Config{Network: "odd_even", N: n, Swap: s.swap, Base: s.base, Elem: e})
				if n&(n-1) == 0 {
					out = append(out, Config{Network: "bitonic", N: n, Swap: s.swap, Base: s.base, Elem: e})
				}
			}
		}
	}
	return out
}

// Subset is the representative part of Matrix that TestMatrix runs by
// default (36 of its 216 packages): each swap twice with float32 and twice
// with float64, at two different sizes taken in turn from the matrix's, so
// that every size occurs at least four times; a power of two is bitonic for
// float64 in the first round and for float32 in the second, odd_even
// otherwise. Every package is checked at every batch size.
func Subset() []Config {
	var out []Config
	for round := range 2 {
		for i, s := range matrixSwaps {
			for j, e := range []plan.Elem{plan.Float32, plan.Float64} {
				k := 2*i + j + 4*round
				n := matrixSizes[k%len(matrixSizes)]
				network := "odd_even"
				if n&(n-1) == 0 && (e == plan.Float64) == (round == 0) {
					network = "bitonic"
				}
				out = append(out, Config{Network: network, N: n, Swap: s.swap, Base: s.base, Elem: e})
			}
		}
	}
	return out
}

// CheckFile is the name of the comparison check in a checked-in package.
const CheckFile = "asm_check_test.go"

// ExportedCheckFile is its name in the matrix, where it is a regular file
// exporting CheckAsm so that one test binary runs every package.
const ExportedCheckFile = "asm_check.go"

// ExportedTestFile is the name of the Go emitter's test in the matrix,
// where it is a regular file too (CheckAsm runs its tests).
const ExportedTestFile = "gen_tests.go"

// ExportedTopKTestFile is the same for the top-k test of a top-k package.
const ExportedTopKTestFile = "gen_topk_tests.go"

// Files returns every file of the test package of c named pkg: the files
// of emit.Package with assembly, the Go emitter's test included, and the
// check. With exported, the check and the Go emitter's test are regular
// files, and the exported CheckAsm(t) runs both.
func Files(c Config, pkg string, exported bool) (map[string][]byte, error) {
	p, err := c.Plan()
	if err != nil {
		return nil, err
	}
	files, err := emit.Package(p, gen.Options{Package: pkg, Asm: true})
	if err != nil {
		return nil, err
	}
	tol := fmt.Sprintf("%.3g", Tol(p))
	src := strings.NewReplacer("PKG", pkg, "TT", c.Elem.String(), "TOL", tol,
		"HARD", fmt.Sprint(p.Swap.HardForward()), "DIFFABLE", fmt.Sprint(p.Swap.Differentiable()),
		"TIES", fmt.Sprint(p.Swap.Grad() != plan.LogisticPhi)).Replace(checkTemplate)
	if p.Swap.Differentiable() {
		src += checkGradTemplate
	} else {
		src += "\nfunc checkAsmGrad(*testing.T, *rand.Rand, []asmT, float64, float64) {}\n"
	}
	if exported {
		// The Go emitter's test becomes a regular file, its tests
		// functions CheckAsm runs.
		testName := pkg + "_test.go"
		test, ok := files[testName]
		if !ok {
			return nil, fmt.Errorf("kerneltest: the Go emitter wrote no %s", testName)
		}
		delete(files, testName)
		files[ExportedTestFile] = test
		tests, err := testFuncs(test)
		if err != nil {
			return nil, err
		}
		if p.TopK > 0 {
			topKName := pkg + "_topk_test.go"
			topK, ok := files[topKName]
			if !ok {
				return nil, fmt.Errorf("kerneltest: the Go emitter wrote no %s", topKName)
			}
			delete(files, topKName)
			files[ExportedTopKTestFile] = topK
			more, err := testFuncs(topK)
			if err != nil {
				return nil, err
			}
			tests = append(tests, more...)
		}
		src += "\n// CheckAsm compares the assembly kernels with the generic ones and runs\n// the Go emitter's tests.\nfunc CheckAsm(t *testing.T) {\n\tt.Run(\"AsmMatchesGeneric\", checkAsm)\n"
		for _, name := range tests {
			src += fmt.Sprintf("\tt.Run(%q, %s)\n", name, name)
		}
		src += "}\n"
		return files, addFormatted(files, ExportedCheckFile, src)
	}
	src += "\nfunc TestAsmMatchesGeneric(t *testing.T) { checkAsm(t) }\n"
	if p.Swap.Differentiable() {
		size := "4"
		if c.Elem == plan.Float64 {
			size = "8"
		}
		src += "\nconst unsafeSizeofT = " + size + "\n" + benchTemplate
	}
	return files, addFormatted(files, CheckFile, src)
}

func addFormatted(files map[string][]byte, name, src string) error {
	out, err := format.Source([]byte(src))
	if err != nil {
		return fmt.Errorf("kerneltest: %s: %w", name, err)
	}
	files[name] = out
	return nil
}

// Tol is the tolerance of the comparisons of the check, relative to the
// largest magnitude of the compared array: gen.BackendTol, which documents
// the values (the Go emitter's test uses it too, relative to the largest
// magnitude of each row).
func Tol(p *plan.Plan) float64 { return gen.BackendTol(p) }

// testFuncs lists the TestXxx functions of a Go test file, in order.
func testFuncs(src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("kerneltest: the Go emitter's test: %w", err)
	}
	var names []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Test") {
			names = append(names, fd.Name.Name)
		}
	}
	if len(names) == 0 {
		return nil, errors.New("kerneltest: the Go emitter's test has no tests")
	}
	return names, nil
}
