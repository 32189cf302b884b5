package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/internal/testmod"
	"github.com/sortgen/sortgen/runtime/registry"
)

// genConfig is the sorter configuration of a registered kernel.
func genConfig(k *registry.Kernel, backend Backend, beta, lambda float64) Config {
	return Config{Network: k.Network, N: k.N, TopK: k.TopK, Swap: k.Swap, Base: k.Base,
		Steepness: beta, ARTLambda: lambda, Backend: backend}
}

// genRows draws batch rows of n values; every third row has ties.
func genRows[T Float](rng *rand.Rand, batch, n int) []T {
	x := make([]T, batch*n)
	for i := range x {
		if (i/n)%3 == 2 {
			x[i] = T(rng.IntN(4))
		} else {
			x[i] = T(3 * rng.NormFloat64())
		}
	}
	return x
}

// requireRel requires |got-want| <= tol*max(|want|, 1) elementwise.
func requireRel[T Float](t *testing.T, what string, got, want []T, tol float64) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= tol*math.Max(1, math.Abs(w))) {
			require.Failf(t, "mismatch", "%s[%d] = %v, want %v (tolerance %g)", what, i, g, w, tol)
		}
	}
}

// requireRowRel requires |got-want| <= tol*max(max|want row|, 1) for rows
// of n values: an entry of a gradient is a sum of terms as large as the
// largest of its row, so cancellation leaves a small entry with the
// absolute rounding error of the large ones (float32 AVX2 kernels, which
// sum the dot products with dL/dP in another order, differ from the
// interpreter by up to 1.7e-5 of an entry of 0.67).
func requireRowRel[T Float](t *testing.T, what string, got, want []T, n int, tol float64) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for r := 0; r < len(want)/n; r++ {
		scale := 1.0
		for _, w := range want[r*n : (r+1)*n] {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
		for i := r * n; i < (r+1)*n; i++ {
			g, w := float64(got[i]), float64(want[i])
			if !(math.Abs(g-w) <= tol*scale) {
				require.Failf(t, "mismatch", "%s[%d] = %v, want %v (row %d, tolerance %g of %g)", what, i, g, w, r, tol, scale)
			}
		}
	}
}

func TestGeneratedIndexMatchesNetworks(t *testing.T) {
	all := registry.All()
	require.NotEmpty(t, all)
	seen := map[string]bool{}
	for _, k := range all {
		elem, err := plan.ParseElem(k.Elem)
		require.NoError(t, err, k.Package)
		var p *plan.Plan
		if k.TopK > 0 {
			p, err = plan.NamedTopK(k.Network, k.N, k.TopK, k.Swap, k.Base, elem)
		} else {
			p, err = plan.Named(k.Network, k.N, k.Swap, k.Base, elem)
		}
		require.NoError(t, err, k.Package)
		require.Equal(t, p.Fingerprint(), k.Fingerprint,
			"%s: the network constructor changed since the kernel was generated; run go generate ./generated/", k.Package)
		require.Equal(t, p.TapeLen, k.TapeLen, k.Package)
		require.Equal(t, p.DiffLen, k.DiffLen, k.Package)
		require.Equal(t, p.XTapeLen, k.XTapeLen, k.Package)
		key := fmt.Sprint(k.Fingerprint, k.TopK, k.Swap, k.Base, k.Elem)
		require.False(t, seen[key], "%s registered twice", k.Package)
		seen[key] = true
		got, ok := registry.Lookup(k.Fingerprint, k.TopK, k.Swap, k.Base, k.Elem)
		require.True(t, ok)
		require.Same(t, k, got)
	}
}

