package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
	"github.com/sortgen/sortgen/runtime/registry"
)

// topKCases are the (network, n, k) of the top-k consistency tests: powers
// of two and not, k = 1 up to about n/2.
var topKCases = []struct {
	network string
	n, k    int
}{
	{"odd_even", 5, 1}, {"odd_even", 7, 3}, {"odd_even", 16, 5},
	{"bitonic", 6, 2}, {"bitonic", 8, 1}, {"bitonic", 13, 4},
	{plan.SplitterSelection, 8, 1}, {plan.SplitterSelection, 10, 2}, {plan.SplitterSelection, 19, 5},
}

// relErrT is the worst |got-want| / max(|want|, 1), in float64.
func relErrT[T Float](got, want []T) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	worst := 0.0
	for i := range got {
		e := math.Abs(float64(got[i])-float64(want[i])) / math.Max(math.Abs(float64(want[i])), 1)
		if math.IsNaN(e) {
			return math.Inf(1)
		}
		worst = math.Max(worst, e)
	}
	return worst
}

// lastColumns is P[:, n-k:] of every row of P (batch x n x n, SPEC
// orientation), row-major batch x n x k.
func lastColumns[T Float](p []T, n, k int) []T {
	batch := len(p) / (n * n)
	out := make([]T, 0, batch*n*k)
	for b := range batch {
		for i := range n {
			out = append(out, p[b*n*n+i*n+n-k:b*n*n+(i+1)*n]...)
		}
	}
	return out
}

// fullGradients spreads dL/dtop and dL/dX over dL/dy and dL/dP: zero
// except on the last k wires and in the last k columns.
func fullGradients[T Float](gtop, gX []T, batch, n, k int) (gy, gP []T) {
	gy, gP = make([]T, batch*n), make([]T, batch*n*n)
	for b := range batch {
		copy(gy[b*n+n-k:(b+1)*n], gtop[b*k:(b+1)*k])
		for i := range n {
			copy(gP[b*n*n+i*n+n-k:b*n*n+(i+1)*n], gX[b*n*k+i*k:b*n*k+(i+1)*k])
		}
	}
	return gy, gP
}

func topKConfig(network string, n, k int, swap, base string) Config {
	cfg := DefaultConfig(network, n, swap)
	cfg.Base, cfg.TopK, cfg.Backend = base, k, Interpreter
	return cfg
}

// The top-k pass is the sorting pass (Forward, and Sort) of the same (pruned) network, read
// at the last k wires and columns: Top bitwise (the value pass is the
// same code), X to rounding (it multiplies the comparators' matrices
// right to left where P does left to right: bitwise for hard forward
// swaps, whose products are permutations), and BackwardTopK equals
// Backward with dL/dy and dL/dP zero elsewhere, to rounding (its dot
// products run over k entries of dL/dX instead of the rows of dL/dP). The
// worst seen, relative to max(|want|, 1): X 6.7e-16 (float64) and 2.4e-7
// (float32), dL/dx 2.7e-14 and 1.9e-5, both under logistic_phi, whose
// slope is steep.
func TestTopKMatchesSorting(t *testing.T) {
	testTopKMatchesSorting[float64](t, 2e-15, 1e-13)
	testTopKMatchesSorting[float32](t, 1e-6, 1e-4)
}

