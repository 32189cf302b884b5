package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/gen/plan"
)

// The values-only kernel of the hard and error-free swaps needs no weights:
// a comparator is one VMINPS and one VMAXPS. Run from the step table, as
// the other kernels are, it spent most of its time loading and storing the
// two wires and walking the table. Fully unrolled, it instead keeps wires
// in registers across comparators: the steps are reordered (within what
// the network's data flow allows) so that consecutive comparators share
// wires, and the sixteen YMM (32 ZMM) registers serve as a cache of wires, evicting
// the wire used furthest in the future (Belady's rule, optimal for a known
// sequence) and storing it back to the lane-major scratch.

// unrolledSortMax bounds the comparators of an unrolled kernel: about 12
// bytes of code per comparator plus loads and stores, so at most a few
// hundred kilobytes; larger networks keep the table-driven kernel.
const unrolledSortMax = 1 << 14

// unrollSort reports whether fnSort is emitted by hardSortKernel.
func unrollSort(p *plan.Plan) bool {
	return p.Swap.HardForward() && len(p.Steps) <= unrolledSortMax
}

// localOrder returns the indices of p's steps in an order that keeps every
// wire's comparators in network order (so the result is the same) and
// prefers, among the steps whose inputs are ready, those whose wires were
// used most recently, as a cache of capacity wires would hold them; ties
// go to the earliest step. On the usual networks this finishes small
// sub-networks before starting others instead of sweeping whole layers.
func localOrder(p *plan.Plan, capacity int) []int {
	n, steps := p.N(), p.Steps
	// next[k][s]: the following step on wire P (s=0) or Q (s=1) of step k.
	waiting := make([]int, len(steps)) // unfinished predecessors of each step
	last := make([]int, n)
	for w := range last {
		last[w] = -1
	}
	next := make([][2]int, len(steps))
	for k, st := range steps {
		next[k] = [2]int{-1, -1}
		for _, w := range [2]int{st.P, st.Q} {
			if j := last[w]; j >= 0 {
				side := 0
				if steps[j].Q == w {
					side = 1
				}
				next[j][side] = k
				waiting[k]++
			}
			last[w] = k
		}
	}
	var ready []int
	for k := range steps {
		if waiting[k] == 0 {
			ready = append(ready, k)
		}
	}
	used := make([]int, n) // time of a wire's last use, 0 if never
	order := make([]int, 0, len(steps))
	for t := 1; len(ready) > 0; t++ {
		// Rank the ready steps by how recently their wires were used,
		// counting only wires the cache would still hold.
		cutoff := t - capacity
		best, bestScore := -1, -1
		for i, k := range ready {
			score := 0
			for _, w := range [2]int{steps[k].P, steps[k].Q} {
				if used[w] > 0 && used[w] > cutoff {
					score += 1 + used[w]
				}
			}
			if score > bestScore || (score == bestScore && k < ready[best]) {
				best, bestScore = i, score
			}
		}
		k := ready[best]
		ready[best] = ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		order = append(order, k)
		used[steps[k].P], used[steps[k].Q] = t, t
		for _, j := range next[k] {
			if j >= 0 {
				if waiting[j]--; waiting[j] == 0 {
					ready = append(ready, j)
				}
			}
		}
	}
	return order
}

// hardSortKernel emits fnSort for a hard forward pass: the steps of p in
// localOrder, unrolled, on wires cached in Y0-Y15 (Z0-Z31 when wide).
func (k *kbuilder) hardSortKernel(p *plan.Plan) error {
	if !unrollSort(p) {
		return fmt.Errorf("asm: %d steps of %v cannot be unrolled", len(p.Steps), p.Swap)
	}
	k.function(fnSort, "(xs *"+k.goType()+")",
		fmt.Sprintf("runs one block of %d lanes through the network (lane-major scratch; see kernels_amd64.go), unrolled, with wires cached in registers.", k.lanes()))
	xs := k.loadArg("xs")
	wire := func(w int) operand.Mem { return mem(xs, nil, 0, w*k.rb()) }

	regs := []reg.VecPhysical{reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7,
		reg.Y8, reg.Y9, reg.Y10, reg.Y11, reg.Y12, reg.Y13, reg.Y14, reg.Y15}
	if k.wide {
		regs = []reg.VecPhysical{reg.Z0, reg.Z1, reg.Z2, reg.Z3, reg.Z4, reg.Z5, reg.Z6, reg.Z7,
			reg.Z8, reg.Z9, reg.Z10, reg.Z11, reg.Z12, reg.Z13, reg.Z14, reg.Z15,
			reg.Z16, reg.Z17, reg.Z18, reg.Z19, reg.Z20, reg.Z21, reg.Z22, reg.Z23,
			reg.Z24, reg.Z25, reg.Z26, reg.Z27, reg.Z28, reg.Z29, reg.Z30, reg.Z31}
	}
	// One register is the destination of each comparator's minimum.
	wireRegisters := len(regs) - 1
	order := localOrder(p, wireRegisters)
	// uses[w] lists the positions in order at which wire w is used, so
	// that the next use of a wire after position i is found by popping.
	uses := make([][]int, p.N())
	for i, s := range order {
		st := p.Steps[s]
		uses[st.P] = append(uses[st.P], i)
		uses[st.Q] = append(uses[st.Q], i)
	}
	nextUse := func(w int) int {
		if len(uses[w]) == 0 {
			return len(order) // never again
		}
		return uses[w][0]
	}

	holder := make([]int, len(regs)) // wire held by each register, -1 if free
	for i := range holder {
		holder[i] = -1
	}
	where := make([]int, p.N()) // register holding each wire, -1 if in memory
	for w := range where {
		where[w] = -1
	}
	cached := 0
	free := func() int {
		for r, w := range holder {
			if w < 0 {
				return r
			}
		}
		panic("asm: no free register") // the cache keeps one free
	}
	// load brings wire w into a register, evicting the cached wire (other
	// than keep) used furthest in the future.
	load := func(w, keep int) {
		if where[w] >= 0 {
			return
		}
		if cached == wireRegisters {
			victim, far := -1, -1
			for _, v := range holder {
				if v >= 0 && v != keep && nextUse(v) > far {
					victim, far = v, nextUse(v)
				}
			}
			k.v.MovU(regs[where[victim]], wire(victim))
			holder[where[victim]], where[victim] = -1, -1
			cached--
		}
		r := free()
		k.v.MovU(wire(w), regs[r])
		holder[r], where[w] = w, r
		cached++
	}
	for _, s := range order {
		st := p.Steps[s]
		uses[st.P] = uses[st.P][1:]
		uses[st.Q] = uses[st.Q][1:]
		load(st.P, st.Q)
		load(st.Q, st.P)
		ra, rb, rt := where[st.P], where[st.Q], free()
		// lo = b < a ? b : a and hi = a > b ? a : b: on a tie a goes to P
		// and b to Q, as the interpreter's a <= b keeps them.
		k.v.Min(regs[ra], regs[rb], regs[rt])
		k.v.Max(regs[rb], regs[ra], regs[ra])
		holder[rt], where[st.P] = st.P, rt
		holder[ra], where[st.Q] = st.Q, ra
		holder[rb] = -1
	}
	for r, w := range holder {
		if w >= 0 {
			k.v.MovU(regs[r], wire(w))
		}
	}
	k.VZEROUPPER()
	k.RET()
	return nil
}
