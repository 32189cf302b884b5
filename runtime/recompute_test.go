package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// A segmented pass recomputes the column differences with the forward
// pass's own code, so everything it returns is bitwise what the whole-tape
// pass of the interpreter returns: for every network, size, swap, type,
// batch (splits across goroutines included) and segmentation, whether
// segments are one comparator, end inside a layer, or are chosen for
// memory.
func TestRecomputeMatchesWholeTape(t *testing.T) {
	defer goruntime.GOMAXPROCS(max(2, goruntime.GOMAXPROCS(0)))
	for _, net := range []string{"odd_even", "bitonic", "best"} {
		for _, n := range []int{5, 16, 33} {
			for _, swap := range []string{"cauchy", "logistic", "errorfree"} {
				cfg := DefaultConfig(net, n, swap)
				cfg.Backend = Interpreter
				name := fmt.Sprintf("%s/n=%d/%s", net, n, swap)
				t.Run(name+"/float32", func(t *testing.T) { segmentedMatches[float32](t, cfg) })
				t.Run(name+"/float64", func(t *testing.T) { segmentedMatches[float64](t, cfg) })
			}
		}
	}
}

func segmentedMatches[T Float](t *testing.T, cfg Config) {
	whole, err := New[T](cfg)
	require.NoError(t, err)
	steps := len(whole.Plan().Steps)
	rng := rand.New(rand.NewPCG(uint64(cfg.N), uint64(steps)))
	// Each batch once; the sorters and results are reused across batches
	// so that buffers sized for another batch or segmentation are too.
	type variant struct {
		segSteps, workers int
		s                 *Sorter[T]
		r                 Result[T]
	}
	var vs []*variant
	for _, segSteps := range []int{1, 3, 0} {
		for _, workers := range []int{1, 2} {
			c := cfg
			c.MaxTapeBytes, c.SegmentSteps, c.Workers = -1, segSteps, workers
			s, err := New[T](c)
			require.NoError(t, err)
			vs = append(vs, &variant{segSteps: segSteps, workers: workers, s: s})
		}
	}
	var rw Result[T]
	for _, batch := range []int{1, 7, 9, 100} {
		n := cfg.N
		x := convert[T](nil, randRows(rng, batch, n, 1))
		x[1] = x[0] // a tie
		gy := convert[T](nil, randRows(rng, batch, n, 1))
		gP := convert[T](nil, randRows(rng, batch, n*n, 1))
		require.NoError(t, whole.ForwardInto(&rw, x, WantP|WantGrad))
		require.Zero(t, rw.Segments())
		gx, err := whole.Backward(&rw, gy, gP)
		require.NoError(t, err)
		gxY, err := whole.Backward(&rw, gy, nil)
		require.NoError(t, err)
		for _, v := range vs {
			what := fmt.Sprintf("batch %d, SegmentSteps %d, Workers %d", batch, v.segSteps, v.workers)
			require.NoError(t, v.s.ForwardInto(&v.r, x, WantP|WantGrad), what)
			segs := v.r.Segments()
			switch v.segSteps {
			case 0:
				require.GreaterOrEqual(t, segs, 1, what)
			default:
				require.Equal(t, (steps+v.segSteps-1)/v.segSteps, segs, what)
			}
			require.Equal(t, rw.Y, v.r.Y, what+": y")
			require.Equal(t, rw.P(), v.r.P(), what+": P")
			require.Equal(t, rw.tape, v.r.tape, what+": tape")
			got, err := v.s.Backward(&v.r, gy, gP)
			require.NoError(t, err, what)
			require.Equal(t, gx, got, what+": dL/dx from dL/dy and dL/dP")
			got, err = v.s.Backward(&v.r, gy, nil)
			require.NoError(t, err, what)
			require.Equal(t, gxY, got, what+": dL/dx from dL/dy")
			// BackwardPT, with dL/dy nil and gx aliasing nothing.
			gpt := make([]T, len(gP))
			transpose(gpt, gP, n)
			want := make([]T, len(x))
			require.NoError(t, whole.BackwardPT(want, &rw, nil, slices.Clone(gpt)))
			got = make([]T, len(x))
			require.NoError(t, v.s.BackwardPT(got, &v.r, nil, gpt), what)
			require.Equal(t, want, got, what+": dL/dx from dL/dP")
		}
	}
}