func TestAutoPicksGenerated(t *testing.T) {
	for _, tc := range []struct {
		network     string
		n           int
		swap, base  string
		wantBackend string
	}{
		{"odd_even", 16, "cauchy", "", "generated"},
		{"bitonic", 32, "errorfree", "cauchy", "generated"},
		{"odd_even", 16, "gaussian", "", "interpreter"},
		{"odd_even", 6, "cauchy", "", "interpreter"},
	} {
		cfg := DefaultConfig(tc.network, tc.n, tc.swap)
		cfg.Base = tc.base
		s32, err := New[float32](cfg)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(s32.Backend(), tc.wantBackend), "%+v float32", tc)
		s64, err := New[float64](cfg)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(s64.Backend(), tc.wantBackend), "%+v float64", tc)
		cfg.Backend = Generated
		_, err = New[float64](cfg)
		if tc.wantBackend == "generated" {
			require.NoError(t, err)
		} else {
			require.Error(t, err)
		}
	}
	// A type derived from float32 cannot use the kernels' []float32.
	type score float32
	s, err := New[score](DefaultConfig("odd_even", 16, "cauchy"))
	require.NoError(t, err)
	require.Equal(t, "interpreter", s.Backend())
}

// TestGeneratedMatchesInterpreter compares every registered kernel with
// the interpreter at each level of the package's kernels the CPU and the
// build have (Kernel.Levels: its portable Go kernels, AVX2, AVX-512); the
// level is restored afterwards.
func TestGeneratedMatchesInterpreter(t *testing.T) {
	for _, k := range registry.All() {
		t.Run(path.Base(k.Package), func(t *testing.T) {
			require.NotNil(t, k.SetLevel, "index.go is stale: run go generate ./generated/")
			prev, err := k.SetLevel("")
			require.NoError(t, err)
			t.Cleanup(func() { k.SetLevel(prev) })
			for _, level := range k.Levels() {
				_, err := k.SetLevel(level)
				require.NoError(t, err)
				require.Equal(t, level, k.Level())
				t.Run(level, func(t *testing.T) {
					if k.Elem == "float32" {
						compareBackends[float32](t, k, 1e-5)
					} else {
						compareBackends[float64](t, k, 1e-12)
					}
				})
			}
		})
	}
}

// compareBackends runs the interpreter and the generated kernel on the same
// random batches: values, P and gradients agree to tol, and a hard forward
// pass agrees exactly.
func compareBackends[T Float](t *testing.T, k *registry.Kernel, tol float64) {
	rng := rand.New(rand.NewPCG(uint64(k.N), k.Fingerprint))
	hard := k.Swap == "hard" || k.Swap == "errorfree"
	diffable := k.Swap != "hard"
	batches := []int{1, 7, 8, 9, 100}
	if k.N > 256 && !testmod.Slow() {
		// A whole block of vector lanes and a tail: at n = 1024 the
		// interpreter's P of 100 rows alone takes a minute.
		batches = []int{1, 17}
	}
	for bi, batch := range batches {
		beta := []float64{1, 10, 37.5}[bi%3]
		gen, err := New[T](genConfig(k, Generated, beta, 0.25))
		require.NoError(t, err)
		require.Equal(t, "generated/"+k.Level()+" "+k.Package, gen.Backend())
		ref, err := New[T](genConfig(k, Interpreter, beta, 0.25))
		require.NoError(t, err)
		x := genRows[T](rng, batch, k.N)
		what := fmt.Sprintf("batch %d beta %v", batch, beta)

		ys, yr := make([]T, len(x)), make([]T, len(x))
		require.NoError(t, gen.Sort(ys, x))
		require.NoError(t, ref.Sort(yr, x))
		requireRel(t, what+": Sort", ys, yr, tol)

		want := WantP
		if diffable {
			want |= WantGrad
		}
		rg, err := gen.Forward(x, want)
		require.NoError(t, err)
		rr, err := ref.Forward(x, want)
		require.NoError(t, err)
		if hard {
			require.Equal(t, rr.Y, rg.Y, what+": y")
			require.Equal(t, rr.PT(), rg.PT(), what+": P")
		}
		requireRel(t, what+": y", rg.Y, rr.Y, tol)
		requireRel(t, what+": P", rg.PT(), rr.PT(), tol)
		if !diffable {
			continue
		}
		gy, gP := genRows[T](rng, batch, k.N), genRows[T](rng, batch*k.N, k.N)
		gg, err := gen.Backward(rg, gy, gP)
		require.NoError(t, err)
		gr, err := ref.Backward(rr, gy, gP)
		require.NoError(t, err)
		requireRowRel(t, what+": grad_x", gg, gr, k.N, tol)

		// Values and tape only (Forward), then dL/dy only (Backward).
		rg, err = gen.Forward(x, WantGrad)
		require.NoError(t, err)
		rr, err = ref.Forward(x, WantGrad)
		require.NoError(t, err)
		requireRel(t, what+": y without P", rg.Y, rr.Y, tol)
		gg, err = gen.Backward(rg, gy, nil)
		require.NoError(t, err)
		gr, err = ref.Backward(rr, gy, nil)
		require.NoError(t, err)
		requireRowRel(t, what+": grad_x without P", gg, gr, k.N, tol)
		if k.TopK > 0 {
			compareTopK(t, gen, ref, x, rng, what, tol)
		}
	}
}

