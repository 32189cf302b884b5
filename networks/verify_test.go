package networks

import (
	"cmp"
	"fmt"
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
		if comesOutWrong(nw, x, ones, wires) {
			return false
		}
	}
	return true
}

// comesOutWrong applies nw to the 0-1 vector x, which has ones ones, and
// reports whether a checked wire (all for nil wires) is wrong.
func comesOutWrong(nw *Network, x []float64, ones int, wires []int) bool {
	if err := nw.Apply(x); err != nil {
		panic(err) // the callers' networks are valid
	}
	for j := range x {
		if wires != nil && !slices.Contains(wires, j) {
			continue
		}
		if want := j >= nw.N-ones; (x[j] == 1) != want {
			return true
		}
	}
	return false
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

// randomFlatNetwork builds a network from random comparators in sequence,
// so that its first comparators leave many wires free and later ones join
// wires of different first pairs.
func randomFlatNetwork(rng *rand.Rand, n, size int) *Network {
	cs := make([]Comparator, 0, size)
	for len(cs) < size {
		p, q := rng.IntN(n), rng.IntN(n)
		if p == q {
			continue
		}
		if rng.IntN(8) > 0 && p > q { // mostly ascending, some reversed
			p, q = q, p
		}
		cs = append(cs, Comparator{p, q})
	}
	nw, err := FromFlat(n, cs)
	if err != nil {
		panic(err) // the wires are in range
	}
	return nw
}

// refDigit is a digit of the enumeration order: a free wire p (q < 0) or a
// first pair (min p, max q).
type refDigit struct{ p, q int }

// refOrder is the order the exhaustive check has always enumerated the
// outputs of the first comparators in, lowest digit first: it packed as
// many digits as 2^a * 3^b <= 64 allows into the lanes of a word (a free
// wires, the lowest first, and the first b first pairs), then the other
// free wires, then the other pairs. It decides which counterexample is
// reported, so it is spelt out here independently of verify.go.
func refOrder(nw *Network) []refDigit {
	touched := make([]bool, nw.N)
	var first []refDigit
	for _, c := range nw.Comparators() {
		if !touched[c.P] && !touched[c.Q] {
			first = append(first, refDigit{c.P, c.Q})
		}
		touched[c.P], touched[c.Q] = true, true
	}
	paired := make([]bool, nw.N)
	for _, d := range first {
		paired[d.p], paired[d.q] = true, true
	}
	var free []refDigit
	for w := range nw.N {
		if !paired[w] {
			free = append(free, refDigit{w, -1})
		}
	}
	lanes, a, b := 1, 0, 0
	for ta := 0; ta <= min(6, len(free)); ta++ {
		tl, tb := 1<<ta, 0
		for tb < len(first) && tl*3 <= 64 {
			tl, tb = tl*3, tb+1
		}
		if tl > lanes {
			lanes, a, b = tl, ta, tb
		}
	}
	var order []refDigit
	order = append(order, free[:a]...)
	order = append(order, first[:b]...)
	order = append(order, free[a:]...)
	return append(order, first[b:]...)
}

// refCount is 3^c * 2^f for the c first pairs and f free wires.
func refCount(nw *Network) int64 {
	count := int64(1)
	for _, d := range refOrder(nw) {
		if d.q < 0 {
			count *= 2
		} else {
			count *= 3
		}
	}
	return count
}

// refFirstFailure returns the first vector in refOrder that nw gets wrong
// (on the given wires, nil for all), applying the network one vector at a
// time, or nil if it gets all of them right.
func refFirstFailure(nw *Network, wires []int) []int {
	order := refOrder(nw)
	x := make([]float64, nw.N)
	for idx := range refCount(nw) {
		clear(x)
		r := idx
		for _, d := range order {
			if d.q < 0 {
				x[d.p] = float64(r % 2)
				r /= 2
				continue
			}
			v := r % 3
			r /= 3
			x[d.p], x[d.q] = float64(v>>1), float64((v+1)>>1)
		}
		in := make([]int, nw.N)
		ones := 0
		for i, v := range x {
			in[i] = int(v)
			ones += in[i]
		}
		if comesOutWrong(nw, x, ones, wires) {
			return in
		}
	}
	return nil
}

// requireWrongOn checks that nw really gets the 0-1 vector ce wrong on the
// given wires (nil for all).
func requireWrongOn(t testing.TB, nw *Network, wires []int, ce []int) {
	t.Helper()
	require.Len(t, ce, nw.N)
	x := make([]float64, nw.N)
	ones := 0
	for i, v := range ce {
		require.Contains(t, []int{0, 1}, v)
		x[i] = float64(v)
		ones += v
	}
	require.NoError(t, nw.Apply(x))
	for j := range x {
		if wires != nil && !slices.Contains(wires, j) {
			continue
		}
		if want := j >= nw.N-ones; (x[j] == 1) != want {
			return
		}
	}
	require.Fail(t, "not a counterexample", "%v on wires %v comes out %v", ce, wires, x)
}

// TestVerifyMatchesBruteForce compares the exhaustive check, with its
// block packing and first-layer enumeration, to brute force on random
// networks, layered and flat, and the random check as far as it can (no
// false failures). The exhaustive counterexample must be the first failure
// in the enumeration order, whatever the packing and the workers.
func TestVerifyMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var sorting, failing int
	for trial := range 780 {
		n := 2 + trial%13
		var nw *Network
		if trial%2 == 0 {
			nw = randomNetwork(rng, n, 2*n)
		} else {
			nw = randomFlatNetwork(rng, n, n*n*3/4)
		}
		var wires []int
		if trial%3 == 0 {
			wires = []int{n - 1}
			if n > 2 {
				wires = append(wires, rng.IntN(n-1))
			}
		}
		want := bruteForce(nw, wires)
		ref := refFirstFailure(nw, wires)
		require.Equal(t, want, ref == nil, "network %v wires %v", nw, wires)
		for _, ver := range []Verifier{{}, {Workers: 1}, {Workers: 3}, {MaxExhaustiveWires: 1, RandomInputs: 1 << 12}} {
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
			} else {
				require.Equal(t, Exhaustive, v.Method)
				require.Equal(t, refCount(nw), v.Inputs)
				require.Equal(t, ref, v.Counterexample, "network %v wires %v", nw, wires)
			}
			require.Equal(t, want, v.Sorts, "network %v wires %v", nw, wires)
			require.Equal(t, want, err == nil)
			if !want {
				if v.Method == Exhaustive {
					requireWrongOn(t, nw, wires, v.Counterexample)
				}
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

	pow := func(b, e int) int64 {
		r := int64(1)
		for range e {
			r *= int64(b)
		}
		return r
	}
	withoutFirst := func(name string, n int, drop ...int) *Network {
		cs := mustByName(t, name, n).Comparators()
		for i, d := range drop {
			cs = slices.Delete(cs, d-i, d-i+1)
		}
		nw, err := FromFlat(n, cs)
		require.NoError(t, err)
		return nw
	}
	rng := rand.New(rand.NewPCG(7, 8))
	tests := []struct {
		name         string
		nw           *Network
		pairs, free  int
		sorts, exact bool
	}{
		{"best 32", mustByName(t, "best", 32), 16, 0, true, true},
		{"odd_even 31", mustByName(t, "odd_even", 31), 15, 1, true, true},
		{"bitonic 27", mustByName(t, "bitonic", 27), 13, 1, true, true},
		{"best 24 less two first", withoutFirst("best", 24, 0, 5), 10, 4, false, true},
		{"odd_even 20 less first", withoutFirst("odd_even", 20, 3), 9, 2, false, true},
		{"layered 22", randomNetwork(rng, 22, 44), -1, -1, false, false},
		{"flat 20", randomFlatNetwork(rng, 20, 300), -1, -1, false, false},
	}
	for _, tt := range tests {
		v, err := Verify(tt.nw)
		require.Equal(t, Exhaustive, v.Method, tt.name)
		require.Equal(t, tt.sorts, err == nil, tt.name)
		if tt.exact {
			require.Equal(t, pow(3, tt.pairs)*pow(2, tt.free), v.Inputs, tt.name)
		}
		require.Equal(t, refCount(tt.nw), v.Inputs, tt.name)
		if !tt.sorts {
			require.Equal(t, refFirstFailure(tt.nw, nil), v.Counterexample, tt.name)
		}
	}
}

// TestBlockFill checks that the lanes of a block hold distinct vectors,
// for a full first layer (all pairs, perhaps one free wire) as soon as
// there are enough of them, and for the longer prefixes.
func TestBlockFill(t *testing.T) {
	for n := 10; n <= 32; n++ {
		for _, name := range Names() {
			nw := mustByName(t, name, n)
			if e := newFirstLayer(newChecker(nw, nil)); len(nw.Layers[0]) == n/2 {
				require.GreaterOrEqual(t, e.perWord(), 60.0, "%s n=%d", name, n)
			}
			g := newGrouped(newChecker(nw, nil), nw.Comparators())
			// A few digits of any radix pack less well.
			if g.inputs() >= 1<<12 {
				require.GreaterOrEqual(t, g.perWord(), 48.0, "%s n=%d grouped", name, n)
			}
		}
	}
	// Blocks of the old one-word layout would have 27 of 64.
	e := newFirstLayer(newChecker(mustByName(t, "best", 32), nil))
	require.Equal(t, int64(2187), e.lanes)
	require.Equal(t, 35, e.words)
	require.Equal(t, 2187.0/35, e.perWord())
}

// TestBlockMasksSpareLanes checks that lanes past the last vector of a
// block cannot fail, whatever they hold.
func TestBlockMasksSpareLanes(t *testing.T) {
	for _, wires := range [][]int{nil, {0, 3}} {
		nw := mustByName(t, "best", 14)
		e := newFirstLayer(newChecker(nw, wires)) // 3^7 = 2187 lanes: 11 in use in word 35
		require.Equal(t, int64(2187), e.lanes)
		require.Equal(t, uint64(1<<11-1), e.lastMask)
		in := e.laneBase()
		x := slices.Clone(in)
		applyBlock(x, e.words, e.rest)
		scratch := make([]uint64, max(e.words, 2*e.n))
		require.Equal(t, int64(-1), e.firstWrong(x, in, scratch))
		// Wrong outputs in the spare lanes only.
		last := e.words - 1
		x[0*e.words+last] |= ^e.lastMask
		x[1*e.words+last] &= e.lastMask
		x[3*e.words+last] ^= ^e.lastMask
		require.Equal(t, int64(-1), e.firstWrong(x, in, scratch))
		x[0*e.words+last] |= 1 << 10 // lane 2186, the last in use: 1 above the 0 of wire 1
		x[1*e.words+last] &^= 1 << 10
		x[3*e.words+last] ^= 1 << 10
		require.Equal(t, int64(2186), e.firstWrong(x, in, scratch))
	}
}

// prefixOf returns the comparators of cs that are not in rest, in order:
// the prefix an enumeration took, as rest keeps the others in order.
func prefixOf(cs, rest []Comparator) []Comparator {
	var prefix []Comparator
	for _, c := range cs {
		if len(rest) > 0 && rest[0] == c {
			rest = rest[1:]
			continue
		}
		prefix = append(prefix, c)
	}
	return prefix
}

// distinctOutputs counts the distinct outputs of cs on all 0-1 inputs.
func distinctOutputs(n int, cs []Comparator) int64 {
	seen := make(map[uint64]bool)
	for x := range uint64(1) << n {
		seen[applyBits(x, cs)] = true
	}
	return int64(len(seen))
}

// applyBits runs comparators on one 0-1 vector, bit w for wire w.
func applyBits(x uint64, cs []Comparator) uint64 {
	for _, c := range cs {
		a, b := x>>c.P&1, x>>c.Q&1
		x = x&^(1<<c.P|1<<c.Q) | (a&b)<<c.P | (a|b)<<c.Q
	}
	return x
}

// chainThen is a chain (0,1), (1,2), ..., (n-2,n-1) of the first length
// comparators, then nw: the chain leaves only (0,1) first, yet whatever it
// does, nw sorts (or not) afterwards.
func chainThen(t testing.TB, length int, nw *Network) *Network {
	var cs []Comparator
	for i := range length {
		cs = append(cs, Comparator{i, i + 1})
	}
	out, err := FromFlat(nw.N, append(cs, nw.Comparators()...))
	require.NoError(t, err)
	return out
}

// scrambledThen is size random comparators, then nw.
func scrambledThen(t testing.TB, rng *rand.Rand, size int, nw *Network) *Network {
	cs := randomFlatNetwork(rng, nw.N, size).Comparators()
	out, err := FromFlat(nw.N, append(cs, nw.Comparators()...))
	require.NoError(t, err)
	return out
}

// TestGroupedMatchesBruteForce checks the longer-prefix enumeration, with
// and without leading comparators left out, against brute force: it
// counts exactly the distinct outputs of the prefix it took, proves what
// sorts (or, leaving comparators out, nothing that does not), and its
// counterexamples fail.
func TestGroupedMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var proved, failed, untraced int
	for trial := range 480 {
		n := 3 + trial%12
		var nw *Network
		switch trial % 4 {
		case 0:
			nw = randomNetwork(rng, n, 2*n)
		case 1:
			nw = randomFlatNetwork(rng, n, n*n*3/4)
		case 2:
			nw = chainThen(t, n-1, mustByName(t, Names()[rng.IntN(len(Names()))], n))
		case 3:
			nw = scrambledThen(t, rng, 2*n, mustByName(t, "best", n))
		}
		if rng.IntN(3) == 0 { // break it
			cs := nw.Comparators()
			i := rng.IntN(len(cs))
			nw, _ = FromFlat(n, slices.Delete(cs, i, i+1))
		}
		var wires []int
		if trial%5 == 0 {
			wires = []int{rng.IntN(n)}
		}
		c := newChecker(nw, wires)
		want := bruteForce(nw, wires)

		g := newGrouped(c, c.all)
		require.Equal(t, distinctOutputs(n, prefixOf(c.all, g.rest)), g.inputs(), "network %v", nw)
		v1 := g.run(1)
		require.Equal(t, v1, g.run(3))
		require.Equal(t, Exhaustive, v1.Method)
		require.Equal(t, g.inputs(), v1.Inputs)
		require.Equal(t, want, v1.Sorts, "network %v wires %v", nw, wires)
		if !want {
			requireWrongOn(t, nw, wires, v1.Counterexample)
		}

		k := rng.IntN(len(c.all) + 1)
		sc := &skipCheck{enumeration: newGrouped(c, c.all[k:]), skip: c.all[:k]}
		v, ok := sc.run(2)
		rest, _ := FromFlat(n, c.all[k:])
		restSorts := bruteForce(rest, wires)
		switch {
		case !ok:
			require.False(t, restSorts)
			untraced++
		case v.Sorts:
			require.True(t, restSorts)
			require.True(t, want)
			proved++
		default:
			require.False(t, want)
			requireWrongOn(t, nw, wires, v.Counterexample)
			failed++
		}
	}
	require.Greater(t, proved, 30)
	require.Greater(t, failed, 30)
	require.Greater(t, untraced, 5)
}

// TestPreimage checks the search back through comparators: it finds an
// input for every output and none for what is not an output.
func TestPreimage(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 2 + trial%9
		cs := randomFlatNetwork(rng, n, rng.IntN(3*n)+1).Comparators()
		image := make(map[uint64]bool)
		for x := range uint64(1) << n {
			image[applyBits(x, cs)] = true
		}
		for y := range uint64(1) << n {
			nodes := 1 << 20
			x, ok := preimage(cs, y, &nodes)
			require.Equal(t, image[y], ok, "%v y=%b", cs, y)
			if ok {
				require.Equal(t, y, applyBits(x, cs))
			}
		}
	}
	nodes := 0
	_, ok := preimage([]Comparator{{0, 1}}, 0b10, &nodes)
	require.False(t, ok, "no steps left")
}

