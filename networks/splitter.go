package networks

import (
	"fmt"
	"slices"
)

// maxSplitSearch is the largest k for which SplitterSelection tries every
// way of splitting the inputs in two; above it the merges get too many to
// build them all, and it splits in halves only.
const maxSplitSearch = 32

// SplitterSelection returns a selection network for the k largest of n
// inputs in the manner of difftopk's splitter selection network (Petersen
// et al., ICML 2022): wires n-k, ..., n-1 end up holding the k largest
// values in ascending order (VerifyTopK proves it). It splits the inputs
// into blocks, sorts the top of each block with the smallest known sorting
// network (Best, BestDepth) pruned to its top k, and merges pairs of sorted
// lists keeping only their top k (Batcher's odd-even or bitonic merge,
// whichever is smaller). The blocks and the merge tree are chosen by
// dynamic programming for the fewest comparators, then the fewest layers.
// Wires are relabelled so that the result lands on the top k wires, which
// can reverse comparators (P > Q); for (n, k) = (100, 5) none are.
func SplitterSelection(n, k int) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("networks: top-k needs 1 <= k <= n = %d, got k = %d", n, k)
	}
	p := newSplitPlanner(k)
	if err := p.plan(n); err != nil {
		return nil, err
	}
	wires := make([]int, n)
	for i := range wires {
		wires[i] = i
	}
	cs, out := p.build(n, wires, nil)
	// Put the j-th largest on wire n-1-j and the other wires below, in
	// their order.
	target := make([]int, n)
	isOut := make([]bool, n)
	for j, w := range out {
		target[w] = n - k + j
		isOut[w] = true
	}
	next := 0
	for w := range target {
		if !isOut[w] {
			target[w] = next
			next++
		}
	}
	for i, c := range cs {
		cs[i] = Comparator{target[c.P], target[c.Q]}
	}
	nw, err := FromFlat(n, cs)
	if err != nil {
		return nil, err
	}
	return TopK(nw, k)
}

// A splitPart is a network on local wires 0..m-1 whose inputs are sorted
// lists (or arbitrary, for a block) and whose sorted output is on out,
// ascending.
type splitPart struct {
	cs          []Comparator
	out         []int
	size, depth int
}

// A splitChoice is how SplitterSelection handles m inputs: as one block
// (split 0) or as a list of split inputs merged with one of m-split.
type splitChoice struct {
	split       int
	size, depth int
}

type splitPlanner struct {
	k      int
	choice []splitChoice // by number of inputs
	blocks map[int]splitPart
	merges map[[2]int]splitPart
}

func newSplitPlanner(k int) *splitPlanner {
	return &splitPlanner{k: k, blocks: map[int]splitPart{}, merges: map[[2]int]splitPart{}}
}

// beatenBy reports whether (size, depth) is smaller than c: fewer comparators, then fewer layers.
func (c splitChoice) beatenBy(size, depth int) bool {
	return size < c.size || size == c.size && depth < c.depth
}

func (p *splitPlanner) plan(n int) error {
	p.choice = make([]splitChoice, n+1)
	p.choice[1] = splitChoice{}
	for m := 2; m <= n; m++ {
		c := splitChoice{size: -1}
		if m <= MaxBest {
			b, err := p.block(m)
			if err != nil {
				return err
			}
			c = splitChoice{split: 0, size: b.size, depth: b.depth}
		}
		lo := 1
		if p.k > maxSplitSearch {
			lo = m / 2
		}
		for a := lo; a <= m/2; a++ {
			ca, cb := p.choice[a], p.choice[m-a]
			mg := p.merge(min(a, p.k), min(m-a, p.k))
			size, depth := ca.size+cb.size+mg.size, max(ca.depth, cb.depth)+mg.depth
			if c.size < 0 || c.beatenBy(size, depth) {
				c = splitChoice{split: a, size: size, depth: depth}
			}
		}
		p.choice[m] = c
	}
	return nil
}

// build appends the network for the inputs on wires to cs and returns it
// with the wires of the sorted top, ascending.
func (p *splitPlanner) build(m int, wires []int, cs []Comparator) ([]Comparator, []int) {
	if m == 1 {
		return cs, wires
	}
	var part splitPart
	var local []int // local wire -> wire
	if a := p.choice[m].split; a == 0 {
		part, local = p.blocks[m], wires
	} else {
		var outA, outB []int
		cs, outA = p.build(a, wires[:a], cs)
		cs, outB = p.build(m-a, wires[a:], cs)
		part = p.merges[[2]int{len(outA), len(outB)}]
		local = append(slices.Clip(outA), outB...)
	}
	for _, c := range part.cs {
		cs = append(cs, Comparator{local[c.P], local[c.Q]})
	}
	out := make([]int, len(part.out))
	for i, w := range part.out {
		out[i] = local[w]
	}
	return cs, out
}

