package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/operand"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// The kernels do not unroll the network: they walk a compact step table in
// read-only data, so that code size does not depend on the network (an
// odd-even transposition network on 1024 wires has 523,776 comparators).
// The table is a sequence of runs; a run is a sequence of steps whose wires
// and support rows advance by constant deltas (a layer of odd-even
// transposition is at most three runs, a bitonic sub-block of m
// comparators is one run), which keeps the table small for regular
// networks.
//
// A run, as int32 words:
//
//	count            number of steps (0 ends the table)
//	p, q             wires of the first step
//	dp, dq           wire deltas between consecutive steps
//	dlo, dhi         deltas of the range bounds between consecutive steps
//	rows             support rows of the first step (sum of the range lengths)
//	nranges          number of row ranges of each step (> 1 only if count == 1)
//	lo, hi           nranges times: the half-open row ranges of the first step
const (
	runCount = 4 * iota
	runP
	runQ
	runDP
	runDQ
	runDLo
	runDHi
	runRows
	runNRanges
	runHeader // byte size of the header; ranges follow
)

// A run is one entry of the step table.
type run struct {
	count, p, q, dp, dq, dlo, dhi, rows int
	ranges                              []networks.Range
}

// runs compresses the steps of p into runs, in execution order.
func runs(p *plan.Plan) []run {
	var out []run
	steps := p.Steps
	for i := 0; i < len(steps); {
		st := steps[i]
		r := run{count: 1, p: st.P, q: st.Q, rows: st.RowCount, ranges: st.Rows}
		if len(st.Rows) == 1 && i+1 < len(steps) && len(steps[i+1].Rows) == 1 {
			nx := steps[i+1]
			r.dp, r.dq = nx.P-st.P, nx.Q-st.Q
			r.dlo, r.dhi = nx.Rows[0].Lo-st.Rows[0].Lo, nx.Rows[0].Hi-st.Rows[0].Hi
			for j := i + 1; j < len(steps); j++ {
				s := steps[j]
				c := j - i
				if len(s.Rows) != 1 || s.P != st.P+c*r.dp || s.Q != st.Q+c*r.dq ||
					s.Rows[0].Lo != st.Rows[0].Lo+c*r.dlo || s.Rows[0].Hi != st.Rows[0].Hi+c*r.dhi {
					break
				}
				r.count++
			}
		}
		if r.count == 1 {
			r.dp, r.dq, r.dlo, r.dhi = 0, 0, 0, 0
		}
		out = append(out, r)
		i += r.count
	}
	return out
}

// reversed is the runs of the backward pass: the steps in reverse order.
func reversed(rs []run) []run {
	out := make([]run, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		c := r.count - 1
		v := run{count: r.count, p: r.p + c*r.dp, q: r.q + c*r.dq, dp: -r.dp, dq: -r.dq, dlo: -r.dlo, dhi: -r.dhi,
			rows: r.rows + c*(r.dhi-r.dlo)}
		for _, g := range r.ranges {
			v.ranges = append(v.ranges, networks.Range{Lo: g.Lo + c*r.dlo, Hi: g.Hi + c*r.dhi})
		}
		out = append(out, v)
	}
	return out
}

// words encodes runs as the table's int32 words, terminated by a zero count.
func words(rs []run) []int32 {
	var w []int32
	for _, r := range rs {
		w = append(w, int32(r.count), int32(r.p), int32(r.q), int32(r.dp), int32(r.dq), int32(r.dlo), int32(r.dhi), int32(r.rows), int32(len(r.ranges)))
		for _, g := range r.ranges {
			w = append(w, int32(g.Lo), int32(g.Hi))
		}
	}
	return append(w, 0, 0) // count 0; padded to 8 bytes
}

// table emits a step table as a static read-only global and returns its
// address.
func (k *kbuilder) table(name string, rs []run) operand.Mem {
	w := words(rs)
	if len(w)%2 == 1 {
		w = append(w, 0)
	}
	m := k.StaticGlobal(name)
	k.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < len(w); i += 2 {
		k.AppendDatum(operand.U64(uint64(uint32(w[i])) | uint64(uint32(w[i+1]))<<32))
	}
	return m
}

// checkPlan rejects plans the kernels cannot run.
func checkPlan(p *plan.Plan) error {
	n := p.N()
	if n < 2 {
		return fmt.Errorf("asm: need at least 2 wires, got %d", n)
	}
	// Byte offsets of the P scratch (n*n rows of 32 bytes) are computed
	// in 32-bit signed arithmetic in the table and 64-bit in the kernel;
	// keep them comfortably in range.
	if n > 8192 {
		return fmt.Errorf("asm: at most 8192 wires, got %d", n)
	}
	if len(p.Steps) == 0 {
		return fmt.Errorf("asm: empty network")
	}
	return nil
}
