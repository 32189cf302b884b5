package runtime

import (
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/networks"
)

var allSwaps = []struct{ swap, base string }{
	{"logistic", ""}, {"logistic_phi", ""}, {"gaussian", ""}, {"reciprocal", ""},
	{"cauchy", ""}, {"optimal", ""}, {"hard", ""},
	{"errorfree", ""}, {"errorfree", "logistic"}, {"errorfree", "gaussian"}, {"errorfree", "optimal"},
}

func randRows(rng *rand.Rand, batch, n int, scale float64) []float64 {
	x := make([]float64, batch*n)
	for i := range x {
		x[i] = scale * rng.NormFloat64()
	}
	return x
}

// loss is L = sum(gy*y) + sum(gP*P), the reference file's loss.
func loss(t *testing.T, s *Sorter[float64], x, gy, gP []float64) float64 {
	r, err := s.Forward(x, WantP)
	require.NoError(t, err)
	l := 0.0
	for i, v := range r.Y {
		l += gy[i] * v
	}
	for i, v := range r.P() {
		l += gP[i] * v
	}
	return l
}

func TestGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sw := range allSwaps {
		if sw.swap == "hard" || sw.swap == "errorfree" {
			// errorfree's gradient is the soft base's along the hard
			// trajectory, not the derivative of any function of x: the
			// reference cases check it (bases logistic, cauchy, optimal).
			continue
		}
		for _, net := range []string{"odd_even", "bitonic"} {
			for _, n := range []int{2, 5, 8} {
				if net == "bitonic" && n&(n-1) != 0 {
					continue
				}
				cfg := DefaultConfig(net, n, sw.swap)
				cfg.Base, cfg.Steepness, cfg.ARTLambda = sw.base, 3, 0.4
				s, err := New[float64](cfg)
				require.NoError(t, err)
				const batch = 3
				x := randRows(rng, batch, n, 1)
				gy := randRows(rng, batch, n, 1)
				gP := randRows(rng, batch, n*n, 1)
				r, err := s.Forward(x, WantP|WantGrad)
				require.NoError(t, err)
				gx, err := s.Backward(r, gy, gP)
				require.NoError(t, err)
				const h = 1e-6
				for i := range x {
					xp, xm := slices.Clone(x), slices.Clone(x)
					xp[i] += h
					xm[i] -= h
					want := (loss(t, s, xp, gy, gP) - loss(t, s, xm, gy, gP)) / (2 * h)
					require.InDelta(t, want, gx[i], 1e-6*math.Max(1, math.Abs(want)), "%s %s n=%d x[%d]", net, sw.swap, n, i)
				}
			}
		}
	}
}

func TestForwardProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sw := range allSwaps {
		for _, net := range []string{"odd_even", "bitonic"} {
			for _, n := range []int{2, 3, 7, 16} {
				if net == "bitonic" && n&(n-1) != 0 {
					continue
				}
				cfg := DefaultConfig(net, n, sw.swap)
				cfg.Base = sw.base
				s, err := New[float64](cfg)
				require.NoError(t, err)
				const batch = 9
				x := randRows(rng, batch, n, 0.3)
				// A tie: hard swaps must keep the order, soft ones mix evenly.
				x[1] = x[0]
				r, err := s.Forward(x, WantP)
				require.NoError(t, err)
				P := r.P()
				for b := 0; b < batch; b++ {
					xb, yb, pb := x[b*n:(b+1)*n], r.Y[b*n:(b+1)*n], P[b*n*n:(b+1)*n*n]
					// y = x @ P
					for j := 0; j < n; j++ {
						v := 0.0
						for i := 0; i < n; i++ {
							v += xb[i] * pb[i*n+j]
						}
						require.InDelta(t, v, yb[j], 1e-12, "y = x@P")
					}
					// doubly stochastic
					for i := 0; i < n; i++ {
						row, col := 0.0, 0.0
						for j := 0; j < n; j++ {
							row += pb[i*n+j]
							col += pb[j*n+i]
							require.GreaterOrEqual(t, pb[i*n+j], 0.0)
						}
						require.InDelta(t, 1, row, 1e-12)
						require.InDelta(t, 1, col, 1e-12)
					}
					if sw.swap == "hard" || sw.swap == "errorfree" {
						require.Equal(t, slices.Sorted(slices.Values(xb)), yb, "exactly sorted")
						for i := 0; i < n; i++ {
							for j := 0; j < n; j++ {
								v := pb[i*n+j]
								require.True(t, v == 0 || v == 1, "exact permutation")
								if v == 1 {
									require.Equal(t, xb[i], yb[j])
								}
							}
						}
					} else {
						// relaxed values stay within the inputs' range
						lo, hi := slices.Min(xb), slices.Max(xb)
						for _, v := range yb {
							require.True(t, v >= lo-1e-12 && v <= hi+1e-12)
						}
					}
				}
				ranks := r.Ranks()
				for b := 0; b < batch; b++ {
					for i := 0; i < n; i++ {
						v := 0.0
						for j := 0; j < n; j++ {
							v += P[b*n*n+i*n+j] * float64(j)
						}
						require.InDelta(t, v, ranks[b*n+i], 1e-12)
					}
				}
			}
		}
	}
}