// block is the smaller of Best(m) and BestDepth(m) pruned to its top k.
func (p *splitPlanner) block(m int) (splitPart, error) {
	if b, ok := p.blocks[m]; ok {
		return b, nil
	}
	t := min(m, p.k)
	var best splitPart
	for i, c := range []Constructor{Best, BestDepth} {
		nw, err := c(m)
		if err == nil {
			nw, err = TopK(nw, t)
		}
		if err != nil {
			return splitPart{}, err
		}
		if i == 0 || (splitChoice{size: best.size, depth: best.depth}).beatenBy(nw.Size(), nw.Depth()) {
			best = splitPart{cs: nw.Comparators(), size: nw.Size(), depth: nw.Depth()}
		}
	}
	best.out = make([]int, t)
	for j := range best.out {
		best.out[j] = m - t + j
	}
	p.blocks[m] = best
	return best, nil
}

// merge is a network on a+b wires, a sorted list on wires 0..a-1 and one
// on a..a+b-1, that puts the top min(a+b, k) of both in order on its out
// wires: the smaller of Batcher's odd-even merge and the bitonic merge.
func (p *splitPlanner) merge(a, b int) splitPart {
	if m, ok := p.merges[[2]int{a, b}]; ok {
		return m
	}
	t := min(a+b, p.k)
	half := nextPow2(max(a, b))
	var best splitPart
	for i, slots := range [][]Comparator{oddEvenMergeSlots(half), bitonicMergeSlots(half)} {
		m := mergeOnWires(slots, half, a, b, t)
		if i == 0 || (splitChoice{size: best.size, depth: best.depth}).beatenBy(m.size, m.depth) {
			best = m
		}
	}
	p.merges[[2]int{a, b}] = best
	return best
}

// oddEvenMergeSlots is Batcher's odd-even merge of two sorted lists on
// slots 0..half-1 and half..2half-1, for half a power of two.
func oddEvenMergeSlots(half int) []Comparator {
	var cs []Comparator
	var merge func(lo, hi, r int) // hi inclusive, elements r apart
	merge = func(lo, hi, r int) {
		step := 2 * r
		if step >= hi-lo {
			cs = append(cs, Comparator{lo, lo + r})
			return
		}
		merge(lo, hi, step)
		merge(lo+r, hi, step)
		for i := lo + r; i+r < hi; i += step {
			cs = append(cs, Comparator{i, i + r})
		}
	}
	merge(0, 2*half-1, 1)
	return cs
}

// bitonicMergeSlots merges two sorted lists on slots 0..half-1 and
// half..2half-1 by comparing each slot with its mirror image, which leaves
// two bitonic halves, and half-cleaners.
func bitonicMergeSlots(half int) []Comparator {
	var cs []Comparator
	for i := range half {
		cs = append(cs, Comparator{i, 2*half - 1 - i})
	}
	for m := half / 2; m >= 1; m /= 2 {
		for s := 0; s < 2*half; s += 2 * m {
			for i := range m {
				cs = append(cs, Comparator{s + i, s + i + m})
			}
		}
	}
	return cs
}

// mergeOnWires runs an ascending merge on 2half slots with the a (b)
// values of the first (second) list in the top slots of its half and -inf
// in the others, and returns the comparators it makes on the a+b wires,
// pruned to those the top t slots depend on. A comparator with -inf on its
// low slot does nothing; one with -inf only on its high slot always swaps,
// which moves the wire instead of comparing.
func mergeOnWires(slots []Comparator, half, a, b, t int) splitPart {
	wire := make([]int, 2*half) // wire on each slot, -1 for -inf
	for s := range wire {
		wire[s] = -1
	}
	for i := range a {
		wire[half-a+i] = i
	}
	for i := range b {
		wire[2*half-b+i] = a + i
	}
	var cs []Comparator
	for _, c := range slots {
		switch wp, wq := wire[c.P], wire[c.Q]; {
		case wp < 0:
		case wq < 0:
			wire[c.P], wire[c.Q] = wq, wp
		default:
			cs = append(cs, Comparator{wp, wq})
		}
	}
	out := wire[2*half-t:]
	cs = pruneTo(cs, a+b, out)
	last := make([]int, a+b)
	depth := 0
	for _, c := range cs {
		l := max(last[c.P], last[c.Q]) + 1
		last[c.P], last[c.Q] = l, l
		depth = max(depth, l)
	}
	return splitPart{cs: cs, out: slices.Clone(out), size: len(cs), depth: depth}
}

// pruneTo keeps the comparators of cs on which the wires out depend.
func pruneTo(cs []Comparator, n int, out []int) []Comparator {
	needed := make([]bool, n)
	for _, w := range out {
		needed[w] = true
	}
	var kept []Comparator
	for i := len(cs) - 1; i >= 0; i-- {
		if c := cs[i]; needed[c.P] || needed[c.Q] {
			kept = append(kept, c)
			needed[c.P], needed[c.Q] = true, true
		}
	}
	slices.Reverse(kept)
	return kept
}