func testTopKMatchesSorting[T Float](t *testing.T, tolX, tol float64) {
	rng := rand.New(rand.NewPCG(14, 3))
	for _, tc := range topKCases {
		for _, sw := range allSwaps {
			name := fmt.Sprintf("%T/%s n=%d k=%d %s(%s)", T(0), tc.network, tc.n, tc.k, sw.swap, sw.base)
			t.Run(name, func(t *testing.T) {
				n, k, batch := tc.n, tc.k, 5
				cfg := topKConfig(tc.network, n, k, sw.swap, sw.base)
				cfg.Steepness = 3 // soft enough for every weight to matter
				s, err := New[T](cfg)
				require.NoError(t, err)
				require.Equal(t, k, s.K())
				x := genRows[T](rng, batch, n)
				grad := sw.swap != "hard"
				want, fwant := Want(0), WantP
				if grad {
					want, fwant = WantGrad, WantP|WantGrad
				}
				r, err := s.ForwardTopK(x, want)
				require.NoError(t, err)
				f, err := s.Forward(x, fwant)
				require.NoError(t, err)
				require.Equal(t, batch, r.Batch())
				require.Equal(t, k, r.K())
				top := make([]T, 0, batch*k)
				for b := range batch {
					top = append(top, f.Y[b*n+n-k:(b+1)*n]...)
				}
				require.Equal(t, top, r.Top, "top values")
				y := make([]T, len(x))
				require.NoError(t, s.Sort(y, x))
				for b := range batch {
					require.Equal(t, top[b*k:(b+1)*k], y[b*n+n-k:(b+1)*n], "Sort")
				}
				if s.Plan().Swap.HardForward() {
					require.Equal(t, lastColumns(f.P(), n, k), r.X, "X")
				} else {
					require.LessOrEqual(t, relErrT(r.X, lastColumns(f.P(), n, k)), tolX, "X")
				}
				inf, err := s.ForwardTopK(x, 0)
				require.NoError(t, err)
				require.Equal(t, r.Top, inf.Top, "inference top values")
				require.Equal(t, r.X, inf.X, "inference X")
				if !grad {
					return
				}
				gtop := genRows[T](rng, batch, k)
				gX := genRows[T](rng, batch, n*k)
				gy, gP := fullGradients(gtop, gX, batch, n, k)
				want1, err := s.Backward(f, gy, gP)
				require.NoError(t, err)
				got, err := s.BackwardTopK(r, gtop, gX)
				require.NoError(t, err)
				require.LessOrEqual(t, relErrT(got, want1), tol, "dL/dx\n got %v\nwant %v", got, want1)
				// Either gradient alone, the other nil.
				want2, err := s.Backward(f, gy, nil)
				require.NoError(t, err)
				got, err = s.BackwardTopK(r, gtop, nil)
				require.NoError(t, err)
				require.Equal(t, want2, got, "dL/dtop alone: the same pass")
				gy0, _ := fullGradients(make([]T, batch*k), gX, batch, n, k)
				want3, err := s.Backward(f, gy0, gP)
				require.NoError(t, err)
				got, err = s.BackwardTopK(r, nil, gX)
				require.NoError(t, err)
				require.LessOrEqual(t, relErrT(got, want3), tol, "dL/dX alone")
			})
		}
	}
}

// topKLoss is L = sum(gtop*Top) + sum(gX*X), the reference file's loss.
func topKLoss(t *testing.T, s *Sorter[float64], x, gtop, gX []float64) float64 {
	r, err := s.ForwardTopK(x, 0)
	require.NoError(t, err)
	l := 0.0
	for i, v := range r.Top {
		l += gtop[i] * v
	}
	for i, v := range r.X {
		l += gX[i] * v
	}
	return l
}

// BackwardTopK is the derivative of the top-k pass: central finite
// differences in float64 for every soft swap.
func TestTopKFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 14))
	for _, tc := range []struct {
		network string
		n, k    int
	}{{"odd_even", 6, 2}, {"bitonic", 8, 3}, {plan.SplitterSelection, 10, 3}} {
		for _, swap := range []string{"logistic", "logistic_phi", "gaussian", "reciprocal", "cauchy", "optimal"} {
			t.Run(fmt.Sprintf("%s n=%d k=%d %s", tc.network, tc.n, tc.k, swap), func(t *testing.T) {
				n, k, batch := tc.n, tc.k, 2
				cfg := topKConfig(tc.network, n, k, swap, "")
				cfg.Steepness = 2
				s, err := New[float64](cfg)
				require.NoError(t, err)
				x := randRows(rng, batch, n, 1)
				gtop := randRows(rng, batch, k, 1)
				gX := randRows(rng, batch, n*k, 1)
				r, err := s.ForwardTopK(x, WantGrad)
				require.NoError(t, err)
				gx, err := s.BackwardTopK(r, gtop, gX)
				require.NoError(t, err)
				const h = 1e-6
				for i := range x {
					xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
					xp[i] += h
					xm[i] -= h
					fd := (topKLoss(t, s, xp, gtop, gX) - topKLoss(t, s, xm, gtop, gX)) / (2 * h)
					require.InDelta(t, fd, gx[i], 1e-6*math.Max(1, math.Abs(fd)), "dL/dx[%d]", i)
				}
			})
		}
	}
}