// TestVerifyProvesLongerPrefixes: networks whose first comparators leave
// most wires free, too costly for the first-layer enumeration, are proven
// (or refuted) exhaustively all the same, in well under a second each.
func TestVerifyProvesLongerPrefixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tests := []struct {
		name  string
		nw    *Network
		sorts bool
	}{
		{"chain then odd_even 32", chainThen(t, 31, mustByName(t, "odd_even", 32)), true},
		{"chain then best 32", chainThen(t, 31, mustByName(t, "best", 32)), true},
		{"half chain then bitonic 32", chainThen(t, 16, mustByName(t, "bitonic", 32)), true},
		{"chain then pairwise 29", chainThen(t, 28, mustByName(t, "pairwise", 29)), true},
		{"scrambled then best 32", scrambledThen(t, rng, 64, mustByName(t, "best", 32)), true},
		{"scrambled then odd_even 30", scrambledThen(t, rng, 200, mustByName(t, "odd_even", 30)), true},
		{"scrambled then merge_exchange 32", scrambledThen(t, rng, 400, mustByName(t, "merge_exchange", 32)), true},
		{"chain then odd_even 32 less one", chainThen(t, 31, withoutComparator(t, "odd_even", 32, 300)), false},
	}
	// Random networks whose first layer leaves many wires free (below 30
	// wires even all free is quick).
	for _, n := range []int{30, 31, 32, 32, 32} {
		for {
			nw := randomFlatNetwork(rng, n, n*n)
			if newFirstLayer(newChecker(nw, nil)).cost() > quickCost {
				tests = append(tests, struct {
					name  string
					nw    *Network
					sorts bool
				}{fmt.Sprintf("random flat %d", n), nw, false})
				break
			}
		}
	}
	for _, tt := range tests {
		first := newFirstLayer(newChecker(tt.nw, nil))
		require.Greater(t, first.cost(), float64(quickCost), tt.name)
		v, err := Verify(tt.nw)
		require.Equal(t, Exhaustive, v.Method, tt.name)
		require.Equal(t, tt.sorts, v.Sorts, tt.name)
		require.Equal(t, tt.sorts, err == nil, tt.name)
		if !tt.sorts {
			requireWrongOn(t, tt.nw, nil, v.Counterexample)
		}
		w, _ := Verifier{Workers: 1}.Verify(tt.nw)
		require.Equal(t, v, w, tt.name)
	}
}

