package networks

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// A Method says how a Verdict was reached.
type Method int

const (
	// Exhaustive checked every 0-1 input (up to what a prefix of the
	// network makes indistinguishable): by the 0-1 principle, a proof.
	Exhaustive Method = iota + 1
	// Random checked random inputs: evidence, not a proof.
	Random
)

func (m Method) String() string {
	switch m {
	case Exhaustive:
		return "exhaustive"
	case Random:
		return "random"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// A Verdict is the outcome of verifying a network.
type Verdict struct {
	Method Method
	// Sorts reports whether every input checked came out right: sorted, or
	// for VerifyPositions right on the wires asked about.
	Sorts bool
	// Inputs is the number of distinct inputs checked. For the exhaustive
	// check they are the distinct vectors the enumerated prefix of the
	// network can output, each run through the rest of it.
	Inputs int64
	// Counterexample is an input the network gets wrong when Sorts is
	// false: a 0-1 vector, or from the random check possibly a permutation
	// of 0..n-1. Apply the network to it to see the failure.
	Counterexample []int
}

func (v Verdict) String() string {
	proof := "a proof"
	if v.Method != Exhaustive {
		proof = "not a proof"
	}
	if !v.Sorts {
		return fmt.Sprintf("fails on input %v (%v check)", v.Counterexample, v.Method)
	}
	return fmt.Sprintf("sorts all %d inputs checked (%v check, %s)", v.Inputs, v.Method, proof)
}

// A SortError reports a network that does not sort (or, from
// VerifyPositions, gets some asked-for wire wrong).
type SortError struct{ Verdict Verdict }

func (e *SortError) Error() string {
	return fmt.Sprintf("networks: not a sorting network: input %v comes out wrong (%v check)", e.Verdict.Counterexample, e.Verdict.Method)
}

// A Verifier checks networks by the 0-1 principle: a comparator network
// sorts every input iff it sorts every vector of 0s and 1s. Up to
// MaxExhaustiveWires wires, and while the work stays within Budget, it
// checks all 0-1 vectors, 64 at a time as the bits of one uint64 per wire.
// It only enumerates what the first comparators can output: each pair they
// compare ends 00, 01 or 11, never 10, so c such pairs and f untouched wires
// leave 3^c * 2^f vectors instead of 2^n, laid out so that nearly every
// word holds 64 distinct ones.
//
// When that does not fit Budget, or would take a second or more where a
// longer prefix is much cheaper, it enumerates what a longer prefix can
// output instead: groups of wires joined by comparators that come before
// any left out, with only the distinct outputs of each group's
// comparators. If that too would take long or not fit, it first tries
// leaving out the fewest leading comparators that leave the most pairs to
// start from: if the rest sorts every input, so does the network. A
// failure found that way counts only if it traces back through the
// comparators left out to an input; otherwise the longer check runs.
//
// Otherwise it checks random 0-1 vectors and random permutations, and says
// so. The zero value is ready to use.
type Verifier struct {
	// MaxExhaustiveWires is the most wires checked exhaustively; 0 means 32.
	MaxExhaustiveWires int
	// Budget bounds the exhaustive check, in word-comparator steps (one
	// comparator applied to 64 vectors); 0 means 1<<33, a few seconds.
	Budget int64
	// RandomInputs is how many random 0-1 vectors the random check tries,
	// besides RandomInputs/64 random permutations; 0 means 1<<18.
	RandomInputs int
	// Seed seeds the random check, which is deterministic for a given seed.
	Seed uint64
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
}

// Verify reports whether nw sorts every input, with the zero Verifier. The
// error is non-nil if nw is malformed, or a *SortError if it does not sort;
// the Verdict says how it was checked either way.
func Verify(nw *Network) (Verdict, error) { return Verifier{}.Verify(nw) }

// VerifyPositions reports whether every listed output wire j of nw ends up
// holding the value of rank j (the j-th smallest, from 0) for every input,
// with the zero Verifier. It checks selection networks: the top-k networks,
// which put the k largest values in order on the top wires, pass with wires
// n-k, ..., n-1. A sorting network passes for any wires.
func VerifyPositions(nw *Network, wires []int) (Verdict, error) {
	return Verifier{}.VerifyPositions(nw, wires)
}

// Check returns nil if nw is well formed and sorts, as Verify finds. With
// partial, networks that do not sort (selection networks, networks being
// built) are accepted as long as they are well formed.
func Check(nw *Network, partial bool) error {
	if err := nw.Validate(); err != nil {
		return err
	}
	if partial {
		return nil
	}
	_, err := Verify(nw)
	return err
}

// Verify is the package-level Verify with v's settings.
func (v Verifier) Verify(nw *Network) (Verdict, error) {
	if err := nw.Validate(); err != nil {
		return Verdict{}, err
	}
	return v.run(nw, nil)
}

// VerifyPositions is the package-level VerifyPositions with v's settings.
func (v Verifier) VerifyPositions(nw *Network, wires []int) (Verdict, error) {
	if err := nw.Validate(); err != nil {
		return Verdict{}, err
	}
	seen := make(map[int]bool, len(wires))
	for _, w := range wires {
		if w < 0 || w >= nw.N || seen[w] {
			return Verdict{}, fmt.Errorf("networks: VerifyPositions: bad or repeated wire %d for n=%d", w, nw.N)
		}
		seen[w] = true
	}
	return v.run(nw, append([]int{}, wires...))
}

func (v Verifier) run(nw *Network, wires []int) (Verdict, error) {
	if v.MaxExhaustiveWires == 0 {
		v.MaxExhaustiveWires = 32
	}
	if v.Budget == 0 {
		v.Budget = 1 << 33
	}
	if v.RandomInputs <= 0 {
		v.RandomInputs = 1 << 18
	}
	if v.Workers <= 0 {
		v.Workers = runtime.GOMAXPROCS(0)
	}
	c := newChecker(nw, wires)
	verdict, ok := v.exhaustive(c)
	if !ok {
		verdict = c.random(v.RandomInputs, v.Seed, v.Workers)
	}
	if !verdict.Sorts {
		return verdict, &SortError{verdict}
	}
	return verdict, nil
}

// quickCost is the cost, about a second on one core, up to which the
// first comparators' enumeration runs without looking for a cheaper one,
// and a longer prefix's without trying to skip comparators. A variable
// for the tests.
var quickCost float64 = 1 << 30

// exhaustive runs an exhaustive check within Budget if there is one. It
// prefers the first comparators' enumeration, whose counterexamples and
// input counts are as they have always been, and turns to a longer prefix
// when that does not fit, or would take long and the longer prefix is much
// cheaper. If that too would take long, it first tries leaving leading
// comparators out, and falls back on the others if that fails without an
// input to show. It returns false if no check fits, or if the only one
// found a failure it could not trace back to an input.
func (v Verifier) exhaustive(c *checker) (Verdict, bool) {
	if c.n > v.MaxExhaustiveWires {
		return Verdict{}, false
	}
	budget := float64(v.Budget)
	first := newFirstLayer(c)
	if first.cost() <= min(budget, quickCost) {
		return first.run(v.Workers), true
	}
	var exact *enumeration
	if first.cost() <= budget {
		exact = first
	}
	if c.n <= 64 { // values and inputs of newGrouped are kept in a uint64
		g := newGrouped(c, c.all)
		if g.cost() <= budget && (exact == nil || g.cost() < exact.cost()/4) {
			exact = g
		}
		if exact == nil || exact.cost() > quickCost {
			sc := newSkipCheck(c)
			if sc != nil && sc.cost() <= budget && (exact == nil || sc.cost() < exact.cost()/4) {
				if verdict, ok := sc.run(v.Workers); ok {
					return verdict, true
				}
			}
		}
	}
	if exact == nil {
		return Verdict{}, false
	}
	return exact.run(v.Workers), true
}

// A checker holds what every check of one network needs.
type checker struct {
	n     int
	all   []Comparator
	wires []int // the wires to check, nil for all
}

func newChecker(nw *Network, wires []int) *checker {
	return &checker{n: nw.N, wires: wires, all: nw.Comparators()}
}

// apply runs comparators on bit-sliced vectors: wire P gets the AND (min),
// wire Q the OR (max).
func apply(x []uint64, cs []Comparator) {
	for _, c := range cs {
		a, b := x[c.P], x[c.Q]
		x[c.P], x[c.Q] = a&b, a|b
	}
}

// applyBlock is apply on blocks of words vectors per wire, wire w in
// x[w*words:(w+1)*words]: one pass over the comparators serves the whole
// block, and the inner loop runs over contiguous words.
func applyBlock(x []uint64, words int, cs []Comparator) {
	for _, c := range cs {
		p := x[c.P*words : (c.P+1)*words]
		q := x[c.Q*words : (c.Q+1)*words]
		q = q[:len(p)]
		for k, a := range p {
			b := q[k]
			p[k], q[k] = a&b, a|b
		}
	}
}

// wrong returns the lanes of the output x that are wrong, given the inputs
// in (whose number of ones the output must keep).
func (c *checker) wrong(x, in []uint64) uint64 {
	var bad uint64
	if c.wires == nil {
		for j := 0; j+1 < c.n; j++ {
			bad |= x[j] &^ x[j+1]
		}
		return bad
	}
	// Bit-sliced count of the ones in each lane: a sorted output has a 1
	// on wire j iff the count is at least n-j.
	var count [64]uint64
	width := bits.Len(uint(c.n))
	for _, w := range in {
		carry := w
		for b := 0; carry != 0 && b < width; b++ {
			count[b], carry = count[b]^carry, count[b]&carry
		}
	}
	for _, j := range c.wires {
		t := c.n - j
		var gt, eq uint64 = 0, ^uint64(0)
		for b := width - 1; b >= 0; b-- {
			if t>>b&1 == 1 {
				eq &= count[b]
			} else {
				gt |= eq & count[b]
				eq &^= count[b]
			}
		}
		bad |= x[j] ^ (gt | eq)
	}
	return bad
}

// lane extracts one lane of bit-sliced vectors.
func lane(in []uint64, l int) []int {
	v := make([]int, len(in))
	for j, w := range in {
		v[j] = int(w >> l & 1)
	}
	return v
}

// parallel calls work for every unit in [0, units) on workers goroutines,
// each with its own work function from newWork. work returns a
// counterexample or nil. parallel returns the counterexample of the
// smallest failing unit, which does not depend on scheduling: units are
// handed out in order, and a worker stops only past a known failure.
func parallel(units int64, workers int, newWork func() func(unit int64) []int) []int {
	var next atomic.Int64
	var failed atomic.Int64
	failed.Store(math.MaxInt64)
	var mu sync.Mutex
	var found []int
	var wg sync.WaitGroup
	for range min(int64(workers), units) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWork()
			for {
				u := next.Add(1) - 1
				if u >= units || u > failed.Load() {
					return
				}
				ce := work(u)
				if ce == nil {
					continue
				}
				mu.Lock()
				if u < failed.Load() {
					failed.Store(u)
					found = ce
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return found
}

// maxBlockWords bounds the words per wire of a block: 64 of them give
// 4,096 lanes, enough to pack powers of 2 and 3 with at most a few percent
// of lanes wasted, while a block's inputs and outputs on 32 wires take
// 32 KiB, about an L1 cache.
const maxBlockWords = 64

// blockWords is the block length preferred where several waste nothing:
// long enough that the loop over a comparator's words dominates, short
// enough to stay well within L1.
const blockWords = 32

// A digit is one coordinate of an enumeration: a set of wires and the
// values a prefix of the network can leave on them, one bit per wire.
type digit struct {
	wires []int
	vals  []uint64 // bit i is the value of wires[i]
	// pre holds, for each value, an input to the prefix that produces it,
	// so that a counterexample is an input of the whole network; nil when
	// every value produces itself, as the 00, 01, 11 of a first pair do.
	pre []uint64
}

var (
	freeVals = []uint64{0, 1}
	pairVals = []uint64{0b00, 0b10, 0b11} // (min, max): 00, 01, 11
)

func (d *digit) radix() int64 { return int64(len(d.vals)) }

// fill writes value v of a word digit into every word of its wires' rows.
func (d *digit) fill(in []uint64, words int, v int64) {
	for i, w := range d.wires {
		bit := -(d.vals[v] >> i & 1)
		row := in[w*words : (w+1)*words]
		for k := range row {
			row[k] = bit
		}
	}
}

// An enumeration lists, as mixed-radix numbers, the vectors a prefix of the
// network can output, and checks what the rest of the network makes of
// them. The lowest digits (the lane digits) vary across the lanes of a
// block of words per wire, so that nearly every lane of every word holds a
// distinct vector even when the radices are not powers of two; the others
// (the word digits) vary from block to block.
type enumeration struct {
	*checker
	rest       []Comparator // the comparators after the prefix
	digits     []digit      // lowest first; every wire is in exactly one
	laneDigits int
	words      int     // words per wire in a block
	lanes      int64   // lanes of a block in use: the lane digits' radices multiplied
	lastMask   uint64  // the lanes in use of the last word of a block
	blocks     float64 // the word digits' radices multiplied
}

// newFirstLayer enumerates what the first comparators, those that come
// first on both their wires, can output: each pair they compare ends 00, 01
// or 11, a base-3 digit, each wire they leave free a base-2 digit.
func newFirstLayer(c *checker) *enumeration {
	e := &enumeration{checker: c}
	touched := make([]bool, c.n)
	var first []digit
	for _, cmp := range c.all {
		if !touched[cmp.P] && !touched[cmp.Q] {
			first = append(first, digit{wires: []int{cmp.P, cmp.Q}, vals: pairVals})
		} else {
			e.rest = append(e.rest, cmp)
		}
		touched[cmp.P], touched[cmp.Q] = true, true
	}
	paired := make([]bool, c.n)
	for _, d := range first {
		paired[d.wires[0]], paired[d.wires[1]] = true, true
	}
	var free []digit
	for w := range c.n {
		if !paired[w] {
			free = append(free, digit{wires: []int{w}, vals: freeVals})
		}
	}
	// The order of the digits decides which counterexample comes first. It
	// is the order of the one-word layout used before blocks, which packed
	// the a lowest free wires and the b first pairs with the largest
	// 2^a * 3^b <= 64 into the lanes, so counterexamples are as they were.
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
	e.digits = append(e.digits, free[:a]...)
	e.digits = append(e.digits, first[:b]...)
	e.digits = append(e.digits, free[a:]...)
	e.digits = append(e.digits, first[b:]...)
	e.packLowest()
	return e
}

// packLowest makes lane digits of as many of the lowest digits as waste the
// least lanes.
func (e *enumeration) packLowest() {
	bestLanes, bestWords := int64(1), int64(1)
	e.setLanes(0)
	lanes := int64(1)
	for nl := 1; nl <= len(e.digits); nl++ {
		lanes *= e.digits[nl-1].radix()
		words := (lanes + 63) / 64
		if words > maxBlockWords {
			break
		}
		// Total words are (all vectors / lanes) * words: compare words/lanes.
		// Among equals, longer blocks spend less on each comparator, up to
		// blockWords.
		if d := words*bestLanes - bestWords*lanes; d < 0 || d == 0 && words <= blockWords {
			bestLanes, bestWords = lanes, words
			e.setLanes(nl)
		}
	}
}

// setLanes makes the lowest nl digits the lane digits.
func (e *enumeration) setLanes(nl int) {
	e.laneDigits, e.lanes, e.blocks = nl, 1, 1
	for i := range e.digits {
		if i < nl {
			e.lanes *= e.digits[i].radix()
		} else {
			e.blocks *= float64(e.digits[i].radix())
		}
	}
	e.words = int((e.lanes + 63) / 64)
	e.lastMask = ^uint64(0) >> (64*int64(e.words) - e.lanes)
}

// inputs is the number of distinct vectors the enumeration checks, or -1
// if it is too large to count (and to check).
func (e *enumeration) inputs() int64 {
	if e.blocks*float64(e.lanes) >= 1<<62 {
		return -1
	}
	return int64(e.blocks) * e.lanes
}

// perWord is the average number of distinct vectors in a word.
func (e *enumeration) perWord() float64 {
	return float64(e.lanes) / float64(e.words)
}

// cost estimates the work in word-comparator steps: each word of each block
// goes through the rest of the network and the check of its n wires.
func (e *enumeration) cost() float64 {
	if e.inputs() < 0 {
		return math.Inf(1)
	}
	return e.blocks * float64(e.words) * float64(len(e.rest)+e.n)
}

// laneBase returns the inputs of a block with the lane digits set and the
// wires of the word digits 0. Lanes past e.lanes are all 0, an input no
// network gets wrong, and are masked off besides.
func (e *enumeration) laneBase() []uint64 {
	in := make([]uint64, e.n*e.words)
	for l := range e.lanes {
		idx := l
		for i := range e.laneDigits {
			d := &e.digits[i]
			v := d.vals[idx%d.radix()]
			idx /= d.radix()
			for j, w := range d.wires {
				in[w*e.words+int(l/64)] |= (v >> j & 1) << (l % 64)
			}
		}
	}
	return in
}

func (e *enumeration) run(workers int) Verdict {
	// About 1,024 words a unit, as many as amortise handing units out.
	unitBlocks := int64(max(1, 1024/e.words))
	blocks := int64(e.blocks)
	units := (blocks + unitBlocks - 1) / unitBlocks
	word := e.digits[e.laneDigits:]
	base := e.laneBase()
	ce := parallel(units, workers, func() func(int64) []int {
		in := slices.Clone(base)
		x := make([]uint64, len(in))
		scratch := make([]uint64, max(e.words, 2*e.n))
		vals := make([]int64, len(word))
		return func(unit int64) []int {
			b := unit * unitBlocks
			for i := range word {
				d := &word[i]
				vals[i] = b % d.radix()
				b /= d.radix()
				d.fill(in, e.words, vals[i])
			}
			for b := unit * unitBlocks; b < min(blocks, (unit+1)*unitBlocks); b++ {
				copy(x, in)
				applyBlock(x, e.words, e.rest)
				if l := e.firstWrong(x, in, scratch); l >= 0 {
					return e.input(l, vals)
				}
				// Count to the next block, rewriting only the digits that change.
				for i := range word {
					d := &word[i]
					vals[i]++
					if vals[i] < d.radix() {
						d.fill(in, e.words, vals[i])
						break
					}
					vals[i] = 0
					d.fill(in, e.words, 0)
				}
			}
			return nil
		}
	})
	return Verdict{Method: Exhaustive, Sorts: ce == nil, Inputs: e.inputs(), Counterexample: ce}
}

// firstWrong returns the first lane of the block, counting through the
// words, whose output x is wrong, or -1.
func (e *enumeration) firstWrong(x, in, scratch []uint64) int64 {
	nw := e.words
	if e.wires == nil {
		bad := scratch[:nw]
		clear(bad)
		for j := 0; j+1 < e.n; j++ {
			lo, hi := x[j*nw:(j+1)*nw], x[(j+1)*nw:(j+2)*nw]
			hi = hi[:len(lo)]
			for k, v := range lo {
				bad[k] |= v &^ hi[k]
			}
		}
		bad[nw-1] &= e.lastMask
		for k, b := range bad {
			if b != 0 {
				return int64(64*k + bits.TrailingZeros64(b))
			}
		}
		return -1
	}
	col, inCol := scratch[:e.n], scratch[e.n:2*e.n]
	for k := range nw {
		for j := range e.n {
			col[j], inCol[j] = x[j*nw+k], in[j*nw+k]
		}
		b := e.wrong(col, inCol)
		if k == nw-1 {
			b &= e.lastMask
		}
		if b != 0 {
			return int64(64*k + bits.TrailingZeros64(b))
		}
	}
	return -1
}

// input returns the input of the network behind lane l of the block with
// word digits vals.
func (e *enumeration) input(l int64, vals []int64) []int {
	x := make([]int, e.n)
	set := func(d *digit, v int64) {
		p := d.vals[v]
		if d.pre != nil {
			p = d.pre[v]
		}
		for i, w := range d.wires {
			x[w] = int(p >> i & 1)
		}
	}
	for i := range e.laneDigits {
		d := &e.digits[i]
		set(d, l%d.radix())
		l /= d.radix()
	}
	for i, v := range vals {
		set(&e.digits[e.laneDigits+i], v)
	}
	return x
}

// maxImage bounds the distinct values of one digit of newGrouped: the
// outputs of a group's comparators are listed to find them, and a digit
// must fit the lanes of a block or count as a word digit.
const maxImage = 1 << 12

// newGrouped enumerates what a prefix of cs, usually longer than the first
// comparators, can output. It starts from every wire alone (values 0 and
// 1) and takes each comparator in order into the prefix unless a
// comparator on one of its wires has been left out: one inside a group
// maps the group's values through itself, one across two groups joins
// them, its values the comparator applied to every pair of theirs, as long
// as there are at most maxImage pairs. Either way only distinct values are
// kept. Since every comparator of the prefix comes before every other on
// its wires, the network is the prefix followed by the rest, and since the
// groups' wires are disjoint, the prefix outputs exactly the combinations
// of its groups' values: enumerating them checks the rest on everything it
// can be given. Each value keeps the smallest group input that produces
// it, for the counterexample.
func newGrouped(c *checker, cs []Comparator) *enumeration {
	e := &enumeration{checker: c}
	type group struct {
		wires []int
		vals  map[uint64]uint64 // value -> smallest input giving it
	}
	groups := make([]*group, c.n)
	pos := make([]int, c.n) // a wire's bit in its group's values
	for w := range groups {
		groups[w] = &group{wires: []int{w}, vals: map[uint64]uint64{0: 0, 1: 1}}
	}
	closed := make([]bool, c.n)
	for _, cmp := range cs {
		gp, gq := groups[cmp.P], groups[cmp.Q]
		if closed[cmp.P] || closed[cmp.Q] || gp != gq &&
			(len(gp.vals)*len(gq.vals) > maxImage || len(gp.wires)+len(gq.wires) > 64) {
			e.rest = append(e.rest, cmp)
			closed[cmp.P], closed[cmp.Q] = true, true
			continue
		}
		g := gp
		if gp != gq {
			shift := len(gp.wires)
			g = &group{wires: append(slices.Clone(gp.wires), gq.wires...), vals: make(map[uint64]uint64, len(gp.vals)*len(gq.vals))}
			for _, w := range gq.wires {
				pos[w] += shift
				groups[w] = g
			}
			for _, w := range gp.wires {
				groups[w] = g
			}
			for vp, ip := range gp.vals {
				for vq, iq := range gq.vals {
					g.vals[vp|vq<<shift] = ip | iq<<shift
				}
			}
		}
		p, q := pos[cmp.P], pos[cmp.Q]
		out := make(map[uint64]uint64, len(g.vals))
		for v, in := range g.vals {
			a, b := v>>p&1, v>>q&1
			v = v&^(1<<p|1<<q) | (a&b)<<p | (a|b)<<q
			if old, ok := out[v]; !ok || in < old {
				out[v] = in
			}
		}
		g.vals = out
	}
	seen := make(map[*group]bool)
	for w := range c.n {
		g := groups[w]
		if seen[g] {
			continue
		}
		seen[g] = true
		d := digit{wires: g.wires, vals: make([]uint64, 0, len(g.vals))}
		for v := range g.vals {
			d.vals = append(d.vals, v)
		}
		slices.Sort(d.vals)
		d.pre = make([]uint64, len(d.vals))
		for i, v := range d.vals {
			d.pre[i] = g.vals[v]
		}
		e.digits = append(e.digits, d)
	}
	e.packAny()
	return e
}

// packAny makes lane digits of the subset of digits that wastes the least
// lanes and puts them lowest.
func (e *enumeration) packAny() {
	const maxLanes = 64 * maxBlockWords
	// A 0-1 knapsack on products: by[p] is the digit that last reached
	// the product p, from p / its radix, using only digits before it.
	by := make([]int, maxLanes+1)
	for p := range by {
		by[p] = -1
	}
	by[1] = len(e.digits)
	for i := range e.digits {
		r := e.digits[i].radix()
		for p := int64(maxLanes) / r; p >= 1; p-- {
			if by[p] >= 0 && by[p*r] < 0 {
				by[p*r] = i
			}
		}
	}
	best := int64(1)
	for p := int64(2); p <= maxLanes; p++ {
		words := (p + 63) / 64
		if d := words*best - (best+63)/64*p; by[p] >= 0 && (d < 0 || d == 0 && words <= blockWords) {
			best = p
		}
	}
	lane := make([]bool, len(e.digits))
	for p := best; p > 1; p /= e.digits[by[p]].radix() {
		lane[by[p]] = true
	}
	var lanes, words []digit
	for i, d := range e.digits {
		if lane[i] {
			lanes = append(lanes, d)
		} else {
			words = append(words, d)
		}
	}
	e.digits = append(lanes, words...)
	e.setLanes(len(lanes))
}

// A skipCheck leaves out skip, comparators that come before all the others
// on their wires, enumerates what a prefix of the others can output, and
// checks the rest on that. If the others sort every input, so does the
// network, whatever the skipped comparators do; a failure, though, counts
// only if some input of the network leads to it.
type skipCheck struct {
	*enumeration
	skip []Comparator
}

// newSkipCheck skips the fewest leading comparators that leave the most
// first comparators after them (a leading chain, say, that leaves only one
// pair), or returns nil if skipping gains no pair: the fewer it skips, the
// more of what the rest can assume of its inputs it keeps, and the likelier
// the rest sorts them all. What it may skip must come before everything
// else on its wires, so that the network is the skipped part, then the
// rest. It tries the first k comparators for every k, and each comparator
// with all those that must come before it (the chain ending in it), which
// layering may have interleaved with others in the list.
func newSkipCheck(c *checker) *skipCheck {
	m := len(c.all)
	touched := make([]bool, c.n)
	firstPairs := func(skip []bool) (first, skipped int) {
		clear(touched)
		for i, cmp := range c.all {
			if skip[i] {
				skipped++
				continue
			}
			if !touched[cmp.P] && !touched[cmp.Q] {
				first++
			}
			touched[cmp.P], touched[cmp.Q] = true, true
		}
		return first, skipped
	}
	skip := make([]bool, m)
	var best []bool
	most, fewest := firstPairs(skip)
	try := func() {
		if first, skipped := firstPairs(skip); first > most || first == most && best != nil && skipped < fewest {
			best, most, fewest = slices.Clone(skip), first, skipped
		}
	}
	for k := 1; k < m; k++ {
		skip[k-1] = true
		try()
	}
	needed := make([]bool, c.n)
	for j := range m {
		clear(skip)
		clear(needed)
		skip[j] = true
		needed[c.all[j].P], needed[c.all[j].Q] = true, true
		for i := j - 1; i >= 0; i-- {
			if cmp := c.all[i]; needed[cmp.P] || needed[cmp.Q] {
				skip[i] = true
				needed[cmp.P], needed[cmp.Q] = true, true
			}
		}
		try()
	}
	if best == nil {
		return nil
	}
	sc := &skipCheck{}
	var rest []Comparator
	for i, cmp := range c.all {
		if best[i] {
			sc.skip = append(sc.skip, cmp)
		} else {
			rest = append(rest, cmp)
		}
	}
	sc.enumeration = newGrouped(c, rest)
	return sc
}

// run returns the Verdict, or false if the check found a failure it could
// not trace back through the comparators it skipped.
func (sc *skipCheck) run(workers int) (Verdict, bool) {
	v := sc.enumeration.run(workers)
	if v.Sorts {
		return v, true
	}
	var y uint64
	for w, b := range v.Counterexample {
		y |= uint64(b) << w
	}
	nodes := 1 << 20
	x, ok := preimage(sc.skip, y, &nodes)
	if !ok {
		return Verdict{}, false
	}
	for w := range v.Counterexample {
		v.Counterexample[w] = int(x >> w & 1)
	}
	return v, true
}

// preimage searches for an input x that cs maps to the 0-1 vector y,
// working back from the last comparator, within *nodes steps. A comparator
// outputs min on P and max on Q, so its output has y_P <= y_Q, and 01
// comes from 01 or 10, 00 and 11 only from themselves.
func preimage(cs []Comparator, y uint64, nodes *int) (uint64, bool) {
	if len(cs) == 0 {
		return y, true
	}
	if *nodes--; *nodes < 0 {
		return 0, false
	}
	c := cs[len(cs)-1]
	a, b := y>>c.P&1, y>>c.Q&1
	switch {
	case a > b:
		return 0, false
	case a == b:
		return preimage(cs[:len(cs)-1], y, nodes)
	}
	if x, ok := preimage(cs[:len(cs)-1], y, nodes); ok {
		return x, true
	}
	return preimage(cs[:len(cs)-1], y^(1<<c.P|1<<c.Q), nodes)
}

// random checks random inputs in units, each seeded by (seed, unit) so the
// outcome does not depend on the number of workers: half the 0-1 vectors
// have independent uniform bits, half a uniformly random number of ones at
// random places (the threshold images of random permutations, which reach
// the unbalanced vectors uniform bits almost never produce), and some
// permutations are run directly.
func (c *checker) random(inputs int, seed uint64, workers int) Verdict {
	const unitWords, unitPerms = 16, 16
	units := int64(max(1, (inputs+64*unitWords-1)/(64*unitWords)))
	ce := parallel(units, workers, func() func(int64) []int {
		in := make([]uint64, c.n)
		x := make([]uint64, c.n)
		perm := make([]int, c.n)
		out := make([]int, c.n)
		return func(unit int64) []int {
			rng := rand.New(rand.NewPCG(seed, uint64(unit)))
			for i := range perm {
				perm[i] = i
			}
			for w := range unitWords {
				if w%2 == 0 {
					for j := range in {
						in[j] = rng.Uint64()
					}
				} else {
					clear(in)
					for l := range 64 {
						ones := 1 + rng.IntN(c.n-1)
						for i := range ones { // partial Fisher-Yates
							k := i + rng.IntN(c.n-i)
							perm[i], perm[k] = perm[k], perm[i]
							in[perm[i]] |= 1 << l
						}
					}
				}
				copy(x, in)
				apply(x, c.all)
				if bad := c.wrong(x, in); bad != 0 {
					return lane(in, bits.TrailingZeros64(bad))
				}
			}
			for range unitPerms {
				rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
				copy(out, perm)
				for _, cmp := range c.all {
					if out[cmp.Q] < out[cmp.P] {
						out[cmp.P], out[cmp.Q] = out[cmp.Q], out[cmp.P]
					}
				}
				if c.permWrong(out) {
					return append([]int{}, perm...)
				}
			}
			return nil
		}
	})
	return Verdict{Method: Random, Sorts: ce == nil, Inputs: units * (64*unitWords + unitPerms), Counterexample: ce}
}

// permWrong reports whether the output of a permutation of 0..n-1 is wrong:
// sorted, wire j holds j.
func (c *checker) permWrong(out []int) bool {
	if c.wires == nil {
		for j, v := range out {
			if v != j {
				return true
			}
		}
		return false
	}
	for _, j := range c.wires {
		if out[j] != j {
			return true
		}
	}
	return false
}