// Configuration errors: k out of range, a given network that does not
// select, a top-k call on a sorting sorter.
func TestTopKConfigErrors(t *testing.T) {
	for _, k := range []int{-1, 8, 9} {
		_, err := New[float64](topKConfig("odd_even", 8, k, "cauchy", ""))
		require.EqualError(t, err, fmt.Sprintf("runtime: TopK is %d, want 1 <= TopK < n = 8", k))
	}
	cfg := topKConfig("nope", 8, 2, "cauchy", "")
	_, err := New[float64](cfg)
	require.ErrorContains(t, err, `networks: unknown network "nope"`)
	_, err = New[float64](DefaultConfig(plan.SplitterSelection, 8, "cauchy"))
	require.EqualError(t, err, "runtime: splitter_selection is a selection network: set Config.TopK")

	// A sorting network selects; its top-3 part, a selection network, does
	// too; the first layer alone does not.
	nw, err := networks.ByName("odd_even", 8)
	require.NoError(t, err)
	cfg = topKConfig("", 0, 3, "cauchy", "")
	cfg.Net = nw
	s, err := New[float64](cfg)
	require.NoError(t, err)
	named, err := New[float64](topKConfig("odd_even", 8, 3, "cauchy", ""))
	require.NoError(t, err)
	require.True(t, s.Plan().Network.Equal(named.Plan().Network), "a given network is pruned as a named one")
	cfg.Net = s.Plan().Network
	_, err = New[float64](cfg)
	require.NoError(t, err)
	cfg.Net = &networks.Network{N: 8, Layers: nw.Layers[:1]}
	_, err = New[float64](cfg)
	var se *networks.SortError
	require.ErrorAs(t, err, &se)
	require.ErrorContains(t, err, "runtime: the network does not select the top 3")
	cfg.Net, cfg.N = nw, 6
	_, err = New[float64](cfg)
	require.EqualError(t, err, "runtime: config N=6 but the network has 8 wires")

	sorting, err := New[float64](DefaultConfig("odd_even", 8, "cauchy"))
	require.NoError(t, err)
	require.Zero(t, sorting.K())
	_, err = sorting.ForwardTopK(make([]float64, 8), WantGrad)
	require.EqualError(t, err, "runtime: the sorter is not a top-k sorter (set Config.TopK)")
	require.EqualError(t, sorting.BackwardTopKInto(make([]float64, 8), &TopKResult[float64]{}, nil, nil),
		"runtime: the sorter is not a top-k sorter (set Config.TopK)")
}