// A hard sorter keeps equal items in input order: the tie is never swapped.
func TestHardTieKeepsOrder(t *testing.T) {
	s, err := New[float64](DefaultConfig("odd_even", 3, "hard"))
	require.NoError(t, err)
	r, err := s.Forward([]float64{2, 1, 2}, WantP)
	require.NoError(t, err)
	require.Equal(t, []float64{1, 2, 2}, r.Y)
	// input 0 goes to position 1, input 2 to position 2
	require.Equal(t, []float64{0, 1, 0, 1, 0, 0, 0, 0, 1}, r.P())
}

func TestConfigErrors(t *testing.T) {
	good := DefaultConfig("odd_even", 4, "cauchy")
	nw, err := networks.OddEven(5)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		msg  string
	}{
		{"n<2", func(c *Config) { c.N = 1 }, "at least 2"},
		{"unknown network", func(c *Config) { c.Network = "nope" }, "unknown network"},
		{"unknown swap", func(c *Config) { c.Swap = "sigmoidal" }, "unknown swap"},
		{"base without errorfree", func(c *Config) { c.Base = "logistic" }, "only applies"},
		{"hard base", func(c *Config) { c.Swap, c.Base = "errorfree", "hard" }, "soft base"},
		{"zero steepness", func(c *Config) { c.Steepness = 0 }, "steepness"},
		{"negative steepness", func(c *Config) { c.Steepness = -1 }, "steepness"},
		{"NaN steepness", func(c *Config) { c.Steepness = math.NaN() }, "steepness"},
		{"negative lambda", func(c *Config) { c.ARTLambda = -0.1 }, "lambda"},
		{"N disagrees with Net", func(c *Config) { c.Net = nw }, "wires"},
		{"invalid Net", func(c *Config) {
			c.Net, c.N = &networks.Network{N: 4, Layers: [][]networks.Comparator{{{P: 0, Q: 0}}}}, 0
		}, "p == q"},
		{"network that does not sort", func(c *Config) {
			c.Net, c.N = &networks.Network{N: 3, Layers: [][]networks.Comparator{{{P: 0, Q: 1}}}}, 0
		}, "not a sorting network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			_, err := New[float64](cfg)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	// A partial network is accepted when asked for.
	cfg := good
	cfg.Net, cfg.N, cfg.Partial = &networks.Network{N: 3, Layers: [][]networks.Comparator{{{P: 0, Q: 1}}}}, 0, true
	_, err = New[float64](cfg)
	require.NoError(t, err)
}

func TestInputErrors(t *testing.T) {
	s, err := New[float32](DefaultConfig("odd_even", 3, "cauchy"))
	require.NoError(t, err)
	nan := float32(math.NaN())
	inf := float32(math.Inf(-1))
	for _, tc := range []struct {
		name string
		x    []float32
		msg  string
	}{
		{"empty", nil, "not a positive multiple"},
		{"ragged", []float32{1, 2, 3, 4}, "not a positive multiple"},
		{"NaN", []float32{1, nan, 3}, "NaN or infinite"},
		{"Inf", []float32{1, 2, 3, 4, 5, inf}, "row 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Forward(tc.x, WantP)
			require.ErrorContains(t, err, tc.msg)
			y := make([]float32, len(tc.x))
			require.ErrorContains(t, s.Sort(y, tc.x), tc.msg)
		})
	}
	require.ErrorContains(t, s.Sort(make([]float32, 2), []float32{1, 2, 3}), "length")

	r, err := s.Forward([]float32{3, 1, 2}, WantP)
	require.NoError(t, err)
	_, err = s.Backward(r, []float32{1, 0, 0}, nil)
	require.ErrorContains(t, err, "WantGrad")
	r, err = s.Forward([]float32{3, 1, 2}, WantGrad)
	require.NoError(t, err)
	_, err = s.Backward(r, nil, make([]float32, 9))
	require.ErrorContains(t, err, "WantP|WantGrad")
	_, err = s.Backward(r, []float32{1, 0}, nil)
	require.ErrorContains(t, err, "gy has length")
	_, err = s.Backward(r, []float32{1, nan, 0}, nil)
	require.ErrorContains(t, err, "NaN")

	h, err := New[float32](DefaultConfig("odd_even", 3, "hard"))
	require.NoError(t, err)
	_, err = h.Forward([]float32{3, 1, 2}, WantGrad)
	require.ErrorContains(t, err, "not differentiable")
	other, err := New[float32](DefaultConfig("odd_even", 3, "cauchy"))
	require.NoError(t, err)
	_, err = other.Backward(r, []float32{1, 0, 0}, nil)
	require.ErrorContains(t, err, "not come from this sorter")
}

