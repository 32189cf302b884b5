// Package kerneltest checks the AVX2 kernels of package asm against the
// generic Go kernels of the same generated package.
//
// Every test package is a complete generated kernel package (the Go files
// of the Go emitter plus the amd64 files of asm.Generate) with one more file,
// the comparison check, which calls the package's unexported xxxImpl
// (dispatching to assembly for whole blocks of lanes) and xxxGeneric
// functions on the same inputs.
//
// A compact representative set (Golden) is checked in as subdirectories of
// this one, each with the check as a _test.go file; TestGolden regenerates
// them and compares bytes (go test -run TestGolden -update rewrites them).
// TestMatrix (skipped with -short) generates the full matrix of swaps,
// element types, networks and sizes into a temporary module and runs the
// checks there in one test binary.
package kerneltest

import (
	"fmt"
	"go/format"
	"strings"

	"github.com/sortgen/sortgen/asm"
	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// A Config is one kernel configuration.
type Config struct {
	Network string
	N       int
	Swap    string
	Base    string // errorfree only
	Elem    plan.Elem
}

// Plan builds the plan of c.
func (c Config) Plan() (*plan.Plan, error) {
	nw, err := networks.ByName(c.Network, c.N)
	if err != nil {
		return nil, err
	}
	s, err := plan.ParseSwap(c.Swap, c.Base)
	if err != nil {
		return nil, err
	}
	return plan.New(c.Network, nw, s, c.Elem)
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
	return fmt.Sprintf("%s_n%d_%s_%s", net, c.N, sw, e)
}

// Golden is the representative set checked in under this directory: the
// benchmark configurations (cauchy float32 at n = 32) and small
// configurations covering every kind of kernel, both element types, odd
// sizes (transposes with tails) and the exact swaps.
var Golden = []Config{
	{Network: "bitonic", N: 32, Swap: "cauchy", Elem: plan.Float32},
	{Network: "odd_even", N: 32, Swap: "cauchy", Elem: plan.Float32},
	{Network: "odd_even", N: 9, Swap: "reciprocal", Elem: plan.Float32},
	{Network: "bitonic", N: 8, Swap: "optimal", Elem: plan.Float64},
	{Network: "odd_even", N: 5, Swap: "errorfree", Base: "reciprocal", Elem: plan.Float64},
	{Network: "odd_even", N: 3, Swap: "hard", Elem: plan.Float32},
}

// Matrix is the full test matrix: every swap (errorfree over cauchy and
// over another base), both element types, odd_even at n in {2, 3, 5, 8,
// 16, 32, 64} and bitonic at the powers of two.
func Matrix() []Config {
	type sw struct{ swap, base string }
	swaps := []sw{{"logistic", ""}, {"logistic_phi", ""}, {"gaussian", ""}, {"reciprocal", ""},
		{"cauchy", ""}, {"optimal", ""}, {"hard", ""}, {"errorfree", "cauchy"}, {"errorfree", "logistic"}}
	var out []Config
	for _, s := range swaps {
		for _, e := range []plan.Elem{plan.Float32, plan.Float64} {
			for _, n := range []int{2, 3, 5, 8, 16, 32, 64} {
				out = append(out, Config{Network: "odd_even", N: n, Swap: s.swap, Base: s.base, Elem: e})
				if n&(n-1) == 0 {
					out = append(out, Config{Network: "bitonic", N: n, Swap: s.swap, Base: s.base, Elem: e})
				}
			}
		}
	}
	return out
}

// CheckFile is the name of the comparison check in a checked-in package.
const CheckFile = "avx2_check_test.go"

// ExportedCheckFile is its name in the matrix, where it is a regular file
// exporting CheckAVX2 so that one test binary runs every package.
const ExportedCheckFile = "avx2_check.go"

// Files returns every file of the test package of c named pkg: the Go
// emitter's files except its test, the amd64 files and the check. With
// exported, the check is a regular file with an exported CheckAVX2(t).
func Files(c Config, pkg string, exported bool) (map[string][]byte, error) {
	p, err := c.Plan()
	if err != nil {
		return nil, err
	}
	files, err := goFiles(p, pkg)
	if err != nil {
		return nil, err
	}
	amd64, err := asm.Generate(p, pkg)
	if err != nil {
		return nil, err
	}
	for name, src := range amd64 {
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("kerneltest: both emitters write %s", name)
		}
		files[name] = src
	}
	tol := fmt.Sprintf("%.3g", Tol(p))
	src := strings.NewReplacer("PKG", pkg, "TT", c.Elem.String(), "TOL", tol,
		"HARD", fmt.Sprint(p.Swap.HardForward()), "DIFFABLE", fmt.Sprint(p.Swap.Differentiable()),
		"TIES", fmt.Sprint(p.Swap.Grad() != plan.LogisticPhi)).Replace(checkTemplate)
	if p.Swap.Differentiable() {
		src += checkGradTemplate
	} else {
		src += "\nfunc checkAVX2Grad(*testing.T, *rand.Rand, []avx2T, float64, float64) {}\n"
	}
	// The Go emitter's own test reads the tape in the generic per-row
	// layout (TestTapes), which whole blocks of assembly rows do not use:
	// it is left out until it reads tapes through a layout-aware helper.
	for name := range files {
		if strings.HasSuffix(name, "_test.go") {
			delete(files, name)
		}
	}
	if exported {
		src += "\n// CheckAVX2 compares the assembly kernels with the generic ones.\nfunc CheckAVX2(t *testing.T) { checkAVX2(t) }\n"
		return files, addFormatted(files, ExportedCheckFile, src)
	}
	src += "\nfunc TestAVX2MatchesGeneric(t *testing.T) { checkAVX2(t) }\n"
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
// largest magnitude of the compared array: 1e-12 for float64 (times
// depth/16 for networks deeper than 16 layers: at n = 64 odd_even, the
// gradients of rows with many ties differ by up to 3.4e-12, the ulp-level
// differences of the transcendental weights growing along 64 layers), 1e-5
// for float32 (the assembly computes the weights in float64 like the generic
// kernels, so float32 results differ only by the rounding of P's FMAs, of
// the dot products' order, and the last bits of the transcendental
// functions).
//
// logistic_phi is the exception: mixing creates near-ties (|d| ~ 1e-11:
// with lambda > 0 a near-tie mixes into a nearer one), where its slope,
// proportional to (|d|+1e-10)^(-lambda-1)*(|d|+1e-10-lambda*|d|), turns a
// last-bit difference of a value into a relative difference of ~1e-6 of the
// slope. Its tape is compared to 1e-4, like everything else of it.
func Tol(p *plan.Plan) float64 {
	switch {
	case p.Swap.Grad() == plan.LogisticPhi:
		return 1e-4
	case p.Elem == plan.Float32:
		return 1e-5
	}
	return 1e-12 * max(1, float64(p.Network.Depth())/16)
}

// goFiles is the Go side of a kernel package: the Go emitter's files for
// a package with an assembly backend.
func goFiles(p *plan.Plan, pkg string) (map[string][]byte, error) {
	return gen.Generate(p, gen.Options{Package: pkg, Asm: true})
}