// Bad arguments of the top-k passes are errors, never a panic.
func TestTopKErrors(t *testing.T) {
	const n, k, batch = 6, 2, 2
	s, err := New[float64](topKConfig("odd_even", n, k, "cauchy", ""))
	require.NoError(t, err)
	other, err := New[float64](topKConfig("odd_even", n, k, "cauchy", ""))
	require.NoError(t, err)
	hard, err := New[float64](topKConfig("odd_even", n, k, "hard", ""))
	require.NoError(t, err)
	x := randRows(rand.New(rand.NewPCG(1, 1)), batch, n, 1)
	r, err := s.ForwardTopK(x, WantGrad)
	require.NoError(t, err)
	inf, err := s.ForwardTopK(x, 0)
	require.NoError(t, err)
	gx, gtop, gX := make([]float64, batch*n), make([]float64, batch*k), make([]float64, batch*n*k)
	bad := append([]float64(nil), gX...)
	bad[5] = math.Inf(1)
	nanX := append([]float64(nil), x...)
	nanX[7] = math.NaN()
	const nilResult = "runtime: the result is nil (pass the address of a TopKResult, which may be the zero value)"
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"ForwardTopK nil x", func() error { _, err := s.ForwardTopK(nil, WantGrad); return err }, "runtime: x has length 0, not a positive multiple of n=6"},
		{"ForwardTopK short x", func() error { _, err := s.ForwardTopK(x[:5], WantGrad); return err }, "runtime: x has length 5, not a positive multiple of n=6"},
		{"ForwardTopK NaN", func() error { _, err := s.ForwardTopK(nanX, WantGrad); return err }, "runtime: input is NaN or infinite: x[7] (row 1) = NaN"},
		{"ForwardTopK WantP", func() error { _, err := s.ForwardTopK(x, WantP|WantGrad); return err }, "runtime: ForwardTopK does not compute P (X is its last k columns): use Forward for P"},
		{"ForwardTopKInto nil result", func() error { return s.ForwardTopKInto(nil, x, 0) }, nilResult},
		{"ForwardTopK hard WantGrad", func() error { _, err := hard.ForwardTopK(x, WantGrad); return err }, "runtime: swap hard is not differentiable"},
		{"BackwardTopK nil result", func() error { _, err := s.BackwardTopK(nil, gtop, gX); return err }, nilResult},
		{"BackwardTopKInto nil result", func() error { return s.BackwardTopKInto(gx, nil, gtop, gX) }, nilResult},
		{"BackwardTopK other sorter", func() error { _, err := other.BackwardTopK(r, gtop, gX); return err }, "runtime: result does not come from this sorter"},
		{"BackwardTopK no WantGrad", func() error { _, err := s.BackwardTopK(inf, gtop, gX); return err }, "runtime: backward needs a forward pass with WantGrad"},
		{"BackwardTopK zero result", func() error { _, err := s.BackwardTopK(&TopKResult[float64]{}, gtop, gX); return err }, "runtime: result does not come from this sorter"},
		{"BackwardTopKInto short gx", func() error { return s.BackwardTopKInto(gx[:3], r, gtop, gX) }, "runtime: gx has length 3, want 12"},
		{"BackwardTopKInto short gtop", func() error { return s.BackwardTopKInto(gx, r, gtop[:3], gX) }, "runtime: gtop has length 3, want 4 (batch x k)"},
		{"BackwardTopKInto short gX", func() error { return s.BackwardTopKInto(gx, r, gtop, gX[:3]) }, "runtime: gX has length 3, want 24 (batch x n x k)"},
		{"BackwardTopKInto Inf gX", func() error { return s.BackwardTopKInto(gx, r, gtop, bad) }, "runtime: input is NaN or infinite: gX[5] = +Inf"},
		{"BackwardTopKInto Inf gtop", func() error { return s.BackwardTopKInto(gx, r, bad[4:8], nil) }, "runtime: input is NaN or infinite: gtop[1] = +Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			require.EqualError(t, err, tc.want)
		})
	}
	// A switched backend is refused (the tapes are laid out per backend).
	r.backend = "generated/avx2 elsewhere"
	require.ErrorContains(t, s.BackwardTopKInto(gx, r, gtop, gX), "runtime: the forward pass ran on generated/avx2 elsewhere, the backend is now interpreter")
}

// A steady top-k training loop allocates nothing, on one goroutine and on
// two.
func TestTopKAllocatesNothing(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(2))
	for _, workers := range []int{1, 2} {
		cfg := topKConfig(plan.SplitterSelection, 32, 4, "errorfree", "")
		cfg.Workers = workers
		s, err := New[float32](cfg)
		require.NoError(t, err)
		const batch = 64
		rng := rand.New(rand.NewPCG(2, 3))
		x := genRows[float32](rng, batch, 32)
		gtop, gX := genRows[float32](rng, batch, 4), genRows[float32](rng, batch, 32*4)
		gx := make([]float32, batch*32)
		var r TopKResult[float32]
		step := func() {
			require.NoError(t, s.ForwardTopKInto(&r, x, WantGrad))
			require.NoError(t, s.BackwardTopKInto(gx, &r, gtop, gX))
			require.NoError(t, s.ForwardTopKInto(&r, x, 0))
		}
		step()
		// As in TestTopKCrossEntropyAllocatesNothing.
		goruntime.GC()
		require.Zero(t, testing.AllocsPerRun(100, step), "Workers %d", workers)
	}
}

