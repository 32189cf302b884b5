package runtime

import (
	"errors"
	"fmt"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// newTopK is New for cfg.TopK != 0.
func newTopK[T Float](cfg Config, swap plan.Swap, prm plan.Params) (*Sorter[T], error) {
	k := cfg.TopK
	n := cfg.N
	if cfg.Net != nil {
		if err := cfg.Net.Validate(); err != nil {
			return nil, err
		}
		if cfg.N != 0 && cfg.N != cfg.Net.N {
			return nil, fmt.Errorf("runtime: config N=%d but the network has %d wires", cfg.N, cfg.Net.N)
		}
		n = cfg.Net.N
	} else if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", networks.ErrTooFewWires, n)
	}
	if k < 1 || k >= n {
		return nil, fmt.Errorf("runtime: TopK is %d, want 1 <= TopK < n = %d", k, n)
	}
	var p *plan.Plan
	var err error
	if cfg.Net != nil {
		// A network from elsewhere must select, by the 0-1 principle; it
		// need not sort (cfg.Partial is implied).
		if _, err := networks.VerifyTopK(cfg.Net, k); err != nil {
			return nil, fmt.Errorf("runtime: the network does not select the top %d: %w", k, err)
		}
		p, err = plan.NewTopK(cfg.Network, cfg.Net, k, swap, elemOf[T]())
	} else {
		p, err = plan.NamedTopK(cfg.Network, n, k, cfg.Swap, cfg.Base, elemOf[T]())
	}
	if err != nil {
		return nil, err
	}
	return newSorter[T](cfg, p, prm)
}

// topKName is " k=K" for a top-k plan, "" otherwise (for messages).
func topKName(p *plan.Plan) string {
	if p.TopK == 0 {
		return ""
	}
	return fmt.Sprintf(" k=%d", p.TopK)
}

// K is k for a top-k sorter (Config.TopK), 0 for a sorting sorter.
func (s *Sorter[T]) K() int { return s.plan.TopK }

// A TopKResult holds a top-k forward pass; reuse it across calls to avoid
// allocation.
type TopKResult[T Float] struct {
	n, k, batch int
	plan        *plan.Plan
	// Top holds the top values, row-major (batch x k), ascending:
	// Top[b*k+k-1] is the (relaxed) largest value of row b.
	Top []T
	// X is P[:, n-k:] per row, row-major (batch x n x k): X[b*n*k + i*k + j]
	// is the weight of input i at the j-th of the k largest positions.
	X []T
	// tape and xtape are nil without WantGrad.
	tape, xtape       []T
	tapeBuf, xtapeBuf []T
	gxkWork           []T
	// backend is the Backend that wrote the tapes (see Result.backend).
	backend string
}

// Batch is the number of rows.
func (r *TopKResult[T]) Batch() int { return r.batch }

// K is the number of top values per row.
func (r *TopKResult[T]) K() int { return r.k }

var (
	errNilTopKResult = errors.New("runtime: the result is nil (pass the address of a TopKResult, which may be the zero value)")
	errNotTopK       = errors.New("runtime: the sorter is not a top-k sorter (set Config.TopK)")
	errTopKWantP     = errors.New("runtime: ForwardTopK does not compute P (X is its last k columns): use Forward for P")
)

// ForwardTopK runs the selection network on every row of x (batch x n)
// and computes the top values and X. want may be 0 (inference) or
// WantGrad (keep what BackwardTopK needs); WantP is an error, since X is
// the only part of P a top-k pass computes.
func (s *Sorter[T]) ForwardTopK(x []T, want Want) (*TopKResult[T], error) {
	r := new(TopKResult[T])
	if err := s.ForwardTopKInto(r, x, want); err != nil {
		return nil, err
	}
	return r, nil
}

// ForwardTopKInto is ForwardTopK into a reusable result: buffers grow as
// needed and are reused, so a steady loop allocates nothing.
func (s *Sorter[T]) ForwardTopKInto(r *TopKResult[T], x []T, want Want) error {
	p := s.plan
	switch {
	case r == nil:
		return errNilTopKResult
	case p.TopK == 0:
		return errNotTopK
	case want&WantP != 0:
		return errTopKWantP
	case want&WantGrad != 0 && !p.Swap.Differentiable():
		return fmt.Errorf("runtime: swap %v is not differentiable", p.Swap)
	}
	batch, err := s.checkRows("x", x)
	if err != nil {
		return err
	}
	n, k := s.N(), p.TopK
	r.n, r.k, r.batch, r.plan = n, k, batch, p
	r.Top = grow(r.Top, batch*k)
	r.X = grow(r.X, batch*n*k)
	r.tape, r.xtape = nil, nil
	if want&WantGrad != 0 {
		r.tapeBuf = grow(r.tapeBuf, batch*p.TapeLen)
		r.xtapeBuf = grow(r.xtapeBuf, batch*p.XTapeLen)
		r.tape, r.xtape = r.tapeBuf, r.xtapeBuf
	}
	r.backend = s.Backend()
	c := s.pool.get()
	c.k, c.op, c.n, c.topK, c.tapeLen, c.xtapeLen = s.k, opForwardTopK, n, k, p.TapeLen, p.XTapeLen
	c.x, c.top, c.xk, c.tape, c.xtape = x, r.Top, r.X, r.tape, r.xtape
	s.pool.run(s, s.workers, batch, c)
	s.pool.release(c)
	return nil
}