// compareTopK runs a top-k kernel's ForwardTopK and BackwardTopK against
// the interpreter's.
func compareTopK[T Float](t *testing.T, gen, ref *Sorter[T], x []T, rng *rand.Rand, what string, tol float64) {
	n, k := gen.N(), gen.K()
	rg, err := gen.ForwardTopK(x, WantGrad)
	require.NoError(t, err)
	rr, err := ref.ForwardTopK(x, WantGrad)
	require.NoError(t, err)
	requireRel(t, what+": top", rg.Top, rr.Top, tol)
	requireRel(t, what+": X", rg.X, rr.X, tol)
	batch := len(x) / n
	gtop, gX := genRows[T](rng, batch, k), genRows[T](rng, batch*n, k)
	gg, err := gen.BackwardTopK(rg, gtop, gX)
	require.NoError(t, err)
	gr, err := ref.BackwardTopK(rr, gtop, gX)
	require.NoError(t, err)
	requireRowRel(t, what+": top-k grad_x", gg, gr, n, tol)
}

// TestGeneratedReference runs the reference file through every case that
// has a generated kernel, with the file's tolerances for float64 and the
// float32 interpreter test's for float32. The rows are repeated 16 times so
// that whole vector blocks run the assembly kernels, and every copy is
// checked, at every level of kernels the CPU and the build have.
func TestGeneratedReference(t *testing.T) {
	path, err := reference.DefaultPath()
	require.NoError(t, err)
	f, err := reference.Load(path)
	require.NoError(t, err)
	covered := 0
	for i := range f.Cases {
		c := &f.Cases[i]
		cfg := Config{Network: c.Network, N: c.N, Swap: c.Swap, Base: c.BaseName(),
			Steepness: c.Steepness, ARTLambda: c.ARTLambda, Backend: Generated}
		if s, err := New[float64](cfg); err == nil {
			covered++
			eachKernelSet(t, s, c.String()+"/float64", func(t *testing.T) {
				forEachCopy(t, s, c, func(y, p, gx []float64) {
					require.LessOrEqual(t, reference.RelErr(y, reference.Flat(c.Y)), c.Tolerance("y"), "y")
					require.LessOrEqual(t, reference.RelErr(p, reference.FlatMatrices(c.P)), c.Tolerance("P"), "P")
					for row := range c.X {
						require.LessOrEqual(t, reference.RelErr(gx[row*c.N:(row+1)*c.N], c.GradX[row]), c.RowTolerance("grad_x", row), "grad_x row %d", row)
					}
				})
			})
		}
		if s, err := New[float32](cfg); err == nil {
			eachKernelSet(t, s, c.String()+"/float32", func(t *testing.T) {
				forEachCopy(t, s, c, func(y, p, gx []float64) {
					require.LessOrEqual(t, reference.RelErr(y, reference.Flat(c.Y)), 1e-5, "y")
					require.LessOrEqual(t, reference.RelErr(p, reference.FlatMatrices(c.P)), 1e-5, "P")
					for row := range c.X {
						if !c.IllConditioned(row) {
							require.LessOrEqual(t, reference.RelErr(gx[row*c.N:(row+1)*c.N], c.GradX[row]), 1e-4, "grad_x row %d", row)
						}
					}
				})
			})
		}
	}
	// odd_even 3, 5, 9, 16 and bitonic 16, 32, each with logistic, cauchy
	// and errorfree(cauchy), are in both the file and the generated set.
	require.GreaterOrEqual(t, covered, 18)
}