// A generated top-k kernel is called through registry.Funcs: here one
// that runs the interpreter, so the results are the interpreter's
// bitwise, and switching its AVX2 setting between the passes is refused.
// (A real registration would show in registry.All for the other tests.)
func TestTopKGeneratedKernel(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(2))
	cfg := topKConfig(plan.SplitterSelection, 12, 3, "errorfree", "")
	cfg.Workers = 2
	ref, err := New[float64](cfg)
	require.NoError(t, err)
	s, err := New[float64](cfg)
	require.NoError(t, err)
	ip := ref.ip
	var calls atomic.Int32
	f := &registry.Funcs[float64]{
		Sort:      func(y, x []float64, beta, lambda float64) error { return nil },
		Forward:   func(y, tape, x []float64, beta, lambda float64) error { return nil },
		ForwardP:  func(y, pt, tape, diff, x []float64, beta, lambda float64) error { return nil },
		Backward:  func(gx, gy, tape []float64) error { return nil },
		BackwardP: func(gx, gy, gpt, tape, diff []float64) error { return nil },
		ForwardTopK: func(top, xk, tape, xtape, x []float64, beta, lambda float64) error {
			calls.Add(1)
			ip.forwardTopK(top, xk, tape, xtape, x)
			return nil
		},
		BackwardTopK: func(gx, gtop, gxk, tape, xtape []float64) error {
			calls.Add(1)
			ip.backwardTopK(gx, gtop, gxk, tape, xtape)
			return nil
		},
	}
	p := s.Plan()
	require.True(t, funcsFor(p, f))
	noBackward := *f
	noBackward.BackwardTopK = nil
	require.False(t, funcsFor(p, &noBackward))
	hard, err := New[float64](topKConfig(plan.SplitterSelection, 12, 3, "hard", ""))
	require.NoError(t, err)
	require.True(t, funcsFor(hard.Plan(), &noBackward), "hard needs no backward pass")
	noForward := noBackward
	noForward.ForwardTopK = nil
	require.False(t, funcsFor(hard.Plan(), &noForward))
	sorting, err := New[float64](DefaultConfig("odd_even", 12, "cauchy"))
	require.NoError(t, err)
	require.True(t, funcsFor(sorting.Plan(), &noForward), "a sorting plan needs no top-k entry points")

	level := "go"
	s.k = &generatedKernel[float64]{k: &registry.Kernel{Package: "fake", Level: func() string { return level }}, f: f,
		beta: cfg.Steepness, lambda: cfg.ARTLambda, names: map[string]string{"go": "generated/go fake"}}
	require.Equal(t, "generated/go fake", s.Backend())
	rng := rand.New(rand.NewPCG(8, 8))
	const batch = 40
	x := genRows[float64](rng, batch, 12)
	gtop, gX := genRows[float64](rng, batch, 3), genRows[float64](rng, batch, 36)
	want, err := ref.ForwardTopK(x, WantGrad)
	require.NoError(t, err)
	got, err := s.ForwardTopK(x, WantGrad)
	require.NoError(t, err)
	require.Equal(t, want.Top, got.Top)
	require.Equal(t, want.X, got.X)
	wantG, err := ref.BackwardTopK(want, gtop, gX)
	require.NoError(t, err)
	gotG, err := s.BackwardTopK(got, gtop, gX)
	require.NoError(t, err)
	require.Equal(t, wantG, gotG)
	require.GreaterOrEqual(t, calls.Load(), int32(2))
	level = "avx512"
	_, err = s.BackwardTopK(got, gtop, gX)
	require.EqualError(t, err, "runtime: the forward pass ran on generated/go fake, the backend is now generated/avx512 fake (SetLevel was called in between): run the forward pass again")
}

// StepBCE and BCEPT train on the whole of P: a top-k sorter refuses them.
func TestTopKRefusesBCE(t *testing.T) {
	cfg := DefaultConfig("bitonic", 8, "cauchy")
	cfg.TopK = 2
	s, err := New[float64](cfg)
	require.NoError(t, err)
	x := []float64{3, 1, 4, 1.5, 5, 9, 2, 6}
	ranks := []int{3, 0, 4, 1, 5, 7, 2, 6}
	var r Result[float64]
	gx := make([]float64, 8)
	_, err = s.StepBCE(gx, &r, x, ranks)
	require.ErrorIs(t, err, ErrTopKBCE)
	_, err = s.BCEPT(make([]float64, 64), make([]float64, 64), ranks)
	require.ErrorIs(t, err, ErrTopKBCE)
	cfg.TopK = 0
	s, err = New[float64](cfg)
	require.NoError(t, err)
	_, err = s.StepBCE(gx, &r, x, ranks)
	require.NoError(t, err)
}
