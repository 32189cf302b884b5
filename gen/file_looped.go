package gen

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/sortgen/sortgen/gen/plan"
)

// loopedHelpers are the helpers of kernels_generic.go the looped row
// functions call, by kernel.
func (m *model) loopedHelpers() []string {
	var used []string
	for _, k := range m.kernels {
		switch {
		case k == kSort && m.hard:
			used = append(used, "order")
		case k == kSort:
			used = append(used, "compare")
		case k == kForward && m.hard:
			used = append(used, "record", "order")
		case k == kForward:
			used = append(used, "record", "mix")
		case k == kForwardP && m.hard:
		case k == kForwardP:
			used = append(used, "weight", "mix")
		case k == kForwardPTape && m.hard:
			used = append(used, "record")
		case k == kForwardPTape:
			used = append(used, "record", "mix")
		case k == kBackward:
			used = append(used, "backprop")
		case k == kBackwardP:
			used = append(used, "backpropDot", "mix")
		}
	}
	return used
}

// loopedData fills loopedTemplate.
type loopedData struct {
	Header, Package, T string
	Hard, Diffable     bool
	// Params declares the swap parameters of a forward row function
	// ("beta float64"), Args passes them (", beta"); empty when none.
	Params, Args         string
	Steps, Runs          int
	Forward, Backward    string // Go literal rows of the two tables
	ForwardLen, BackLen  int
	RunHeader, RunNRange int
}

// renderLooped emits kernels_table.go: the row functions of a network too
// large to unroll, which walk tables of runs (plan.Runs) instead. They do
// the arithmetic of the unrolled kernels in the same order, with the same
// mix, so the results are bitwise those of the unrolled code; their column
// loops are inline, where the unrolled code calls a helper per range to
// keep its compile time down.
func renderLooped(m *model) ([]byte, error) {
	rs := m.p.Runs()
	d := loopedData{
		Header: Header, Package: m.pkg, T: m.elem,
		Hard: m.hard, Diffable: m.grad != nil,
		Steps: len(m.p.Steps), Runs: len(rs),
		RunHeader: plan.RunHeaderWords, RunNRange: plan.RunNRanges,
	}
	switch {
	case m.soft == nil && m.grad == nil:
	case m.lambda():
		d.Params, d.Args = "beta, lambda float64", ", beta, lambda"
	default:
		d.Params, d.Args = "beta float64", ", beta"
	}
	fwd, bwd := plan.RunWords(rs), plan.RunWords(plan.ReverseRuns(rs))
	d.Forward, d.ForwardLen = int32Rows(fwd), len(fwd)
	d.Backward, d.BackLen = int32Rows(bwd), len(bwd)
	var out bytes.Buffer
	if err := loopedTemplate.Execute(&out, d); err != nil {
		return nil, err
	}
	return gofmt(out.Bytes())
}