// BackwardTopK maps dL/dTop (gtop, batch x k, may be nil) and dL/dX (gX,
// batch x n x k, may be nil) to dL/dx. The result must come from
// ForwardTopK with WantGrad. The gradient is SPEC.md's backward pass with
// dL/dy zero except gtop on the last k wires and dL/dP zero except gX in
// the last k columns.
func (s *Sorter[T]) BackwardTopK(r *TopKResult[T], gtop, gX []T) ([]T, error) {
	if r == nil {
		return nil, errNilTopKResult
	}
	gx := make([]T, r.batch*r.n)
	if err := s.BackwardTopKInto(gx, r, gtop, gX); err != nil {
		return nil, err
	}
	return gx, nil
}

// BackwardTopKInto is BackwardTopK into gx (batch x n). It overwrites
// work space in r, so two backward passes of one result must not run at
// the same time.
func (s *Sorter[T]) BackwardTopKInto(gx []T, r *TopKResult[T], gtop, gX []T) error {
	switch {
	case r == nil:
		return errNilTopKResult
	case s.plan.TopK == 0:
		return errNotTopK
	case r.plan != s.plan:
		return errors.New("runtime: result does not come from this sorter")
	case r.tape == nil:
		return errors.New("runtime: backward needs a forward pass with WantGrad")
	case r.backend != s.Backend():
		return fmt.Errorf("runtime: the forward pass ran on %s, the backend is now %s (SetLevel was called in between): run the forward pass again", r.backend, s.Backend())
	case len(gx) != r.batch*r.n:
		return fmt.Errorf("runtime: gx has length %d, want %d", len(gx), r.batch*r.n)
	case gtop != nil && len(gtop) != r.batch*r.k:
		return fmt.Errorf("runtime: gtop has length %d, want %d (batch x k)", len(gtop), r.batch*r.k)
	case gX != nil && len(gX) != r.batch*r.n*r.k:
		return fmt.Errorf("runtime: gX has length %d, want %d (batch x n x k)", len(gX), r.batch*r.n*r.k)
	}
	if gtop != nil {
		if err := finite("gtop", gtop); err != nil {
			return err
		}
	}
	var gxk []T
	if gX != nil {
		if err := finite("gX", gX); err != nil {
			return err
		}
		// The kernels walk dL/dX through the network in place.
		r.gxkWork = grow(r.gxkWork, len(gX))
		copy(r.gxkWork, gX)
		gxk = r.gxkWork
	}
	p := s.plan
	c := s.pool.get()
	c.k, c.op, c.n, c.topK, c.tapeLen, c.xtapeLen = s.k, opBackwardTopK, r.n, r.k, p.TapeLen, p.XTapeLen
	c.gx, c.gtop, c.gxk, c.tape, c.xtape = gx, gtop, gxk, r.tape, r.xtape
	s.pool.run(s, s.workers, r.batch, c)
	s.pool.release(c)
	if gX != nil {
		if err := finite("dL/dx", gx); err != nil {
			return fmt.Errorf("%w (the gradient overflowed)", err)
		}
	}
	return nil
}

