package gen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sortgen/sortgen/gen/plan"
)

// testData fills testTemplate.
type testData struct {
	Header, Package, T string
	Comparators        string // Go literal rows of the comparator list
	Hard, Diffable     bool
	Soft               bool // soft forward: P is doubly stochastic, finite differences apply
	F64                bool
	Grad               string // the emitted function the tape records
	GradLambda         bool
	SwapTable          string // Go literal rows: d, beta, lambda, alpha, slope
	Tol, XPTol         string
	BackendTol         string // BackendTol(p)
	Ties               bool   // the backend comparison may use rows with ties
	Lambdas            string
	BatchSizes         string
	EntryBatchSizes    string // of the backend comparison
	FDCoords           int    // coordinates the finite-difference test checks
	Heavy              bool   // cut steepnesses in -short mode
	Huge               bool   // cut batch sizes and backends in -short mode
	MaxDiffRows        int    // rows of column differences a test may allocate
	RefCols            bool   // the reference keeps P's columns for a backward pass
	TopK               int    // of a selection network: only the last TopK values end sorted
	// The largest parameters the entry points accept (plan.MaxSteepness,
	// plan.MaxARTLambda), which the extreme-value tests try.
	MaxSteepness, MaxARTLambda string
}

// testMemory bounds what one emitted test allocates for the column
// differences of a batch, or for the reference's copies of P's columns: a
// large network skips the tests that would need more (odd_even n = 1024
// takes 1.4 GB of differences per float32 row).
const testMemory = 512 << 20

// BackendTol is the tolerance within which the AVX2 kernels of package asm
// agree with the portable kernels, relative to the largest magnitude of
// the compared row (at least 1); the emitted test and asm's kerneltest use
// it. The values and P of the exact swaps (hard, errorfree) agree bit for
// bit and are compared exactly.
//
// It is 1e-12 for float64, times depth/16 for networks deeper than 16
// layers (at n = 64 odd_even, the gradients of rows with many ties differ
// by up to 3.4e-12, the ulp-level differences of the transcendental
// weights growing along 64 layers), and 1e-5 for float32 (both compute the
// weights in float64, so float32 results differ only by the rounding of
// P's FMAs, of the dot products' order, and the last bits of the
// transcendental functions).
//
// logistic_phi is the exception: mixing creates near-ties (|d| ~ 1e-11:
// with lambda > 0 a near-tie mixes into a nearer one), where its slope,
// proportional to (|d|+1e-10)^(-lambda-1)*(|d|+1e-10-lambda*|d|), turns a
// last-bit difference of a value into a relative difference of ~1e-6 of the
// slope: 1e-4.
func BackendTol(p *plan.Plan) float64 {
	switch {
	case p.Swap.Grad() == plan.LogisticPhi:
		return 1e-4
	case p.Elem == plan.Float32:
		return 1e-5
	}
	return 1e-12 * max(1, float64(p.Network.Depth())/16)
}

// renderTest emits the package's test. Unlike the other files it is almost
// all fixed text, which reads best as a template. It checks the unrolled
// kernels against a straightforward implementation that keeps the network
// as data, the emitted swap function against plan.Alpha's values, recorded
// here at generation time, and the entry points, at each level SetLevel
// selects, against the unrolled kernels. It uses only what both the
// portable dispatch and the assembly backend's define (SetLevel, Level,
// Levels, tapeToGeneric), so it passes in every build of the package.
func renderTest(m *model) ([]byte, error) {
	d := testData{
		Header: Header, Package: m.pkg, T: m.elem,
		Hard: m.hard, Diffable: m.grad != nil, Soft: !m.hard, F64: m.elem == "float64",
		Tol: "1e-12", XPTol: "1e-10", Lambdas: "0.25",
		BackendTol: strconv.FormatFloat(BackendTol(m.p), 'g', 3, 64),
		Ties:       m.p.Swap.Grad() != plan.LogisticPhi,
		BatchSizes: "1, 7, 9, 100", EntryBatchSizes: "1, 7, 8, 9, 100", FDCoords: 64,
		TopK:         m.p.TopK,
		MaxSteepness: strconv.FormatFloat(plan.MaxSteepness, 'g', -1, 64),
		MaxARTLambda: strconv.FormatFloat(plan.MaxARTLambda, 'g', -1, 64),
	}
	// The reference is dense (O(size * N) per row), and so is P (N*N per
	// row): keep the tests of a large network to seconds. A block of
	// AVX-512 lanes and one more row is still a whole block and a tail.
	size := 8
	if m.elem == "float32" {
		size = 4
	}
	d.MaxDiffRows = 1000
	if m.p.DiffLen > 0 {
		d.MaxDiffRows = min(d.MaxDiffRows, testMemory/(m.p.DiffLen*size))
	}
	d.RefCols = 2*m.p.Network.Size()*m.n*size <= testMemory
	if m.p.Network.Size()*m.n > 1_000_000 {
		d.Heavy = true
		d.Huge = m.p.Network.Size()*m.n > 100_000_000
		// A block of AVX-512 lanes and a tail (two of AVX2 lanes).
		d.BatchSizes, d.EntryBatchSizes, d.FDCoords = "1, 2", "1, 17", 16
		if d.F64 {
			d.EntryBatchSizes = "1, 9"
		}
	}
	if !d.F64 {
		d.Tol, d.XPTol = "1e-5", "1e-4"
	}
	var b strings.Builder
	for i, st := range m.p.Steps {
		if i%8 == 0 {
			b.WriteString("\n\t")
		} else {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "{%d, %d},", st.P, st.Q)
	}
	if len(m.p.Steps) > 0 {
		b.WriteString("\n")
	}
	d.Comparators = b.String()
	if m.grad != nil {
		d.Grad, d.GradLambda = m.grad.name, m.grad.lambda
		lambdas := []float64{0.25}
		if m.grad.lambda {
			lambdas = []float64{0.25, 0.4}
			d.Lambdas = "0.25, 0.4"
		}
		var t strings.Builder
		g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
		for _, beta := range []float64{1, 10, 37.5} {
			for _, lambda := range lambdas {
				for _, dd := range []float64{-3, -0.7, -0.01, 0, 1e-12, 0.004, 0.04, 0.3, 2.5, 40} {
					alpha, slope := plan.Alpha(m.grad.f, dd, beta, lambda)
					fmt.Fprintf(&t, "\n\t{%s, %s, %s, %s, %s},", g(dd), g(beta), g(lambda), g(alpha), g(slope))
				}
			}
		}
		t.WriteString("\n")
		d.SwapTable = t.String()
	}
	return execute("test.go.tmpl", d)
}
