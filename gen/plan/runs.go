package plan

import "github.com/sortgen/sortgen/networks"

// A Run is a sequence of consecutive steps whose wires and support rows
// advance by constant deltas: a layer of odd-even transposition is at most
// three runs, a bitonic sub-block one. Kernels that loop rather than unroll
// walk the runs, so that their tables stay small for regular networks.
type Run struct {
	Count    int // number of steps
	P, Q     int // wires of the first step
	DP, DQ   int // wire deltas between consecutive steps
	DLo, DHi int // deltas of the row-range bounds between consecutive steps
	Rows     int // support rows of the first step (the sum of the range lengths)
	// Ranges are the support rows of the first step; more than one only
	// when Count is 1.
	Ranges []networks.Range
}

// Runs compresses the steps of p into runs, in execution order.
func (p *Plan) Runs() []Run {
	var out []Run
	steps := p.Steps
	for i := 0; i < len(steps); {
		st := steps[i]
		r := Run{Count: 1, P: st.P, Q: st.Q, Rows: st.RowCount, Ranges: st.Rows}
		if len(st.Rows) == 1 && i+1 < len(steps) && len(steps[i+1].Rows) == 1 {
			nx := steps[i+1]
			r.DP, r.DQ = nx.P-st.P, nx.Q-st.Q
			r.DLo, r.DHi = nx.Rows[0].Lo-st.Rows[0].Lo, nx.Rows[0].Hi-st.Rows[0].Hi
			for j := i + 1; j < len(steps); j++ {
				s := steps[j]
				c := j - i
				if len(s.Rows) != 1 || s.P != st.P+c*r.DP || s.Q != st.Q+c*r.DQ ||
					s.Rows[0].Lo != st.Rows[0].Lo+c*r.DLo || s.Rows[0].Hi != st.Rows[0].Hi+c*r.DHi {
					break
				}
				r.Count++
			}
		}
		if r.Count == 1 {
			r.DP, r.DQ, r.DLo, r.DHi = 0, 0, 0, 0
		}
		out = append(out, r)
		i += r.Count
	}
	return out
}

// ReverseRuns is the runs of a backward pass: the steps of rs in reverse
// order.
func ReverseRuns(rs []Run) []Run {
	out := make([]Run, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		c := r.Count - 1
		v := Run{Count: r.Count, P: r.P + c*r.DP, Q: r.Q + c*r.DQ, DP: -r.DP, DQ: -r.DQ, DLo: -r.DLo, DHi: -r.DHi,
			Rows: r.Rows + c*(r.DHi-r.DLo)}
		for _, g := range r.Ranges {
			v.Ranges = append(v.Ranges, networks.Range{Lo: g.Lo + c*r.DLo, Hi: g.Hi + c*r.DHi})
		}
		out = append(out, v)
	}
	return out
}

// The layout of a run in RunWords: RunHeaderWords int32 words, then
// 2*nranges words of (lo, hi) pairs.
const (
	RunCount = iota
	RunP
	RunQ
	RunDP
	RunDQ
	RunDLo
	RunDHi
	RunRows
	RunNRanges
	RunHeaderWords
)

// RunWords encodes rs as int32 words in the layout above, terminated by
// two zero words (a zero count) and padded to an even length, for 8-byte
// data words.
func RunWords(rs []Run) []int32 {
	var w []int32
	for _, r := range rs {
		w = append(w, int32(r.Count), int32(r.P), int32(r.Q), int32(r.DP), int32(r.DQ), int32(r.DLo), int32(r.DHi), int32(r.Rows), int32(len(r.Ranges)))
		for _, g := range r.Ranges {
			w = append(w, int32(g.Lo), int32(g.Hi))
		}
	}
	w = append(w, 0, 0)
	if len(w)%2 == 1 {
		w = append(w, 0)
	}
	return w
}

// ExpandRuns is the inverse of Runs: the wires and support rows of every
// step rs covers, in order.
func ExpandRuns(rs []Run) []Step {
	var out []Step
	for _, r := range rs {
		for c := 0; c < r.Count; c++ {
			st := Step{P: r.P + c*r.DP, Q: r.Q + c*r.DQ}
			for _, g := range r.Ranges {
				g = networks.Range{Lo: g.Lo + c*r.DLo, Hi: g.Hi + c*r.DHi}
				st.Rows = append(st.Rows, g)
				st.RowCount += g.Hi - g.Lo
			}
			out = append(out, st)
		}
	}
	return out
}