// The gradient through P of a segmented pass is the derivative of the
// loss (central differences, float64).
func TestRecomputeFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cfg := DefaultConfig("odd_even", 7, "logistic")
	cfg.Steepness, cfg.MaxTapeBytes, cfg.SegmentSteps = 3, -1, 4
	s, err := New[float64](cfg)
	require.NoError(t, err)
	const batch, n = 3, 7
	x := randRows(rng, batch, n, 1)
	gy := randRows(rng, batch, n, 1)
	gP := randRows(rng, batch, n*n, 1)
	r, err := s.Forward(x, WantP|WantGrad)
	require.NoError(t, err)
	require.Equal(t, 6, r.Segments()) // 21 comparators in 7 layers, by 4
	gx, err := s.Backward(r, gy, gP)
	require.NoError(t, err)
	const h = 1e-6
	for i := range x {
		xp, xm := slices.Clone(x), slices.Clone(x)
		xp[i] += h
		xm[i] -= h
		want := (loss(t, s, xp, gy, gP) - loss(t, s, xm, gy, gP)) / (2 * h)
		require.InDelta(t, want, gx[i], 1e-6*math.Max(1, math.Abs(want)), "x[%d]", i)
	}
}

// MaxTapeBytes decides per call: a pass runs in segments when batch*DiffLen
// elements would exceed it.
func TestRecomputeWhen(t *testing.T) {
	cfg := DefaultConfig("bitonic", 16, "cauchy")
	s, err := New[float32](cfg)
	require.NoError(t, err)
	diffLen := s.Plan().DiffLen
	cfg.MaxTapeBytes = int64(10 * diffLen * 4)
	s, err = New[float32](cfg)
	require.NoError(t, err)
	for _, tc := range []struct {
		batch     int
		segmented bool
	}{{1, false}, {10, false}, {11, true}, {100, true}} {
		x := genRows[float32](rand.New(rand.NewPCG(1, uint64(tc.batch))), tc.batch, 16)
		r, err := s.Forward(x, WantP|WantGrad)
		require.NoError(t, err)
		require.Equal(t, tc.segmented, r.Segments() > 0, "batch %d", tc.batch)
		// Without WantGrad or without WantP there is no tape to split.
		for _, want := range []Want{WantP, WantGrad} {
			r, err := s.Forward(x, want)
			require.NoError(t, err)
			require.Zero(t, r.Segments())
		}
	}
	// The default bound: 512 MiB.
	s, err = New[float32](DefaultConfig("bitonic", 16, "cauchy"))
	require.NoError(t, err)
	require.False(t, s.segmented(DefaultMaxTapeBytes/(4*diffLen)))
	require.True(t, s.segmented(DefaultMaxTapeBytes/(4*diffLen)+1))
	cfg.SegmentSteps = -1
	_, err = New[float32](cfg)
	require.ErrorContains(t, err, "SegmentSteps")
}

// A sorter with a generated kernel runs a segmented pass on the
// interpreter: the results agree with the kernel's to its tolerance, and a
// backward pass is not refused when the kernel's level changed.
func TestRecomputeOnGeneratedSorter(t *testing.T) {
	cfg := DefaultConfig("odd_even", 16, "cauchy")
	gen, err := New[float32](cfg)
	require.NoError(t, err)
	g, ok := gen.k.(*generatedKernel[float32])
	if !ok {
		t.Skip("no generated kernel for odd_even n=16 cauchy float32")
	}
	cfg.MaxTapeBytes = -1
	segmented, err := New[float32](cfg)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 1))
	x := genRows[float32](rng, 9, 16)
	gy, gP := genRows[float32](rng, 9, 16), genRows[float32](rng, 9*16, 16)
	rg, err := gen.Forward(x, WantP|WantGrad)
	require.NoError(t, err)
	rc, err := segmented.Forward(x, WantP|WantGrad)
	require.NoError(t, err)
	require.Positive(t, rc.Segments())
	requireRel(t, "y", rc.Y, rg.Y, 1e-5)
	requireRel(t, "P", rc.PT(), rg.PT(), 1e-5)
	want, err := gen.Backward(rg, gy, gP)
	require.NoError(t, err)
	other := otherLevel(g.k.Levels(), g.k.Level())
	prev, err := g.k.SetLevel(other)
	require.NoError(t, err)
	t.Cleanup(func() { g.k.SetLevel(prev) })
	got, err := segmented.Backward(rc, gy, gP)
	require.NoError(t, err)
	requireRowRel(t, "dL/dx", got, want, 16, 1e-5)
}

