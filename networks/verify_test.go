package networks

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// diffsortBitonic is diffsort's own bitonic network for any n: the layout
// for the next power of two keeping only the top n wires (renumbered from
// 0) and the comparators between them, reversed ones included.
func diffsortBitonic(t testing.TB, n int) *Network {
	size := nextPow2(n)
	off := size - n
	var cs []Comparator
	for _, c := range mustByName(t, "bitonic", size).Comparators() {
		if c.P >= off && c.Q >= off {
			cs = append(cs, Comparator{c.P - off, c.Q - off})
		}
	}
	nw, err := FromFlat(n, cs)
	require.NoError(t, err)
	return nw
}

// requireCounterexample checks that the network really gets ce wrong.
func requireCounterexample(t testing.TB, nw *Network, ce []int) {
	t.Helper()
	require.Len(t, ce, nw.N)
	x := make([]float64, nw.N)
	for i, v := range ce {
		x[i] = float64(v)
	}
	require.NoError(t, nw.Apply(x))
	require.False(t, slices.IsSorted(x), "counterexample %v is sorted to %v", ce, x)
}

// TestDiffsortBitonicFails reproduces the SPEC: diffsort's way of dropping
// wires does not sort for n = 22 (found exhaustively) and 38, 42-46, 54, 70
// (found on random inputs), and sorts for every other n up to 72.
func TestDiffsortBitonicFails(t *testing.T) {
	var failing []int
	for n := 2; n <= 72; n++ {
		nw := diffsortBitonic(t, n)
		v, err := Verify(nw)
		if v.Sorts {
			require.NoError(t, err)
			continue
		}
		var se *SortError
		require.ErrorAs(t, err, &se)
		require.Equal(t, v, se.Verdict)
		requireCounterexample(t, nw, v.Counterexample)
		if n == 22 {
			require.Equal(t, Exhaustive, v.Method)
		}
		failing = append(failing, n)
	}
	require.Equal(t, []int{22, 38, 42, 43, 44, 45, 46, 54, 70}, failing)
}

// TestRemovedComparatorFails checks that Verify notices a missing
// comparator. n = 10 is proven optimal at 29 comparators, so every single
// removal must fail; the larger ones fail as it happens.
func TestRemovedComparatorFails(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		remove []int // indices into Comparators; nil for all
		method Method
	}{
		{"best", 10, nil, Exhaustive},
		{"odd_even", 12, []int{0, 30, 65}, Exhaustive},
		{"bitonic", 32, []int{0, 100, 239}, Exhaustive},
		{"best", 31, []int{0, 90, 179}, Exhaustive},
		{"best", 40, nil, Random},
		{"pairwise", 64, []int{0, 271, 542}, Random},
	}
	for _, tt := range tests {
		nw := mustByName(t, tt.name, tt.n)
		cs := nw.Comparators()
		remove := tt.remove
		if remove == nil {
			for i := range cs {
				remove = append(remove, i)
			}
		}
		for _, i := range remove {
			broken, err := FromFlat(nw.N, slices.Delete(slices.Clone(cs), i, i+1))
			require.NoError(t, err)
			v, err := Verify(broken)
			require.Error(t, err, "%s n=%d without comparator %d", tt.name, tt.n, i)
			require.False(t, v.Sorts)
			require.Equal(t, tt.method, v.Method)
			requireCounterexample(t, broken, v.Counterexample)
			require.Error(t, Check(broken, false))
			require.NoError(t, Check(broken, true))
		}
	}
}

// TestRandomCatchesDiffsort22 checks that the random check, forced below
// 32 wires, also finds the n = 22 failure and reports itself as random.
func TestRandomCatchesDiffsort22(t *testing.T) {
	v, err := Verifier{MaxExhaustiveWires: 8}.Verify(diffsortBitonic(t, 22))
	require.Error(t, err)
	require.Equal(t, Random, v.Method)
	require.Contains(t, v.String(), "random")
}

// bruteForce checks a network on all 2^n 0-1 inputs, the plain way.
func bruteForce(nw *Network, wires []int) bool {
	x := make([]float64, nw.N)
	for v := 0; v < 1<<nw.N; v++ {
		ones := 0
		for i := range x {
			x[i] = float64(v >> i & 1)
			ones += v >> i & 1
		}
		if err := nw.Apply(x); err != nil {
			panic(err) // the callers' networks are valid
		}
		for j := range x {
			if wires != nil && !slices.Contains(wires, j) {
				continue
			}
			if want := j >= nw.N-ones; (x[j] == 1) != want {
				return false
			}
		}
	}
	return true
}

// randomNetwork builds a random network by layers; some sort, most do not.
func randomNetwork(rng *rand.Rand, n, depth int) *Network {
	nw := &Network{N: n}
	for range depth {
		perm := rng.Perm(n)
		var layer []Comparator
		for i := 0; i+1 < n; i += 2 {
			if rng.IntN(4) > 0 {
				layer = append(layer, Comparator{perm[i], perm[i+1]})
			}
		}
		if len(layer) > 0 {
			nw.Layers = append(nw.Layers, layer)
		}
	}
	return nw
}

