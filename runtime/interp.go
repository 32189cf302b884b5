package runtime

import "github.com/sortgen/sortgen/gen/plan"

// interpreter runs a plan step by step. It is the reference every generated
// backend is tested against, and the backend for configurations that have no
// generated kernel. Weights are computed in float64 for both element types,
// as the generated Go kernels do.
type interpreter[T Float] struct {
	p      *plan.Plan
	beta   float64
	lambda float64
	// scratch lends top-k passes a row's values and weights.
	scratch scratchPool[T]
}

func newInterpreter[T Float](p *plan.Plan, prm plan.Params) *interpreter[T] {
	return &interpreter[T]{p: p, beta: prm.Steepness, lambda: prm.ARTLambda}
}

// weights returns the forward weight w and, for a differentiable swap, the
// tape entry: d*slope, the soft alpha and slope at d, all from float64.
func (k *interpreter[T]) weights(a, b T, wantGrad bool) (hard bool, w, ds, alpha, slope T) {
	s := k.p.Swap
	d := plan.Diff(float64(a), float64(b))
	if s.HardForward() {
		if wantGrad && s.Differentiable() {
			al, sl := plan.Alpha(s.Grad(), d, k.beta, k.lambda)
			ds, alpha, slope = T(d*sl), T(al), T(sl)
		}
		if a <= b {
			return true, 1, ds, alpha, slope
		}
		return true, 0, ds, alpha, slope
	}
	al, sl := plan.Alpha(s.Func, d, k.beta, k.lambda)
	return false, T(al), T(d * sl), T(al), T(sl)
}

func (k *interpreter[T]) sort(y, x []T) {
	n := k.p.N()
	copy(y, x)
	for b := 0; b+n <= len(y); b += n {
		v := y[b : b+n]
		for _, st := range k.p.Steps {
			a, c := v[st.P], v[st.Q]
			hard, w, _, _, _ := k.weights(a, c, false)
			if hard {
				if w == 0 {
					v[st.P], v[st.Q] = c, a
				}
				continue
			}
			v[st.P], v[st.Q] = mix(w, a, c)
		}
	}
}

// forward computes values, and optionally P (pt != nil), the tape (tape !=
// nil) and the column-difference tape (diff != nil, needs pt).
func (k *interpreter[T]) forward(y, pt, tape, diff, x []T) {
	p := k.p
	n := p.N()
	copy(y, x)
	batch := len(x) / n
	for b := 0; b < batch; b++ {
		var m []T
		if pt != nil {
			m = pt[b*n*n : (b+1)*n*n]
			identity(m, n)
		}
		k.forwardSteps(y[b*n:(b+1)*n], m, rows(tape, b, b+1, p.TapeLen), rows(diff, b, b+1, p.DiffLen), 0, len(p.Steps), 0)
	}
}

// identity sets the n x n matrix m to the identity.
func identity[T Float](m []T, n int) {
	clear(m)
	for j := 0; j < n; j++ {
		m[j*n+j] = 1
	}
}

// forwardSteps runs steps [from, to) of the plan on one row: its values v
// and, when m != nil, its P (column-major, n x n). It records the row's
// tape tp (nil: not recorded; its full per-row length, indexed by step)
// and the column differences df (nil: not recorded, needs m), whose index
// is the plan's DiffOffset minus base: a whole row's tape from 0, or a
// segment's from Steps[from].DiffOffset. Every pass over a step range,
// segmented recomputation included, runs this code, so the numbers do
// not depend on how the steps are split.
func (k *interpreter[T]) forwardSteps(v, m, tp, df []T, from, to, base int) {
	n := k.p.N()
	for si := from; si < to; si++ {
		st := &k.p.Steps[si]
		a, c := v[st.P], v[st.Q]
		hard, w, ds, alpha, slope := k.weights(a, c, tp != nil)
		if tp != nil {
			tp[3*si], tp[3*si+1], tp[3*si+2] = ds, alpha, slope
		}
		if hard {
			if w == 0 {
				v[st.P], v[st.Q] = c, a
			}
		} else {
			v[st.P], v[st.Q] = mix(w, a, c)
		}
		if m == nil {
			continue
		}
		cp, cq := m[st.P*n:(st.P+1)*n], m[st.Q*n:(st.Q+1)*n]
		o := st.DiffOffset - base
		for _, r := range st.Rows {
			for i := r.Lo; i < r.Hi; i++ {
				pa, pb := cp[i], cq[i]
				if df != nil {
					df[o] = pa - pb
					o++
				}
				if hard {
					if w == 0 {
						cp[i], cq[i] = pb, pa
					}
					continue
				}
				cp[i], cq[i] = mix(w, pa, pb)
			}
		}
	}
}

// backward propagates gy (may be nil: zero) and gpt (may be nil: zero; it is
// overwritten) to gx. gx may alias gy.
func (k *interpreter[T]) backward(gx, gy, gpt, tape, diff []T) {
	p := k.p
	n := p.N()
	batch := len(gx) / n
	if gy == nil {
		clear(gx)
	} else {
		copy(gx, gy)
	}
	for b := 0; b < batch; b++ {
		var gm, df []T
		if gpt != nil {
			gm = gpt[b*n*n : (b+1)*n*n]
			df = diff[b*p.DiffLen : (b+1)*p.DiffLen]
		}
		k.backwardSteps(gx[b*n:(b+1)*n], gm, tape[b*p.TapeLen:(b+1)*p.TapeLen], df, 0, len(p.Steps), 0)
	}
}

// backwardSteps runs the backward pass of steps [from, to), last first, on
// one row: the gradient g of its values and, when gm != nil, of its P
// (column-major; df then holds the column differences of these steps,
// indexed as in forwardSteps). tp is the row's whole tape.
func (k *interpreter[T]) backwardSteps(g, gm, tp, df []T, from, to, base int) {
	n := k.p.N()
	for si := to - 1; si >= from; si-- {
		st := &k.p.Steps[si]
		ds, alpha, slope := tp[3*si], tp[3*si+1], tp[3*si+2]
		gp, gq := g[st.P], g[st.Q]
		// dd = dalpha*slope with dalpha = (gp-gq)*(a-b) + dot, as SPEC.md,
		// through the tape's bounded d*slope; e is rounded on its own so
		// that no backend fuses it.
		e := T((gp - gq) * ds)
		dd := -e
		var gcp, gcq []T
		if gm != nil {
			gcp, gcq = gm[st.P*n:(st.P+1)*n], gm[st.Q*n:(st.Q+1)*n]
			o := st.DiffOffset - base
			var dot T
			for _, r := range st.Rows {
				for i := r.Lo; i < r.Hi; i++ {
					dot += (gcp[i] - gcq[i]) * df[o]
					o++
				}
			}
			dd = T(dot*slope) - e
		}
		np, nq := mix(alpha, gp, gq)
		g[st.P], g[st.Q] = np-dd, nq+dd
		if gm == nil {
			continue
		}
		for _, r := range st.Rows {
			for i := r.Lo; i < r.Hi; i++ {
				gcp[i], gcq[i] = mix(alpha, gcp[i], gcq[i])
			}
		}
	}
}

// mix is the soft swap of SPEC.md written exactly as diffsort does, so that
// rounding matches the peer: a tie mixed this way stays a bit-exact tie, which
// matters for logistic_phi, whose slope near d = 0 changes fast. The explicit
// conversions keep the compiler from fusing into FMAs on any architecture.
func mix[T Float](w, a, b T) (lo, hi T) {
	omw := 1 - w
	return T(w*a) + T(omw*b), T(omw*a) + T(w*b)
}