// forwardTopK runs a top-k plan on a batch of rows: the value pass first
// to last (recording the tape, and each step's forward weight w), then X
// right to left, as the plan package documents.
func (k *interpreter[T]) forwardTopK(top, xk, tape, xtape, x []T) {
	p := k.p
	n, kk, steps := p.N(), p.TopK, len(p.Steps)
	hard := p.Swap.HardForward()
	batch := len(x) / n
	// Values and forward weights of one row, and X of the second sweep.
	size := n + steps
	if xtape != nil && hard {
		size += n * kk
	}
	work := k.scratch.get(size)
	v, ws, z2 := work[:n], work[n:n+steps], work[n+steps:]
	for b := 0; b < batch; b++ {
		copy(v, x[b*n:(b+1)*n])
		tp, xt := rows(tape, b, b+1, p.TapeLen), rows(xtape, b, b+1, p.XTapeLen)
		w := ws
		if xt != nil {
			w = xt[steps*kk : steps*(kk+1)]
		}
		for si := range p.Steps {
			st := &p.Steps[si]
			a, c := v[st.P], v[st.Q]
			h, wt, ds, alpha, slope := k.weights(a, c, tp != nil)
			if tp != nil {
				tp[3*si], tp[3*si+1], tp[3*si+2] = ds, alpha, slope
			}
			w[si] = wt
			if h {
				if wt == 0 {
					v[st.P], v[st.Q] = c, a
				}
			} else {
				v[st.P], v[st.Q] = mix(wt, a, c)
			}
		}
		copy(top[b*kk:(b+1)*kk], v[n-kk:])
		z := xk[b*n*kk : (b+1)*n*kk]
		var zd []T
		if xt != nil {
			zd = xt[:steps*kk]
		}
		if !hard {
			k.sweep(z, w, 1, zd, false)
			continue
		}
		k.sweep(z, w, 1, nil, true)
		if xt != nil {
			// The gradient's Z differences come from the soft alphas.
			k.sweep(z2, tp[1:], 3, zd, false)
		}
	}
	k.scratch.put(work)
}

// sweep computes Z (n x k, row-major) right to left from the last k
// columns of the identity: for the steps last to first, rows p and q mix
// with step s's weight w[s*stride] (hard: 0 swaps them, 1 keeps them). It
// records Z[p,:]-Z[q,:] before each step at zd[s*k:] unless zd is nil.
func (k *interpreter[T]) sweep(z, w []T, stride int, zd []T, hard bool) {
	p := k.p
	n, kk := p.N(), p.TopK
	clear(z)
	for j := 0; j < kk; j++ {
		z[(n-kk+j)*kk+j] = 1
	}
	for si := len(p.Steps) - 1; si >= 0; si-- {
		st := &p.Steps[si]
		zp, zq := z[st.P*kk:(st.P+1)*kk], z[st.Q*kk:(st.Q+1)*kk]
		if zd != nil {
			d := zd[si*kk : (si+1)*kk]
			for j := range d {
				d[j] = zp[j] - zq[j]
			}
		}
		wt := w[si*stride]
		if hard {
			if wt == 0 {
				for j := range zp {
					zp[j], zq[j] = zq[j], zp[j]
				}
			}
			continue
		}
		for j := range zp {
			zp[j], zq[j] = mix(wt, zp[j], zq[j])
		}
	}
}

// backwardTopK is the top-k backward pass of the plan package: dL/dX
// walks the steps first to last, leaving each step's dL/dalpha through X
// in the X tape's work entries, then the value backward pass runs as
// backwardSteps does, with those entries in place of the P dot product.
func (k *interpreter[T]) backwardTopK(gx, gtop, gxk, tape, xtape []T) {
	p := k.p
	n, kk, steps := p.N(), p.TopK, len(p.Steps)
	hard := p.Swap.HardForward()
	batch := len(gx) / n
	for b := 0; b < batch; b++ {
		g := gx[b*n : (b+1)*n]
		clear(g)
		if gtop != nil {
			copy(g[n-kk:], gtop[b*kk:(b+1)*kk])
		}
		tp := tape[b*p.TapeLen : (b+1)*p.TapeLen]
		var work []T
		if gxk != nil {
			xt := xtape[b*p.XTapeLen : (b+1)*p.XTapeLen]
			zd, w := xt[:steps*kk], xt[steps*kk:steps*(kk+1)]
			work = xt[steps*(kk+1):]
			h := gxk[b*n*kk : (b+1)*n*kk]
			for si := range p.Steps {
				st := &p.Steps[si]
				hp, hq := h[st.P*kk:(st.P+1)*kk], h[st.Q*kk:(st.Q+1)*kk]
				d := zd[si*kk : (si+1)*kk]
				var dot T
				for j := range d {
					dot += (hp[j] - hq[j]) * d[j]
				}
				work[si] = dot
				wt := w[si]
				if hard {
					if wt == 0 {
						for j := range hp {
							hp[j], hq[j] = hq[j], hp[j]
						}
					}
					continue
				}
				for j := range hp {
					hp[j], hq[j] = mix(wt, hp[j], hq[j])
				}
			}
		}
		for si := steps - 1; si >= 0; si-- {
			st := &p.Steps[si]
			ds, alpha, slope := tp[3*si], tp[3*si+1], tp[3*si+2]
			gp, gq := g[st.P], g[st.Q]
			e := T((gp - gq) * ds)
			dd := -e
			if work != nil {
				dd = T(work[si]*slope) - e
			}
			np, nq := mix(alpha, gp, gq)
			g[st.P], g[st.Q] = np-dd, nq+dd
		}
	}
}