// TestVerifyMatchesBruteForce compares the exhaustive check, with its
// lane packing and first-layer enumeration, to brute force on random
// networks, and the random check as far as it can (no false failures).
func TestVerifyMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var sorting, failing int
	for trial := range 600 {
		n := 2 + trial%11
		nw := randomNetwork(rng, n, 2*n)
		var wires []int
		if trial%3 == 0 {
			wires = []int{n - 1}
			if n > 2 {
				wires = append(wires, rng.IntN(n-1))
			}
		}
		want := bruteForce(nw, wires)
		for _, ver := range []Verifier{{}, {Workers: 1}, {MaxExhaustiveWires: 1, RandomInputs: 1 << 12}} {
			var v Verdict
			var err error
			if wires == nil {
				v, err = ver.Verify(nw)
			} else {
				v, err = ver.VerifyPositions(nw, wires)
			}
			if ver.MaxExhaustiveWires == 1 {
				if !want {
					continue // may or may not be found
				}
				require.Equal(t, Random, v.Method)
			}
			require.Equal(t, want, v.Sorts, "network %v wires %v", nw, wires)
			require.Equal(t, want, err == nil)
			if !want {
				x := make([]float64, n)
				for i, b := range v.Counterexample {
					x[i] = float64(b)
				}
				sorted := slices.Clone(x)
				slices.Sort(sorted)
				require.NoError(t, nw.Apply(x))
				require.NotEqual(t, sorted, x)
			}
		}
		if want {
			sorting++
		} else {
			failing++
		}
	}
	require.Greater(t, sorting, 30)
	require.Greater(t, failing, 30)
}

func TestVerifyInputsCounted(t *testing.T) {
	// The first layer of odd_even on 9 wires compares 4 pairs and leaves
	// wire 8 free: 3^4 * 2 inputs.
	v, err := Verify(mustByName(t, "odd_even", 9))
	require.NoError(t, err)
	require.Equal(t, int64(81*2), v.Inputs)
	require.Equal(t, "sorts all 162 inputs checked (exhaustive check, a proof)", v.String())

	// No comparators: all 2^n vectors.
	v, err = Verify(&Network{N: 3})
	require.Error(t, err)
	require.Equal(t, Exhaustive, v.Method)
}

// TestVerifyDeterministic checks that the counterexample does not depend on
// the number of goroutines, exhaustive or random.
func TestVerifyDeterministic(t *testing.T) {
	for _, n := range []int{22, 38} {
		nw := diffsortBitonic(t, n)
		v1, _ := Verifier{Workers: 1}.Verify(nw)
		v4, _ := Verifier{Workers: 4}.Verify(nw)
		require.Equal(t, v1, v4)
	}
	other, _ := Verifier{Seed: 99}.Verify(diffsortBitonic(t, 38))
	require.False(t, other.Sorts)
}

// topK keeps only the comparators of nw that can influence the top k
// output wires: a selection network for the k largest, sorted.
func topK(nw *Network, k int) *Network {
	cs := nw.Comparators()
	needed := make([]bool, nw.N)
	for j := nw.N - k; j < nw.N; j++ {
		needed[j] = true
	}
	var kept []Comparator
	for i := len(cs) - 1; i >= 0; i-- {
		if c := cs[i]; needed[c.P] || needed[c.Q] {
			kept = append(kept, c)
			needed[c.P], needed[c.Q] = true, true
		}
	}
	slices.Reverse(kept)
	out, _ := FromFlat(nw.N, kept)
	return out
}

func TestVerifyPositions(t *testing.T) {
	for _, n := range []int{8, 16, 24, 48} {
		sorter := mustByName(t, "best", n)
		sel := topK(sorter, 3)
		require.Less(t, sel.Size(), sorter.Size())

		v, err := VerifyPositions(sel, []int{n - 3, n - 2, n - 1})
		require.NoError(t, err, "n=%d", n)
		require.True(t, v.Sorts)

		_, err = Verify(sel)
		require.Error(t, err, "n=%d", n)
		require.Error(t, Check(sel, false))
		require.NoError(t, Check(sel, true))

		v, err = VerifyPositions(sel, []int{0})
		require.Error(t, err, "n=%d", n)
		requireCounterexample(t, sel, v.Counterexample)

		// A sorting network gets every position right.
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		_, err = VerifyPositions(sorter, all)
		require.NoError(t, err)
	}
	_, err := VerifyPositions(mustByName(t, "best", 4), []int{4})
	require.ErrorContains(t, err, "bad or repeated wire 4")
	_, err = VerifyPositions(mustByName(t, "best", 4), []int{1, 1})
	require.ErrorContains(t, err, "bad or repeated wire 1")
}

func TestVerifyRejectsMalformed(t *testing.T) {
	bad := &Network{N: 3, Layers: [][]Comparator{{{0, 1}, {1, 2}}}}
	_, err := Verify(bad)
	require.ErrorContains(t, err, "used twice")
	require.Error(t, Check(bad, true))
	_, err = Verify(&Network{N: 1})
	require.ErrorIs(t, err, ErrTooFewWires)
}

// TestVerifyBudget checks that an exhaustive check too big for the budget
// falls back to the random one, and says so.
func TestVerifyBudget(t *testing.T) {
	nw := mustByName(t, "best", 24)
	v, err := Verifier{Budget: 1000}.Verify(nw)
	require.NoError(t, err)
	require.Equal(t, Random, v.Method)
	require.Contains(t, v.String(), "not a proof")
}

func TestMethodString(t *testing.T) {
	require.Equal(t, "exhaustive", Exhaustive.String())
	require.Equal(t, "random", Random.String())
	require.Equal(t, "Method(0)", Method(0).String())
}

// BenchmarkVerify32 is the worst case the tests prove: 3^16 inputs.
func BenchmarkVerify32(b *testing.B) {
	nw := mustByName(b, "best", 32)
	for b.Loop() {
		if _, err := Verify(nw); err != nil {
			b.Fatal(err)
		}
	}
}