// Splitting a batch across goroutines must not change any number, for
// batches of every shape and for calls that reuse the sorter's pool
// (more processors than this machine may have, so that chunks interleave).
func TestParallelMatchesSerial(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(4))
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 8
	sorters := map[int]*Sorter[float64]{}
	for _, workers := range []int{1, 2, 4} {
		cfg := DefaultConfig("bitonic", n, "logistic")
		cfg.Workers = workers
		s, err := New[float64](cfg)
		require.NoError(t, err)
		sorters[workers] = s
	}
	for _, batch := range []int{1, 15, 16, 17, 64, 203, 256, 203} {
		x := randRows(rng, batch, n, 1)
		gy := randRows(rng, batch, n, 1)
		gP := randRows(rng, batch, n*n, 1)
		ranks := make([]int, batch*n)
		for b := range batch {
			copy(ranks[b*n:], rng.Perm(n))
		}
		var outs [][]float64
		var losses []float64
		for _, workers := range []int{1, 2, 4} {
			s := sorters[workers]
			r, err := s.Forward(x, WantP|WantGrad)
			require.NoError(t, err)
			gx, err := s.Backward(r, gy, gP)
			require.NoError(t, err)
			gpt := make([]float64, batch*n*n)
			loss, err := s.BCEPT(gpt, r.PT(), ranks)
			require.NoError(t, err)
			y := make([]float64, len(x))
			require.NoError(t, s.Sort(y, x))
			outs = append(outs, slices.Concat(r.Y, r.P(), gx, gpt, y))
			losses = append(losses, loss)
		}
		for i := 1; i < len(outs); i++ {
			require.Equal(t, outs[0], outs[i], "batch %d", batch)
			// The loss is summed per chunk: the order of the sum may differ.
			require.InDelta(t, losses[0], losses[i], 1e-12*math.Abs(losses[0]), "batch %d", batch)
		}
	}
}

// A NaN in dL/dP is reported, on every backend, as an error naming it.
func TestNonFiniteGP(t *testing.T) {
	for _, backend := range []Backend{Interpreter, Generated} {
		cfg := DefaultConfig("bitonic", 32, "cauchy")
		cfg.Backend = backend
		s, err := New[float32](cfg)
		require.NoError(t, err)
		x := make([]float32, 32*9)
		for i := range x {
			x[i] = float32(i % 7)
		}
		r, err := s.Forward(x, WantP|WantGrad)
		require.NoError(t, err)
		gP := make([]float32, 32*32*9)
		gP[32*32*8+5] = float32(math.Inf(1))
		_, err = s.Backward(r, nil, gP)
		require.ErrorIs(t, err, ErrNotFinite, backend.String())
		require.ErrorContains(t, err, "gP")
	}
}
