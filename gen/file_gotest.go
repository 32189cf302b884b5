package gen

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"text/template"

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
// here at generation time, and the entry points, with each set of kernels
// SetAVX2 selects, against the unrolled kernels. It uses only what both
// the portable dispatch and the assembly backend's define (SetAVX2, AVX2,
// tapeToGeneric), so it passes in every build of the package.
func renderTest(m *model) ([]byte, error) {
	d := testData{
		Header: Header, Package: m.pkg, T: m.elem,
		Hard: m.hard, Diffable: m.grad != nil, Soft: !m.hard, F64: m.elem == "float64",
		Tol: "1e-12", XPTol: "1e-10", Lambdas: "0.25",
		BackendTol: strconv.FormatFloat(BackendTol(m.p), 'g', 3, 64),
		Ties:       m.p.Swap.Grad() != plan.LogisticPhi,
		BatchSizes: "1, 7, 9, 100", EntryBatchSizes: "1, 7, 8, 9, 100", FDCoords: 64,
	}
	// The reference is dense (O(size * N) per row), and so is P (N*N per
	// row): keep the tests of a large network to seconds. A block of AVX2
	// lanes and one more row is still a whole block and a tail.
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
		d.BatchSizes, d.EntryBatchSizes, d.FDCoords = "1, 2", "1, 9", 16
		if d.F64 {
			d.EntryBatchSizes = "1, 5"
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
	var out bytes.Buffer
	if err := testTemplate.Execute(&out, d); err != nil {
		return nil, err
	}
	return gofmt(out.Bytes())
}

var testTemplate = template.Must(template.New("test").Parse(`{{.Header}}

package {{.Package}}

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// T is the element type.
type T = {{.T}}

// comparators is the network the kernels were generated from, as data:
// after (p, q), wire p holds the minimum of the two.
var comparators = [][2]int{ {{- .Comparators -}} }

const (
	// tol bounds the relative difference between a kernel and the reference
	// implementation below, which computes the same things in the same order.
	tol = {{.Tol}}
	// xpTol bounds |y - x @ P| relative to the largest |x|: y and P round
	// differently.
	xpTol = {{.XPTol}}
	// backendTol bounds the difference between an entry point running the
	// AVX2 kernels and the portable kernels, relative to the largest value
	// of the row (at least 1): they round differently (sortgen's
	// gen.BackendTol).
	backendTol = {{.BackendTol}}
	// heavy: the network is large, and -short tries one steepness only.
	heavy = {{.Heavy}}
	// huge: the network is so large (odd_even n = 1024) that -short also
	// tries one batch size against the reference and compares the entry
	// points with the AVX2 kernels only.
	huge = {{.Huge}}
	// maxDiffRows is the most rows of column differences a test allocates;
	// refCols says whether the reference keeps the columns of P a backward
	// pass through P needs. Both bound the tests' memory for large networks.
	maxDiffRows = {{.MaxDiffRows}}
	refCols     = {{.RefCols}}
)

// testBetas are the steepnesses a test tries: in -short mode, for a large
// network, the steeper one only, whose P has fewer subnormal entries (slow
// arithmetic on most CPUs).
func testBetas() []float64 {
	if heavy && testing.Short() {
		return betas[len(betas)-1:]
	}
	return betas
}

// testBatchSizes are the batch sizes the tests against the reference try.
func testBatchSizes() []int {
	if huge && testing.Short() {
		return batchSizes[:1]
	}
	return batchSizes
}

// testEntryBatchSizes are the batch sizes the entry points are tried with:
// in -short mode, for a large network, only a whole block with a tail.
func testEntryBatchSizes() []int {
	if heavy && testing.Short() {
		return entryBatchSizes[len(entryBatchSizes)-1:]
	}
	return entryBatchSizes
}

// needDiff skips a test that needs rows rows of column differences where
// they would take too much memory.
func needDiff(t *testing.T, rows int) {
	t.Helper()
	if rows > maxDiffRows {
		t.Skipf("%d rows of column differences (DiffLen %d) take too much memory for a test", rows, DiffLen)
	}
}

var (
	batchSizes = []int{ {{- .BatchSizes -}} }
	// entryBatchSizes cover a part of a block of AVX2 lanes (8 float32 or 4
	// float64 rows), whole blocks, and whole blocks with a tail.
	entryBatchSizes = []int{ {{- .EntryBatchSizes -}} }
	betas           = []float64{2.5, 10}
	lambdas         = []float64{ {{- .Lambdas -}} }
)

// ref is one row run through the reference implementation.
type ref struct {
	y, pt []T // values and P, column-major like the kernels'
{{- if .Diffable}}
	// Per comparator: the tape entry and the columns p and q of P before it.
	ds, alpha, slope []T // d*slope, f(d), f'(d)
	colP, colQ      [][]T
{{- end}}
}

// reference runs one row with the comparator list and a dense P: no
// unrolling, no skipped rows.
func reference(x []T, beta, lambda float64) ref { return referenceRun(x, beta, lambda, true) }

// referenceValues is reference's y alone, without the cost of a dense P.
func referenceValues(x []T, beta, lambda float64) []T {
	return referenceRun(x, beta, lambda, false).y
}

func referenceRun(x []T, beta, lambda float64, withP bool) ref {
	r := ref{y: slices.Clone(x)}
	if withP {
		r.pt = make([]T, N*N)
		for j := 0; j < N; j++ {
			r.pt[j*N+j] = 1
		}
	}
	for _, c := range comparators {
		p, q := c[0], c[1]
		a, b := r.y[p], r.y[q]
{{- if .Diffable}}
		d := max(-math.MaxFloat64, min(float64(b)-float64(a), math.MaxFloat64))
		alpha, slope := {{.Grad}}(d, beta{{if .GradLambda}}, lambda{{end}})
		r.ds = append(r.ds, T(d*slope))
		r.alpha = append(r.alpha, T(alpha))
		r.slope = append(r.slope, T(slope))
		if withP && refCols {
			r.colP = append(r.colP, slices.Clone(r.pt[p*N:(p+1)*N]))
			r.colQ = append(r.colQ, slices.Clone(r.pt[q*N:(q+1)*N]))
		}
{{- end}}
{{- if .Hard}}
		var w T // exact: 1 keeps the order, 0 swaps; a tie keeps its order
		if a <= b {
			w = 1
		}
{{- else}}
		w := T(alpha)
{{- end}}
		r.y[p], r.y[q] = refMix(w, a, b)
		for i := 0; withP && i < N; i++ {
			r.pt[p*N+i], r.pt[q*N+i] = refMix(w, r.pt[p*N+i], r.pt[q*N+i])
		}
	}
	return r
}

func refMix(w, a, b T) (T, T) {
	return T(w*a) + T((1-w)*b), T((1-w)*a) + T(w*b)
}
{{- if .Diffable}}

// backward is the reference backward pass of SPEC.md, with dense gradient
// columns; gy and gpt may be nil (zero).
func (r *ref) backward(gy, gpt []T) []T {
	g := make([]T, N)
	copy(g, gy)
	var gm []T
	if gpt != nil {
		gm = slices.Clone(gpt)
	}
	for k := len(comparators) - 1; k >= 0; k-- {
		p, q := comparators[k][0], comparators[k][1]
		gp, gq := g[p], g[q]
		// dd = dalpha*slope, dalpha = (gp-gq)*(a-b) + dot, through d*slope.
		dd := -T((gp - gq) * r.ds[k])
		if gm != nil {
			var dot T
			for i := 0; i < N; i++ {
				dot += (gm[p*N+i] - gm[q*N+i]) * (r.colP[k][i] - r.colQ[k][i])
			}
			dd += T(dot * r.slope[k])
		}
		alpha := r.alpha[k]
		g[p], g[q] = refMix(alpha, gp, gq)
		g[p] -= dd
		g[q] += dd
		for i := 0; gm != nil && i < N; i++ {
			gm[p*N+i], gm[q*N+i] = refMix(alpha, gm[p*N+i], gm[q*N+i])
		}
	}
	return g
}
{{- end}}

// randomRows draws rows of x; every third row has ties.
func randomRows(rng *rand.Rand, rows int) []T {
	x := make([]T, rows*N)
	for i := range x {
		if (i/N)%3 == 2 {
			x[i] = T(rng.IntN(3))
		} else {
			x[i] = T(2 * rng.NormFloat64())
		}
	}
	return x
}

func row(s []T, r, size int) []T { return s[r*size : (r+1)*size] }

// near fails the test unless got and want agree to tol relative to
// max(|want|, 1).
func near(t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= tol*math.Max(1, math.Abs(w))) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, g, w)
		}
	}
}

// same fails the test unless got and want are equal element by element.
func same(t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s differs:\n got %v\nwant %v", what, got, want)
	}
}
{{- if .Diffable}}

func TestSwapFunction(t *testing.T) {
	f := func(d, beta, lambda float64) (alpha, slope float64) {
		return {{.Grad}}(d, beta{{if .GradLambda}}, lambda{{end}})
	}
	// Values of sortgen's plan.Alpha for this function, recorded when the
	// package was generated: d, beta, lambda, alpha, slope.
	table := [][5]float64{ {{- .SwapTable -}} }
	for _, c := range table {
		alpha, slope := f(c[0], c[1], c[2])
		if math.Abs(alpha-c[3]) > 1e-15*math.Abs(c[3]) || math.Abs(slope-c[4]) > 1e-15*math.Abs(c[4]) {
			t.Errorf("{{.Grad}}(d=%v, beta=%v, lambda=%v) = (%v, %v), want (%v, %v)", c[0], c[1], c[2], alpha, slope, c[3], c[4])
		}
	}
	for _, beta := range betas {
		for _, lambda := range lambdas {
			for _, d := range []float64{-2, -0.3, -0.01, 0.02, 0.5, 3} {
				a, slope := f(d, beta, lambda)
				b, _ := f(-d, beta, lambda)
				if a < 0 || a > 1 || math.Abs(a+b-1) > 1e-12 {
					t.Errorf("beta=%v d=%v: alpha(d) = %v, alpha(-d) = %v: want in [0, 1] and summing to 1", beta, d, a, b)
				}
				const h = 1e-6
				ap, _ := f(d+h, beta, lambda)
				am, _ := f(d-h, beta, lambda)
				if fd := (ap - am) / (2 * h); math.Abs(fd-slope) > 1e-5*math.Max(1, math.Abs(slope)) {
					t.Errorf("beta=%v lambda=%v d=%v: slope %v, finite difference %v", beta, lambda, d, slope, fd)
				}
			}
		}
	}
}
{{- end}}

// The tests against the reference run the portable kernels (xxxGeneric),
// whose tape has the per-row layout of the package documentation.
// TestEntryPoints checks that the exported functions agree with them,
// with each set of kernels they can dispatch to.

func TestSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rows := range testBatchSizes() {
		for _, beta := range testBetas() {
			x := randomRows(rng, rows)
			y := make([]T, len(x))
			sortGeneric(y, x, beta, lambdas[0])
			for r := 0; r < rows; r++ {
				what := fmt.Sprintf("rows=%d beta=%v: y of row %d", rows, beta, r)
				near(t, what, row(y, r, N), referenceValues(row(x, r, N), beta, lambdas[0]))
{{- if .Hard}}
				sorted := slices.Clone(row(x, r, N))
				slices.Sort(sorted)
				same(t, what, row(y, r, N), sorted)
{{- end}}
			}
		}
	}
}

func TestForwardP(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, rows := range testBatchSizes() {
		for _, beta := range testBetas() {
			for _, lambda := range lambdas {
				x := randomRows(rng, rows)
				y, pt := make([]T, len(x)), make([]T, len(x)*N)
				forwardPGeneric(y, pt, nil, nil, x, beta, lambda)
				ys := make([]T, len(x))
				sortGeneric(ys, x, beta, lambda)
				same(t, "values of ForwardP and Sort", y, ys)
				for r := 0; r < rows; r++ {
					what := fmt.Sprintf("rows=%d beta=%v lambda=%v row %d", rows, beta, lambda, r)
					want := reference(row(x, r, N), beta, lambda)
					near(t, what+": y", row(y, r, N), want.y)
					near(t, what+": P", row(pt, r, N*N), want.pt)
					checkP(t, what, row(x, r, N), row(y, r, N), row(pt, r, N*N))
				}
			}
		}
	}
}

// checkP checks that P is {{if .Hard}}a permutation matrix and y = x @ P exactly{{else}}doubly stochastic and y = x @ P{{end}}.
func checkP(t *testing.T, what string, x, y, pt []T) {
	t.Helper()
	scale := 1.0
	for _, v := range x {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for j := 0; j < N; j++ {
		var xp, colSum, rowSum float64
		for i := 0; i < N; i++ {
			pij := float64(pt[j*N+i])
			xp += float64(x[i]) * pij
			colSum += pij
			rowSum += float64(pt[i*N+j]) // P[j][i]
{{- if .Hard}}
			if pij != 0 && pij != 1 {
				t.Fatalf("%s: P[%d][%d] = %v, want 0 or 1", what, i, j, pij)
			}
		}
		if colSum != 1 || rowSum != 1 || T(xp) != y[j] {
			t.Fatalf("%s: column %d of P sums to %v, row %d to %v, x @ P = %v, y = %v", what, j, colSum, j, rowSum, xp, y[j])
		}
{{- else}}
			if pij < 0 || pij > 1 {
				t.Fatalf("%s: P[%d][%d] = %v, not in [0, 1]", what, i, j, pij)
			}
		}
		if math.Abs(colSum-1) > tol*N || math.Abs(rowSum-1) > tol*N {
			t.Fatalf("%s: column %d of P sums to %v, row %d to %v", what, j, colSum, j, rowSum)
		}
		if math.Abs(xp-float64(y[j])) > xpTol*scale {
			t.Fatalf("%s: (x @ P)[%d] = %v, y = %v", what, j, xp, y[j])
		}
{{- end}}
	}
}
{{- if .Diffable}}

func TestTapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, rows := range testBatchSizes() {
		beta, lambda := betas[rows%len(betas)], lambdas[rows%len(lambdas)]
		x := randomRows(rng, rows)
		y, pt := make([]T, len(x)), make([]T, len(x)*N)
		forwardPGeneric(y, pt, nil, nil, x, beta, lambda)
		y1, tape1 := make([]T, len(x)), make([]T, rows*TapeLen)
		forwardGeneric(y1, tape1, x, beta, lambda)
		y2, pt2, tape2 := make([]T, len(x)), make([]T, len(x)*N), make([]T, rows*TapeLen)
		forwardPGeneric(y2, pt2, tape2, nil, x, beta, lambda)
		// Every forward kernel computes the same values and tape bit for bit.
		for _, ys := range [][]T{y1, y2} {
			same(t, "y", ys, y)
		}
		same(t, "P with a tape", pt2, pt)
		same(t, "tape of ForwardP", tape2, tape1)
		if rows <= maxDiffRows {
			y3, pt3, tape3, diff3 := make([]T, len(x)), make([]T, len(x)*N), make([]T, rows*TapeLen), make([]T, rows*DiffLen)
			forwardPGeneric(y3, pt3, tape3, diff3, x, beta, lambda)
			same(t, "y with differences", y3, y)
			same(t, "P with a tape and differences", pt3, pt)
			same(t, "tape of ForwardP with differences", tape3, tape1)
		}
		for r := 0; r < rows; r++ {
			want := reference(row(x, r, N), beta, lambda)
			tp := row(tape1, r, TapeLen)
			for k := range comparators {
				near(t, fmt.Sprintf("rows=%d row %d: tape of comparator %d", rows, r, k), tp[3*k:3*k+3], []T{want.ds[k], want.alpha[k], want.slope[k]})
			}
		}
	}
}

func TestBackward(t *testing.T) {
	if !refCols {
		t.Skip("the reference's copies of P's columns take too much memory for a test")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, rows := range testBatchSizes() {
		needDiff(t, rows)
		for _, beta := range testBetas() {
			lambda := lambdas[rows%len(lambdas)]
			x := randomRows(rng, rows)
			gy, gpt := randomRows(rng, rows), randomRows(rng, rows*N)
			y, pt := make([]T, len(x)), make([]T, len(x)*N)
			tape, diff := make([]T, rows*TapeLen), make([]T, rows*DiffLen)
			forwardPGeneric(y, pt, tape, diff, x, beta, lambda)
			gx := make([]T, len(x))
			backwardGeneric(gx, gy, tape)
			gxP := make([]T, len(x))
			backwardPGeneric(gxP, gy, slices.Clone(gpt), tape, diff)
			gxNoY := make([]T, len(x))
			backwardPGeneric(gxNoY, nil, slices.Clone(gpt), tape, diff)
			gxZeroP := make([]T, len(x))
			backwardPGeneric(gxZeroP, gy, make([]T, len(gpt)), tape, diff)
			near(t, "BackwardP with dL/dP = 0 against Backward", gxZeroP, gx)
			for r := 0; r < rows; r++ {
				what := fmt.Sprintf("rows=%d beta=%v row %d", rows, beta, r)
				want := reference(row(x, r, N), beta, lambda)
				near(t, what+": Backward", row(gx, r, N), want.backward(row(gy, r, N), nil))
				near(t, what+": BackwardP", row(gxP, r, N), want.backward(row(gy, r, N), row(gpt, r, N*N)))
				near(t, what+": BackwardP without dL/dy", row(gxNoY, r, N), want.backward(nil, row(gpt, r, N*N)))
			}
			gx0 := randomRows(rng, rows)
			backwardGeneric(gx0, nil, tape)
			same(t, "Backward without dL/dy", gx0, make([]T, len(x)))
		}
	}
}
{{- end}}
{{- if and .Soft .F64}}

func TestGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const rows, h = 2, 1e-6
	const coords = {{.FDCoords}} // checked coordinates, evenly spread
	needDiff(t, rows)
	for _, beta := range testBetas() {
		for _, lambda := range lambdas {
			x := make([]T, rows*N)
			for i := range x {
				x[i] = 2 * rng.NormFloat64() // no ties: logistic_phi is ill-conditioned at a tie
			}
			gy, gpt := randomRows(rng, rows), randomRows(rng, rows*N)
			loss := func(x []T) float64 {
				y, pt := make([]T, len(x)), make([]T, len(x)*N)
				forwardPGeneric(y, pt, nil, nil, x, beta, lambda)
				l := 0.0
				for i := range y {
					l += gy[i] * y[i]
				}
				for i := range pt {
					l += gpt[i] * pt[i]
				}
				return l
			}
			y, pt := make([]T, len(x)), make([]T, len(x)*N)
			tape, diff := make([]T, rows*TapeLen), make([]T, rows*DiffLen)
			forwardPGeneric(y, pt, tape, diff, x, beta, lambda)
			gx := make([]T, len(x))
			backwardPGeneric(gx, gy, slices.Clone(gpt), tape, diff)
			for c := 0; c < min(coords, len(x)); c++ {
				i := c * len(x) / min(coords, len(x))
				quotient := func(h float64) float64 {
					xp, xm := slices.Clone(x), slices.Clone(x)
					xp[i] += h
					xm[i] -= h
					return (loss(xp) - loss(xm)) / (2 * h)
				}
				bad := func(fd float64) bool { return math.Abs(fd-gx[i]) > 1e-5*math.Max(1, math.Abs(fd)) }
				fd := quotient(h)
				// Mixing makes near-ties, and a near-tie within h of x
				// (where the weight of logistic_phi has an infinite slope)
				// spoils the quotient: retry with smaller steps.
				for _, s := range []float64{h / 10, h / 100} {
					if bad(fd) {
						fd = quotient(s)
					}
				}
				if bad(fd) {
					t.Errorf("beta=%v lambda=%v: dL/dx[%d] = %v, finite difference %v", beta, lambda, i, gx[i], fd)
				}
			}
		}
	}
}
{{- end}}

// nearRow fails the test unless each row of got is within backendTol of
// want, relative to the largest |want| of the row (at least 1).
func nearRow(t *testing.T, what string, got, want []T, size int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for r := 0; r < len(want)/size; r++ {
		scale := 1.0
		for _, v := range row(want, r, size) {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		for i := r * size; i < (r+1)*size; i++ {
			if !(math.Abs(float64(got[i])-float64(want[i])) <= backendTol*scale) {
				t.Fatalf("%s[%d] = %v, want %v (row %d, difference %.3g, tolerance %.3g)", what, i, got[i], want[i], r, float64(got[i])-float64(want[i]), backendTol*scale)
			}
		}
	}
}

// TestEntryPoints runs the exported functions with every set of kernels
// this build has: the portable kernels and, on amd64 CPUs with AVX2 and FMA
// (without the purego tag), the AVX2 kernels; SetAVX2 switches between
// them. It compares the results, tapes included (read through
// tapeToGeneric), with the portable kernels on the same rows: exactly with
// the portable kernels, within backendTol with the AVX2 kernels{{if .Hard}},
// except the values and P of the exact swap, which agree bit for bit{{end}}.
func TestEntryPoints(t *testing.T) {
	prev := SetAVX2(true)
	defer SetAVX2(prev)
	settings := []bool{false}
	if AVX2() {
		settings = append(settings, true)
	}
	if huge && testing.Short() && len(settings) > 1 {
		settings = settings[1:]
	}
	for _, avx2 := range settings {
		name := "go"
		if avx2 {
			name = "avx2"
		}
		SetAVX2(avx2)
		if AVX2() != avx2 {
			t.Fatalf("AVX2() = %v after SetAVX2(%v)", !avx2, avx2)
		}
		t.Run(name, func(t *testing.T) { checkEntryPoints(t, avx2) })
	}
	SetAVX2(false)
	if SetAVX2(true) || SetAVX2(prev) != settings[len(settings)-1] {
		t.Error("SetAVX2 does not return the previous setting")
	}
}

// entryRows draws rows for TestEntryPoints: randomRows{{if not .Ties}}, without ties:
// the slope of logistic_phi is ill-conditioned at a tie{{end}}.
func entryRows(rng *rand.Rand, rows int) []T {
{{- if .Ties}}
	if !(huge && testing.Short()) {
		return randomRows(rng, rows)
	}
{{- end}}
	scale := 2.0
	if huge && testing.Short() {
		// Close values mix the columns of P into subnormal numbers, whose
		// arithmetic is slow on most CPUs: -short spreads the rows of a
		// huge network.
		scale = 1000
	}
	x := make([]T, rows*N)
	for i := range x {
		x[i] = T(scale * rng.NormFloat64())
	}
	return x
}

func checkEntryPoints(t *testing.T, avx2 bool) {
	rng := rand.New(rand.NewPCG(15, 16))
	// compare requires got = want exactly with the portable kernels or for
	// exact results, and within backendTol otherwise.
	compare := func(what string, got, want []T, size int, exact bool) {
		t.Helper()
		if exact || !avx2 {
			same(t, what, got, want)
		} else {
			nearRow(t, what, got, want, size)
		}
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const exact = {{.Hard}} // values and P are exact
	for _, rows := range testEntryBatchSizes() {
		for _, beta := range testBetas() {
			for _, lambda := range lambdas {
				what := fmt.Sprintf("rows=%d beta=%v lambda=%v", rows, beta, lambda)
				x := entryRows(rng, rows)
				y, want := make([]T, len(x)), make([]T, len(x))
				check(Sort(y, x, beta, lambda))
				sortGeneric(want, x, beta, lambda)
				compare(what+": Sort", y, want, N, exact)

				pt, wantPT := make([]T, len(x)*N), make([]T, len(x)*N)
				check(ForwardP(y, pt, nil, nil, x, beta, lambda))
				forwardPGeneric(want, wantPT, nil, nil, x, beta, lambda)
				compare(what+": ForwardP y", y, want, N, exact)
				compare(what+": ForwardP P", pt, wantPT, N*N, exact)
{{- if .Diffable}}

				tape, wantTape := make([]T, rows*TapeLen), make([]T, rows*TapeLen)
				check(Forward(y, tape, x, beta, lambda))
				forwardGeneric(want, wantTape, x, beta, lambda)
				compare(what+": Forward y", y, want, N, exact)
				gt, _ := tapeToGeneric(tape, nil, rows)
				compare(what+": Forward tape", gt, wantTape, TapeLen, false)

				gy := randomRows(rng, rows)
				gx, wantGX := make([]T, len(x)), make([]T, len(x))
				check(Backward(gx, gy, tape))
				backwardGeneric(wantGX, gy, wantTape)
				compare(what+": Backward", gx, wantGX, N, false)

				// The tape of ForwardP without differences feeds Backward.
				check(ForwardP(y, pt, tape, nil, x, beta, lambda))
				gt, _ = tapeToGeneric(tape, nil, rows)
				compare(what+": ForwardP without differences: tape", gt, wantTape, TapeLen, false)
				check(Backward(gx, gy, tape))
				backwardGeneric(wantGX, gy, wantTape)
				compare(what+": ForwardP without differences, then Backward", gx, wantGX, N, false)

				if rows > maxDiffRows {
					continue
				}
				diff, wantDiff := make([]T, rows*DiffLen), make([]T, rows*DiffLen)
				check(ForwardP(y, pt, tape, diff, x, beta, lambda))
				forwardPGeneric(want, wantPT, wantTape, wantDiff, x, beta, lambda)
				compare(what+": ForwardP with a tape: y", y, want, N, exact)
				compare(what+": ForwardP with a tape: P", pt, wantPT, N*N, exact)
				gt, gd := tapeToGeneric(tape, diff, rows)
				compare(what+": ForwardP with a tape: tape", gt, wantTape, TapeLen, false)
				compare(what+": ForwardP with a tape: differences", gd, wantDiff, DiffLen, exact)

				gpt := randomRows(rng, rows*N)
				for _, g := range [][]T{gy, nil} {
					check(BackwardP(gx, g, slices.Clone(gpt), tape, diff))
					backwardPGeneric(wantGX, g, slices.Clone(gpt), wantTape, wantDiff)
					compare(fmt.Sprintf("%s: BackwardP (dL/dy: %v)", what, g != nil), gx, wantGX, N, false)
				}

{{- end}}
			}
		}
	}
}

func TestAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := randomRows(rng, 9)
	y := make([]T, len(x))
	if err := Sort(y, x, betas[0], lambdas[0]); err != nil {
		t.Fatal(err)
	}
	inPlace := slices.Clone(x)
	if err := Sort(inPlace, inPlace, betas[0], lambdas[0]); err != nil {
		t.Fatal(err)
	}
	same(t, "Sort in place", inPlace, y)
	pt := make([]T, len(x)*N)
{{- if .Diffable}}
	needDiff(t, 9)
	tape, diff := make([]T, 9*TapeLen), make([]T, 9*DiffLen)
	inPlace = slices.Clone(x)
	if err := ForwardP(inPlace, pt, tape, diff, inPlace, betas[0], lambdas[0]); err != nil {
		t.Fatal(err)
	}
	same(t, "ForwardP in place", inPlace, y)
	gy, gpt := randomRows(rng, 9), randomRows(rng, 9*N)
	gx := make([]T, len(x))
	if err := BackwardP(gx, gy, slices.Clone(gpt), tape, diff); err != nil {
		t.Fatal(err)
	}
	if err := BackwardP(gy, gy, gpt, tape, diff); err != nil {
		t.Fatal(err)
	}
	same(t, "BackwardP in place", gy, gx)
{{- else}}
	inPlace = slices.Clone(x)
	if err := ForwardP(inPlace, pt, nil, nil, inPlace, betas[0], lambdas[0]); err != nil {
		t.Fatal(err)
	}
	same(t, "ForwardP in place", inPlace, y)
{{- end}}
}

// TestExtremeValues runs rows of the type's largest finite values, of
// both signs and tied, through every entry point with each set of kernels:
// finite input must give finite output.
func TestExtremeValues(t *testing.T) {
	prev := SetAVX2(true)
	defer SetAVX2(prev)
	settings := []bool{false}
	if AVX2() {
		settings = append(settings, true)
	}
	if huge && testing.Short() && len(settings) > 1 {
		settings = settings[1:]
	}
	big := T(math.Max{{if .F64}}Float64{{else}}Float32{{end}})
	rows := 11 // whole blocks of AVX2 lanes and a tail
	if heavy && testing.Short() {
		rows = entryBatchSizes[len(entryBatchSizes)-1]
	}
	x := make([]T, rows*N)
	for i := range x {
		if huge && testing.Short() {
			// Distinct values, alternating signs: ties fill P with subnormal
			// numbers, whose arithmetic is slow (see entryRows).
			x[i] = big * T(1-2*(i%2)) * T(1-float64(i%N)/(2*N))
			continue
		}
		switch r := i / N; r % 3 {
		case 0: // alternating signs: b - a overflows the type
			x[i] = big * T(1-2*(i%2))
		case 1: // ties at the largest value, and a zero
			x[i] = big * T(1-2*(r/3%2))

			if i%N == 0 {
				x[i] = 0
			}
		default:
			x[i] = big / 2 * T((i*7)%5-2)
		}
	}
	finite := func(what string, s []T) {
		t.Helper()
		for i, v := range s {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s[%d] = %v from finite input", what, i, v)
			}
		}
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, avx2 := range settings {
		SetAVX2(avx2)
		for _, beta := range testBetas() {
			lambda := lambdas[len(lambdas)-1]
			y, pt := make([]T, len(x)), make([]T, len(x)*N)
			check(Sort(y, x, beta, lambda))
			finite("Sort y", y)
			check(ForwardP(y, pt, nil, nil, x, beta, lambda))
			finite("ForwardP y", y)
			finite("ForwardP P", pt)
{{- if .Hard}}
			for r := 0; r < rows; r++ {
				sorted := slices.Clone(row(x, r, N))
				slices.Sort(sorted)
				same(t, "sorted extreme row", row(y, r, N), sorted)
			}
{{- end}}
{{- if .Diffable}}
			tape := make([]T, rows*TapeLen)
			check(Forward(y, tape, x, beta, lambda))
			finite("Forward tape", tape)
			gy, gpt, gx := make([]T, len(x)), make([]T, len(pt)), make([]T, len(x))
			for i := range gy {
				gy[i] = T(i%7) - 3
			}
			for i := range gpt {
				gpt[i] = T(i%5) - 2
			}
			check(Backward(gx, gy, tape))
			finite("Backward gx", gx)
			if rows > maxDiffRows {
				continue
			}
			diff := make([]T, rows*DiffLen)
			check(ForwardP(y, pt, tape, diff, x, beta, lambda))
			finite("ForwardP diff", diff)
			check(BackwardP(gx, gy, gpt, tape, diff))
			finite("BackwardP gx", gx)
{{- end}}
		}
	}
}

func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := randomRows(rng, 3)
	y, pt := make([]T, len(x)), make([]T, len(x)*N)
	nan, inf := slices.Clone(x), slices.Clone(x)
	nan[4] = T(math.NaN())
	inf[N] = T(math.Inf(-1))
	beta, lambda := betas[0], lambdas[0]
{{- if .Diffable}}
	tape := make([]T, 3*TapeLen)
	if err := Forward(y, tape, x, beta, lambda); err != nil {
		t.Fatal(err)
	}
	gy, gpt := randomRows(rng, 3), randomRows(rng, 3*N)
	gpt[7] = T(math.Inf(1))
{{- end}}
	cases := []struct {
		name      string
		notFinite bool
		call      func() error
	}{
		{"no rows", false, func() error { return Sort(nil, nil, beta, lambda) }},
		{"x not a multiple of N", false, func() error { return Sort(y[1:], x[1:], beta, lambda) }},
		{"y too short", false, func() error { return Sort(y[:N], x, beta, lambda) }},
		{"NaN in x", true, func() error { return Sort(y, nan, beta, lambda) }},
		{"Inf in x", true, func() error { return ForwardP(y, pt, nil, nil, inf, beta, lambda) }},
		{"beta zero", false, func() error { return Sort(y, x, 0, lambda) }},
		{"beta negative", false, func() error { return Sort(y, x, -1, lambda) }},
		{"beta NaN", false, func() error { return Sort(y, x, math.NaN(), lambda) }},
		{"beta Inf", false, func() error { return ForwardP(y, pt, nil, nil, x, math.Inf(1), lambda) }},
		{"beta too steep", false, func() error { return Sort(y, x, 1e300, lambda) }},
		{"lambda negative", false, func() error { return Sort(y, x, beta, -0.5) }},
		{"lambda above 1", false, func() error { return Sort(y, x, beta, 40) }},
		{"lambda NaN", false, func() error { return Sort(y, x, beta, math.NaN()) }},
		{"lambda Inf", false, func() error { return Sort(y, x, beta, math.Inf(1)) }},
		{"pt too short", false, func() error { return ForwardP(y, pt[1:], nil, nil, x, beta, lambda) }},
{{- if .Diffable}}
		{"Forward: tape too short", false, func() error { return Forward(y, tape[1:], x, beta, lambda) }},
		{"Forward: y too long", false, func() error { return Forward(append(y, 0), tape, x, beta, lambda) }},
		{"ForwardP: tape too long", false, func() error { return ForwardP(y, pt, append(tape, 0), nil, x, beta, lambda) }},
		{"Backward: gx not a multiple of N", false, func() error { return Backward(y[1:], nil, tape) }},
		{"Backward: gy too short", false, func() error { return Backward(y, gy[N:], tape) }},
		{"Backward: gy NaN", true, func() error { return Backward(y, nan, tape) }},
		{"Backward: tape too short", false, func() error { return Backward(y, gy, tape[1:]) }},
{{- else}}
		{"ForwardP: a tape", false, func() error { return ForwardP(y, pt, make([]T, 3), nil, x, beta, lambda) }},
		{"ForwardP: column differences", false, func() error { return ForwardP(y, pt, nil, make([]T, 3), x, beta, lambda) }},
{{- end}}
	}
{{- if .Diffable}}
	if 3 <= maxDiffRows {
		diff := make([]T, 3*DiffLen)
		if err := ForwardP(y, pt, tape, diff, x, beta, lambda); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, []struct {
			name      string
			notFinite bool
			call      func() error
		}{
			{"ForwardP: diff without tape", false, func() error { return ForwardP(y, pt, nil, diff, x, beta, lambda) }},
			{"ForwardP: diff too short", false, func() error { return ForwardP(y, pt, tape, diff[1:], x, beta, lambda) }},
			{"BackwardP: gpt Inf", true, func() error { return BackwardP(y, gy, gpt, tape, diff) }},
			{"BackwardP: gpt nil", false, func() error { return BackwardP(y, gy, nil, tape, diff) }},
			{"BackwardP: diff too short", false, func() error { return BackwardP(y, gy, pt, tape, diff[1:]) }},
			{"BackwardP: tape too long", false, func() error { return BackwardP(y, gy, pt, append(tape, 0), diff) }},
		}...)
	}
{{- end}}
	for _, c := range cases {
		err := c.call()
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case errors.Is(err, ErrNotFinite) != c.notFinite:
			t.Errorf("%s: %v: errors.Is(err, ErrNotFinite) = %v", c.name, err, !c.notFinite)
		case !strings.HasPrefix(err.Error(), "{{.Package}}: "):
			t.Errorf("%s: %q does not name the package", c.name, err)
		}
	}
}

// finiteSpecials are bit patterns the input check must classify: every
// kind of NaN and infinity, and the extreme finite values.
var finiteSpecials = []struct {
	name string
	bits uint64
}{
{{- if .F64}}
	{"NaN", 0x7ff8000000000000},
	{"-NaN", 0xfff8000000000000},
	{"+Inf", 0x7ff0000000000000},
	{"-Inf", 0xfff0000000000000},
	{"signalling NaN", 0x7ff0000000000001},
	{"-signalling NaN, largest payload", 0xfff7ffffffffffff},
	{"largest finite", 0x7fefffffffffffff},
	{"-largest finite", 0xffefffffffffffff},
	{"smallest normal", 0x0010000000000000},
	{"smallest denormal", 0x0000000000000001},
	{"-largest denormal", 0x800fffffffffffff},
	{"-0", 0x8000000000000000},
{{- else}}
	{"NaN", 0x7fc00000},
	{"-NaN", 0xffc00000},
	{"+Inf", 0x7f800000},
	{"-Inf", 0xff800000},
	{"signalling NaN", 0x7f800001},
	{"-signalling NaN, largest payload", 0xffbfffff},
	{"largest finite", 0x7f7fffff},
	{"-largest finite", 0xff7fffff},
	{"smallest normal", 0x00800000},
	{"smallest denormal", 0x00000001},
	{"-largest denormal", 0x807fffff},
	{"-0", 0x80000000},
{{- end}}
}

// TestAllFinite checks the input check's fast path (allFinite with each
// setting of SetAVX2, and allFiniteGeneric) against math.IsNaN and
// math.IsInf, with each of finiteSpecials at every position of slices of
// every length up to 70 (at some positions of longer ones), alone and
// followed by a NaN at the end, while the element just past the slice is
// a NaN that must not be seen; and checkFinite's error, which names the
// first non-finite element.
func TestAllFinite(t *testing.T) {
	prev := SetAVX2(true)
	defer SetAVX2(prev)
	settings := []bool{false}
	if AVX2() {
		settings = append(settings, true)
	}
	nan := T(math.NaN())
	buf := make([]T, 1032)
	check := func(x []T, what string) {
		t.Helper()
		first := slices.IndexFunc(x, func(v T) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) })
		want := first < 0
		if got := allFiniteGeneric(x); got != want {
			t.Fatalf("allFiniteGeneric, len %d, %s: %v, want %v", len(x), what, got, want)
		}
		for _, avx2 := range settings {
			SetAVX2(avx2)
			if got := allFinite(x); got != want {
				t.Fatalf("allFinite (AVX2 %v), len %d, %s: %v, want %v", avx2, len(x), what, got, want)
			}
			err := checkFinite("x", x)
			switch {
			case want && err != nil:
				t.Fatalf("checkFinite (AVX2 %v), len %d, %s: %v", avx2, len(x), what, err)
			case !want && (!errors.Is(err, ErrNotFinite) || err.Error() != fmt.Sprintf("%v: x[%d] = %v (row %d)", ErrNotFinite, first, x[first], first/N)):
				t.Fatalf("checkFinite (AVX2 %v), len %d, %s: %v, want x[%d] named", avx2, len(x), what, err, first)
			}
		}
	}
	for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 31, 32, 33, 35, 39, 40, 47, 48, 63, 64, 65, 69, 70, 127, 128, 129, 1031} {
		x := buf[:n:n]
		fill := func() {
			for i := range x {
				x[i] = T(i%7) - 3.5
			}
			buf[n] = nan
		}
		fill()
		check(x, "ordinary values")
		for pos := range n {
			if n > 70 && pos > 40 && pos < n-40 {
				continue
			}
			for _, sp := range finiteSpecials {
				fill()
{{- if .F64}}
				x[pos] = math.Float64frombits(sp.bits)
{{- else}}
				x[pos] = math.Float32frombits(uint32(sp.bits))
{{- end}}
				check(x, fmt.Sprintf("%s at %d", sp.name, pos))
				if pos < n-1 {
					x[n-1] = nan
					check(x, fmt.Sprintf("%s at %d, NaN last", sp.name, pos))
				}
			}
		}
	}
}
`))