// Segments partition the steps, in order, none empty; chosen for memory
// they carry about equal shares of the differences.
func TestRecomputeSegments(t *testing.T) {
	for _, tc := range []struct {
		net   string
		n     int
		k     int
		steps int
	}{
		{"odd_even", 33, 1, 0}, {"odd_even", 33, 5, 0}, {"odd_even", 33, 528, 0}, {"odd_even", 33, 10000, 0},
		{"bitonic", 64, 4, 0}, {"bitonic", 64, 3, 0}, {"bitonic", 64, 0, 7}, {"best", 5, 0, 1}, {"best", 5, 0, 100},
	} {
		nw, err := networks.ByName(tc.net, tc.n)
		require.NoError(t, err)
		p, err := plan.New(tc.net, nw, plan.Swap{Func: plan.Cauchy}, plan.Float64)
		require.NoError(t, err)
		segs, most := appendSegments(nil, p, tc.k, tc.steps)
		what := fmt.Sprintf("%+v: %v", tc, segs)
		require.Equal(t, 0, segs[0], what)
		require.Equal(t, len(p.Steps), segs[len(segs)-1], what)
		largest := 0
		for i := 1; i < len(segs); i++ {
			require.Less(t, segs[i-1], segs[i], what)
			largest = max(largest, diffOffset(p, segs[i])-diffOffset(p, segs[i-1]))
		}
		require.Equal(t, largest, most, what)
		if tc.steps > 0 {
			require.Len(t, segs, (len(p.Steps)+tc.steps-1)/tc.steps+1, what)
			continue
		}
		require.LessOrEqual(t, len(segs)-1, tc.k, what)
		if tc.k <= 5 {
			require.Len(t, segs, tc.k+1, what)
		}
		// No segment is more than one comparator's worth past its share.
		widest := 0
		for _, st := range p.Steps {
			widest = max(widest, st.RowCount)
		}
		require.LessOrEqual(t, most, p.DiffLen/tc.k+widest, what)
	}
	// The count: one segment when the goroutines' differences cost less
	// than one snapshot per row, sqrt(g*DiffLen/(batch*(n^2+n))) otherwise.
	nw, err := networks.ByName("bitonic", 1024)
	require.NoError(t, err)
	p, err := plan.New("bitonic", nw, plan.Swap{Func: plan.Cauchy}, plan.Float32)
	require.NoError(t, err)
	require.Equal(t, 1, segmentCount(p, 16, 1))
	require.Equal(t, 3, segmentCount(p, 1, 1)) // sqrt(9.4M / 1.05M) = 2.99
	require.Equal(t, 1, segmentCount(p, 1000, 2))
}

// ForwardBytes counts what a pass keeps and borrows.
func TestForwardBytes(t *testing.T) {
	for _, maxTape := range []int64{0, -1} {
		cfg := DefaultConfig("odd_even", 33, "cauchy")
		cfg.MaxTapeBytes, cfg.Workers = maxTape, 1
		s, err := New[float64](cfg)
		require.NoError(t, err)
		for _, want := range []Want{WantP, WantGrad, WantP | WantGrad} {
			const batch = 5
			r, err := s.Forward(genRows[float64](rand.New(rand.NewPCG(1, 1)), batch, 33), want)
			require.NoError(t, err)
			elems := len(r.Y) + len(r.pt) + len(r.tape) + len(r.diff) + len(r.snap)
			if r.snap != nil {
				elems += scratchLen(33, r.segDiff)
			}
			require.Equal(t, int64(8*elems), s.ForwardBytes(batch, want), "MaxTapeBytes %d want %d", maxTape, want)
		}
	}
}

// A training step of a segmented pass allocates nothing once warm, on
// one goroutine and split across two (each borrowing its scratch).
func TestRecomputeAllocatesNothing(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(2))
	for _, workers := range []int{1, 2} {
		cfg := DefaultConfig("bitonic", 16, "cauchy")
		cfg.MaxTapeBytes, cfg.SegmentSteps, cfg.Workers = -1, 5, workers
		s, err := New[float32](cfg)
		require.NoError(t, err)
		const batch = 64
		rng := rand.New(rand.NewPCG(2, 2))
		x := genRows[float32](rng, batch, 16)
		ranks := make([]int, batch*16)
		for b := range batch {
			copy(ranks[b*16:], rng.Perm(16))
		}
		var r Result[float32]
		gpt, gx := make([]float32, batch*16*16), make([]float32, batch*16)
		step := func() {
			require.NoError(t, s.ForwardInto(&r, x, WantP|WantGrad))
			_, err := s.BCEPT(gpt, r.PT(), ranks)
			require.NoError(t, err)
			require.NoError(t, s.BackwardPT(gx, &r, nil, gpt))
		}
		step()
		require.Positive(t, r.Segments())
		require.Zero(t, testing.AllocsPerRun(20, step), "Workers %d", workers)
	}
}

// otherLevel is a level of levels other than current, or current if it is
// the only one.
func otherLevel(levels []string, current string) string {
	for _, l := range levels {
		if l != current {
			return l
		}
	}
	return current
}