func withoutComparator(t testing.TB, name string, n, i int) *Network {
	cs := mustByName(t, name, n).Comparators()
	nw, err := FromFlat(n, slices.Delete(cs, i, i+1))
	require.NoError(t, err)
	return nw
}

// TestVerifySkipsLeadingComparators checks the check that leaves out a
// leading chain, where the enumerations of the whole network would take
// long or, for a small budget, not fit: it proves what sorts, and when it
// finds a failure no input leads to, it falls back on the other checks.
func TestVerifySkipsLeadingComparators(t *testing.T) {
	// The chain leaves its largest value on wire 31, then the rest sorts
	// wires 0..30: the network sorts, though the rest alone does not.
	sortBelow, err := FromFlat(32, mustByName(t, "best", 31).Comparators())
	require.NoError(t, err)
	tests := []struct {
		name   string
		nw     *Network
		budget int64   // 0 for the default
		quick  float64 // quickCost, 0 for the default
		skips  bool    // whether the verdict is the skipping check's
	}{
		{"chain then merge_exchange 32", chainThen(t, 31, mustByName(t, "merge_exchange", 32)), 0, 0, true},
		{"chain then best 24", chainThen(t, 23, mustByName(t, "best", 24)), 1 << 20, 0, true},
		{"chain then best 31 below", chainThen(t, 31, sortBelow), 0, 1 << 16, false},
	}
	defer func(q float64) { quickCost = q }(quickCost)
	for _, tt := range tests {
		quickCost = cmp.Or(tt.quick, 1<<30)
		c := newChecker(tt.nw, nil)
		budget := float64(tt.budget)
		if budget == 0 {
			budget = 1 << 33
		}
		sc := newSkipCheck(c)
		require.NotNil(t, sc, tt.name)
		require.LessOrEqual(t, len(sc.skip), tt.nw.N-1, tt.name)
		require.Less(t, sc.cost(), budget, tt.name)
		g := newGrouped(c, c.all)
		require.Greater(t, g.cost(), min(budget, quickCost), tt.name)
		require.Greater(t, g.cost(), 4*sc.cost(), tt.name)

		v, err := Verifier{Budget: tt.budget}.Verify(tt.nw)
		require.NoError(t, err, tt.name)
		require.Equal(t, Exhaustive, v.Method, tt.name)
		if tt.skips {
			require.Equal(t, sc.inputs(), v.Inputs, tt.name)
		} else {
			require.Equal(t, g.inputs(), v.Inputs, tt.name)
			_, ok := sc.run(2)
			require.False(t, ok, tt.name)
		}
	}

	// Less a comparator, the small-budget network may fail the skipping
	// check on inputs that do not trace back through the chain, and then
	// gets a random check; otherwise the verdict is the default budget's,
	// which is exhaustive. (The chain may make up for the comparator.)
	var traced, untraced int
	for i := range 24 {
		broken := chainThen(t, 23, withoutComparator(t, "best", 24, 5*i))
		want, err := Verify(broken)
		require.Equal(t, Exhaustive, want.Method)
		require.Equal(t, want.Sorts, err == nil)
		if !want.Sorts {
			requireWrongOn(t, broken, nil, want.Counterexample)
		}
		v, err := Verifier{Budget: 1 << 20}.Verify(broken)
		require.Equal(t, v.Sorts, err == nil)
		if !v.Sorts {
			requireWrongOn(t, broken, nil, v.Counterexample)
		}
		if v.Method == Random {
			untraced++
			continue
		}
		require.Equal(t, want.Sorts, v.Sorts)
		if !v.Sorts {
			traced++
		}
	}
	require.Positive(t, traced)
	require.Positive(t, untraced)
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

func TestVerifyPositions(t *testing.T) {
	for _, n := range []int{8, 16, 24, 48} {
		sorter := mustByName(t, "best", n)
		sel, err := TopK(sorter, 3)
		require.NoError(t, err)
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
	for _, name := range []string{"best", "bitonic", "odd_even"} {
		b.Run(name, func(b *testing.B) {
			nw := mustByName(b, name, 32)
			for b.Loop() {
				if _, err := Verify(nw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
