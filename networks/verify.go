package networks

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// A Method says how a Verdict was reached.
type Method int

const (
	// Exhaustive checked every 0-1 input (up to what the first comparators
	// make indistinguishable): by the 0-1 principle, a proof.
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
	// Inputs is the number of distinct inputs checked.
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
// leave 3^c * 2^f vectors instead of 2^n. Otherwise it checks random 0-1
// vectors and random permutations, and says so. The zero value is ready to
// use.
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
	var verdict Verdict
	if e := newEnumeration(c); nw.N <= v.MaxExhaustiveWires && e.cost() <= float64(v.Budget) {
		verdict = e.run(v.Workers)
	} else {
		verdict = c.random(v.RandomInputs, v.Seed, v.Workers)
	}
	if !verdict.Sorts {
		return verdict, &SortError{verdict}
	}
	return verdict, nil
}

// A checker applies the network to 64 0-1 vectors at once and tells which
// come out wrong.
type checker struct {
	n     int
	first []Comparator // comparators that come first on both their wires
	rest  []Comparator // the others, in order
	all   []Comparator
	wires []int // the wires to check, nil for all
}

func newChecker(nw *Network, wires []int) *checker {
	c := &checker{n: nw.N, wires: wires, all: nw.Comparators()}
	touched := make([]bool, nw.N)
	for _, cmp := range c.all {
		if !touched[cmp.P] && !touched[cmp.Q] {
			c.first = append(c.first, cmp)
		} else {
			c.rest = append(c.rest, cmp)
		}
		touched[cmp.P], touched[cmp.Q] = true, true
	}
	return c
}

// apply runs comparators on bit-sliced vectors: wire P gets the AND (min),
// wire Q the OR (max).
func apply(x []uint64, cs []Comparator) {
	for _, c := range cs {
		a, b := x[c.P], x[c.Q]
		x[c.P], x[c.Q] = a&b, a|b
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

// An enumeration lists the 0-1 vectors the first comparators can output,
// as mixed-radix numbers: each pair of the first comparators is a digit in
// base 3, each wire they leave free a digit in base 2. The lowest digits
// vary across the 64 lanes of a word (as many as fit), the others from word
// to word.
type enumeration struct {
	*checker
	laneBits []uint64 // per wire: its value in each lane, for lane digits
	digits   []digit  // the word digits, lowest first
	words    int64
	inputs   int64 // distinct vectors
}

type digit struct {
	p, q int // the wires it sets; q < 0 for a free wire (base 2)
}

func (d digit) radix() int64 {
	if d.q < 0 {
		return 2
	}
	return 3
}

// set writes digit value v into the inputs: a free wire is all 0s or all
// 1s; a pair (min p, max q) is 00, 01 or 11.
func (d digit) set(in []uint64, v int64) {
	if d.q < 0 {
		in[d.p] = -uint64(v)
		return
	}
	in[d.p] = -uint64(v >> 1)
	in[d.q] = -uint64((v + 1) >> 1)
}

func newEnumeration(c *checker) *enumeration {
	e := &enumeration{checker: c, laneBits: make([]uint64, c.n)}
	paired := make([]bool, c.n)
	for _, cmp := range c.first {
		paired[cmp.P], paired[cmp.Q] = true, true
	}
	var free []int
	for w := 0; w < c.n; w++ {
		if !paired[w] {
			free = append(free, w)
		}
	}
	// Fill the lanes as well as 2^a * 3^b <= 64 allows, with the lowest
	// free wires and the first pairs.
	lanes, a, b := 1, 0, 0
	for ta := 0; ta <= min(6, len(free)); ta++ {
		tl, tb := 1<<ta, 0
		for tb < len(c.first) && tl*3 <= 64 {
			tl, tb = tl*3, tb+1
		}
		if tl > lanes {
			lanes, a, b = tl, ta, tb
		}
	}
	var laneDigits []digit
	for i, w := range free {
		if i < a {
			laneDigits = append(laneDigits, digit{w, -1})
		} else {
			e.digits = append(e.digits, digit{w, -1})
		}
	}
	for i, cmp := range c.first {
		if i < b {
			laneDigits = append(laneDigits, digit{cmp.P, cmp.Q})
		} else {
			e.digits = append(e.digits, digit{cmp.P, cmp.Q})
		}
	}
	// Lanes past the last combination repeat earlier ones, harmlessly.
	one := make([]uint64, c.n)
	for l := range 64 {
		idx := int64(l % lanes)
		for _, d := range laneDigits {
			r := d.radix()
			clear(one)
			d.set(one, idx%r)
			idx /= r
			for w, b := range one {
				e.laneBits[w] |= b & (1 << l)
			}
		}
	}
	words := 1.0
	for _, d := range e.digits {
		words *= float64(d.radix())
	}
	e.words = math.MaxInt64
	if words < 1<<62 {
		e.words = int64(words)
		e.inputs = e.words * int64(lanes)
	}
	return e
}

// cost estimates the work in word-comparator steps.
func (e *enumeration) cost() float64 {
	return float64(e.words) * float64(len(e.rest)+e.n)
}

func (e *enumeration) run(workers int) Verdict {
	const unitWords = 1 << 10
	units := (e.words + unitWords - 1) / unitWords
	ce := parallel(units, workers, func() func(int64) []int {
		in := make([]uint64, e.n)
		x := make([]uint64, e.n)
		vals := make([]int64, len(e.digits))
		return func(unit int64) []int {
			copy(in, e.laneBits)
			w := unit * unitWords
			for i, d := range e.digits {
				vals[i] = w % d.radix()
				w /= d.radix()
				d.set(in, vals[i])
			}
			for w := unit * unitWords; w < min(e.words, (unit+1)*unitWords); w++ {
				copy(x, in)
				apply(x, e.rest)
				if bad := e.wrong(x, in); bad != 0 {
					return lane(in, bits.TrailingZeros64(bad))
				}
				// Count to the next word, rewriting only the digits that change.
				for i, d := range e.digits {
					vals[i]++
					if vals[i] < d.radix() {
						d.set(in, vals[i])
						break
					}
					vals[i] = 0
					d.set(in, 0)
				}
			}
			return nil
		}
	})
	return Verdict{Method: Exhaustive, Sorts: ce == nil, Inputs: e.inputs, Counterexample: ce}
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