// eachKernelSet runs test as a subtest on s's generated kernel at each
// level it has (Kernel.Levels), restoring the level afterwards.
func eachKernelSet[T Float](t *testing.T, s *Sorter[T], name string, test func(t *testing.T)) {
	g, ok := s.k.(*generatedKernel[T])
	require.True(t, ok, "%s: not a generated kernel", name)
	prev, err := g.k.SetLevel("")
	require.NoError(t, err)
	defer g.k.SetLevel(prev)
	for _, level := range g.k.Levels() {
		_, err := g.k.SetLevel(level)
		require.NoError(t, err)
		t.Run(name+"/"+level, test)
	}
}

// forEachCopy runs case c with its rows repeated 16 times and calls check
// with each copy's y, P (SPEC orientation) and dL/dx.
func forEachCopy[T Float](t *testing.T, s *Sorter[T], c *reference.Case, check func(y, p, gx []float64)) {
	t.Helper()
	const copies = 16
	rep := func(v []float64) []T {
		out := make([]T, 0, copies*len(v))
		for range copies {
			for _, f := range v {
				out = append(out, T(f))
			}
		}
		return out
	}
	back := func(v []T, k, w int) []float64 {
		out := make([]float64, w)
		for i := range out {
			out[i] = float64(v[k*w+i])
		}
		return out
	}
	r, err := s.Forward(rep(reference.Flat(c.X)), WantP|WantGrad)
	require.NoError(t, err)
	gx, err := s.Backward(r, rep(reference.Flat(c.GY)), rep(reference.FlatMatrices(c.GP)))
	require.NoError(t, err)
	rows, n := len(c.X), c.N
	for k := range copies {
		check(back(r.Y, k, rows*n), back(r.P(), k, rows*n*n), back(gx, k, rows*n))
	}
}

// TestSetLevelBetweenPasses: a tape recorded at one level is laid out for
// its kernels, so a backward pass after switching the package to another
// level must be refused, not read the tape wrongly.
func TestSetLevelBetweenPasses(t *testing.T) {
	s, err := New[float32](DefaultConfig("odd_even", 16, "cauchy"))
	require.NoError(t, err)
	g, ok := s.k.(*generatedKernel[float32])
	if !ok {
		t.Skip("no generated kernel for odd_even n=16 cauchy float32")
	}
	prev, err := g.k.SetLevel("")
	require.NoError(t, err)
	t.Cleanup(func() { g.k.SetLevel(prev) })
	levels := g.k.Levels()
	if len(levels) < 2 {
		t.Skip("no assembly kernels here")
	}
	x := genRows[float32](rand.New(rand.NewPCG(1, 2)), 33, 16)
	for i, from := range levels {
		for _, to := range levels[:i] {
			_, err := g.k.SetLevel(from)
			require.NoError(t, err)
			r, err := s.Forward(x, WantP|WantGrad)
			require.NoError(t, err)
			_, err = g.k.SetLevel(to)
			require.NoError(t, err)
			_, err = s.Backward(r, x, nil)
			require.ErrorContains(t, err, "SetLevel", "%s to %s", from, to)
			_, err = g.k.SetLevel(from)
			require.NoError(t, err)
			gx, err := s.Backward(r, x, nil)
			require.NoError(t, err)
			require.Len(t, gx, len(x))
		}
	}
}