// int32Rows lays out words as Go literal rows of 16.
func int32Rows(w []int32) string {
	var b strings.Builder
	for i, v := range w {
		if i%16 == 0 {
			b.WriteString("\n\t")
		} else {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d,", v)
	}
	b.WriteString("\n")
	return b.String()
}

var loopedTemplate = template.Must(template.New("looped").Parse(`{{.Header}}

package {{.Package}}

// The {{.Steps}} comparators as {{.Runs}} runs: a run is count, p, q, dp, dq,
// dlo, dhi, rows, nranges, then nranges (lo, hi) pairs; its step c works
// on wires p+c*dp and q+c*dq and on the support rows [lo+c*dlo, hi+c*dhi) of
// their columns of P. A zero count ends the table. backwardRuns lists the
// same steps last to first.
var (
	forwardRuns = [{{.ForwardLen}}]int32{ {{- .Forward -}} }
	backwardRuns = [{{.BackLen}}]int32{ {{- .Backward -}} }
)

// A run is one entry of a table.
type run struct {
	count, p, q, dp, dq, dlo, dhi int
	ranges []int32 // (lo, hi) pairs of the first step
}

// nextRun decodes the run at word t of tab; ok is false at the end.
func nextRun(tab []int32, t int) (r run, next int, ok bool) {
	if tab[t] == 0 {
		return run{}, t, false
	}
	h := tab[t : t+{{.RunHeader}}]
	r = run{count: int(h[0]), p: int(h[1]), q: int(h[2]), dp: int(h[3]), dq: int(h[4]), dlo: int(h[5]), dhi: int(h[6])}
	next = t + {{.RunHeader}} + 2*int(h[{{.RunNRange}}])
	r.ranges = tab[t+{{.RunHeader}} : next]
	return r, next, true
}

// rows is range k of step c of r.
func (r *run) rows(c, k int) (lo, hi int) {
	return int(r.ranges[2*k]) + c*r.dlo, int(r.ranges[2*k+1]) + c*r.dhi
}

// rowCount is the number of support rows of step c of r.
func (r *run) rowCount(c int) int {
	s := 0
	for k := 0; k < len(r.ranges)/2; k++ {
		lo, hi := r.rows(c, k)
		s += hi - lo
	}
	return s
}

// sortRow sorts one row in place.
func sortRow(v *[N]{{.T}}{{if not .Hard}}, {{.Params}}{{end}}) {
	for r, t, ok := nextRun(forwardRuns[:], 0); ok; r, t, ok = nextRun(forwardRuns[:], t) {
		p, q := r.p, r.q
		for c := 0; c < r.count; c++ {
{{- if .Hard}}
			v[p], v[q] = order(v[p], v[q])
{{- else}}
			v[p], v[q] = compare(v[p], v[q]{{.Args}})
{{- end}}
			p, q = p+r.dp, q+r.dq
		}
	}
}

// forwardPRow sorts one row in place and updates P from the identity.
func forwardPRow(v *[N]{{.T}}, m *[N * N]{{.T}}{{if not .Hard}}, {{.Params}}{{end}}) {
	for r, t, ok := nextRun(forwardRuns[:], 0); ok; r, t, ok = nextRun(forwardRuns[:], t) {
		p, q := r.p, r.q
		for c := 0; c < r.count; c++ {
{{- if .Hard}}
			if v[q] < v[p] {
				v[p], v[q] = v[q], v[p]
				for k := 0; k < len(r.ranges)/2; k++ {
					lo, hi := r.rows(c, k)
					cp, cq := m[p*N+lo:p*N+hi], m[q*N+lo:q*N+hi]
				cq = cq[:len(cp)]
				for j, a := range cp {
					cp[j], cq[j] = cq[j], a
				}
				}
			}
{{- else}}
			w := weight(v[p], v[q]{{.Args}})
			v[p], v[q] = mix(w, v[p], v[q])
			for k := 0; k < len(r.ranges)/2; k++ {
				lo, hi := r.rows(c, k)
				cp, cq := m[p*N+lo:p*N+hi], m[q*N+lo:q*N+hi]
				cq = cq[:len(cp)]
				for j, a := range cp {
					cp[j], cq[j] = mix(w, a, cq[j])
				}
			}
{{- end}}
			p, q = p+r.dp, q+r.dq
		}
	}
}
{{- if .Diffable}}

// forwardRow sorts one row in place and records its tape.
func forwardRow(v *[N]{{.T}}, tp *[TapeLen]{{.T}}, {{.Params}}) {
	i := 0
	for r, t, ok := nextRun(forwardRuns[:], 0); ok; r, t, ok = nextRun(forwardRuns[:], t) {
		p, q := r.p, r.q
		for c := 0; c < r.count; c++ {
			tp[3*i], tp[3*i+1], tp[3*i+2] = record(v[p], v[q]{{.Args}})
{{- if .Hard}}
			v[p], v[q] = order(v[p], v[q])
{{- else}}
			v[p], v[q] = mix(tp[3*i+1], v[p], v[q])
{{- end}}
			p, q, i = p+r.dp, q+r.dq, i+1
		}
	}
}

// forwardPTapeRow sorts one row in place, updates P from the identity and
// records the tape and the column differences.
func forwardPTapeRow(v *[N]{{.T}}, m *[N * N]{{.T}}, tp *[TapeLen]{{.T}}, df *[DiffLen]{{.T}}, {{.Params}}) {
	i, o := 0, 0
	for r, t, ok := nextRun(forwardRuns[:], 0); ok; r, t, ok = nextRun(forwardRuns[:], t) {
		p, q := r.p, r.q
		for c := 0; c < r.count; c++ {
			tp[3*i], tp[3*i+1], tp[3*i+2] = record(v[p], v[q]{{.Args}})
{{- if .Hard}}
			for k := 0; k < len(r.ranges)/2; k++ {
				lo, hi := r.rows(c, k)
				cp, cq, d := m[p*N+lo:p*N+hi], m[q*N+lo:q*N+hi], df[o:o+hi-lo]
				cq, d = cq[:len(cp)], d[:len(cp)]
				for j, a := range cp {
					d[j] = a - cq[j]
				}
				o += hi - lo
			}
			if v[q] < v[p] {
				v[p], v[q] = v[q], v[p]
				for k := 0; k < len(r.ranges)/2; k++ {
					lo, hi := r.rows(c, k)
					cp, cq := m[p*N+lo:p*N+hi], m[q*N+lo:q*N+hi]
				cq = cq[:len(cp)]
				for j, a := range cp {
					cp[j], cq[j] = cq[j], a
				}
				}
			}
{{- else}}
			w := tp[3*i+1]
			v[p], v[q] = mix(w, v[p], v[q])
			for k := 0; k < len(r.ranges)/2; k++ {
				lo, hi := r.rows(c, k)
				cp, cq, d := m[p*N+lo:p*N+hi], m[q*N+lo:q*N+hi], df[o:o+hi-lo]
				cq, d = cq[:len(cp)], d[:len(cp)]
				for j, a := range cp {
					b := cq[j]
					d[j] = a - b
					cp[j], cq[j] = mix(w, a, b)
				}
				o += hi - lo
			}
{{- end}}
			p, q, i = p+r.dp, q+r.dq, i+1
		}
	}
}

// backwardRow back-propagates the gradient of one row's values in place.
func backwardRow(g *[N]{{.T}}, tp *[TapeLen]{{.T}}) {
	i := TapeLen/3 - 1
	for r, t, ok := nextRun(backwardRuns[:], 0); ok; r, t, ok = nextRun(backwardRuns[:], t) {
		p, q := r.p, r.q
		for c := 0; c < r.count; c++ {
			g[p], g[q] = backprop(g[p], g[q], tp[3*i], tp[3*i+1], tp[3*i+2])
			p, q, i = p+r.dp, q+r.dq, i-1
		}
	}
}

// backwardPRow back-propagates the gradients of one row's values and of its P
// in place.
func backwardPRow(g *[N]{{.T}}, gm *[N * N]{{.T}}, tp *[TapeLen]{{.T}}, df *[DiffLen]{{.T}}) {
	i, end := TapeLen/3-1, DiffLen
	for r, t, ok := nextRun(backwardRuns[:], 0); ok; r, t, ok = nextRun(backwardRuns[:], t) {
		p, q := r.p, r.q
		for c := 0; c < r.count; c++ {
			o := end - r.rowCount(c)
			end = o
			var dot {{.T}}
			for k := 0; k < len(r.ranges)/2; k++ {
				lo, hi := r.rows(c, k)
				gp, gq, d := gm[p*N+lo:p*N+hi], gm[q*N+lo:q*N+hi], df[o:o+hi-lo]
				gq, d = gq[:len(gp)], d[:len(gp)]
				for j, a := range gp {
					dot += (a - gq[j]) * d[j]
				}
				o += hi - lo
			}
			g[p], g[q] = backpropDot(g[p], g[q], tp[3*i], tp[3*i+1], tp[3*i+2], dot)
			w := tp[3*i+1]
			for k := 0; k < len(r.ranges)/2; k++ {
				lo, hi := r.rows(c, k)
				gp, gq := gm[p*N+lo:p*N+hi], gm[q*N+lo:q*N+hi]
				gq = gq[:len(gp)]
				for j, a := range gp {
					gp[j], gq[j] = mix(w, a, gq[j])
				}
			}
			p, q, i = p+r.dp, q+r.dq, i-1
		}
	}
}
{{- end}}
`))
