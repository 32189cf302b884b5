package runtime

import (
	"errors"
	"fmt"
)

// TopKLayer is SortLayer's top-k form: a differentiable top-k layer on
// float64 scores, computed by a top-k Sorter[T]. It keeps its buffers
// across calls, so it is not safe for concurrent use.
type TopKLayer[T Float] struct {
	S *Sorter[T]

	res          TopKResult[T]
	x, gtop, gX  []T
	gx           []T
	top, xk, out []float64
	haveGrad     bool
}

// NewTopKLayer builds the top-k sorter for cfg, whose TopK must be set.
func NewTopKLayer[T Float](cfg Config) (*TopKLayer[T], error) {
	if cfg.TopK <= 0 {
		return nil, fmt.Errorf("runtime: a top-k layer needs Config.TopK >= 1, got %d", cfg.TopK)
	}
	s, err := New[T](cfg)
	if err != nil {
		return nil, err
	}
	return &TopKLayer[T]{S: s}, nil
}

// N is the number of items per row.
func (l *TopKLayer[T]) N() int { return l.S.N() }

// K is the number of top values per row.
func (l *TopKLayer[T]) K() int { return l.S.K() }

// Forward runs every row of scores (batch x n) and returns the top values
// (batch x k, ascending) and X (batch x n x k: X[b*n*k+i*k+j] is the
// weight of item i at the j-th of the k largest positions, as in
// TopKResult). With wantGrad the layer keeps what Backward needs. Both
// slices are reused by the next call.
func (l *TopKLayer[T]) Forward(scores []float64, wantGrad bool) (top, x []float64, err error) {
	l.x = convert(l.x, scores)
	want := Want(0)
	if wantGrad {
		want = WantGrad
	}
	l.haveGrad = false
	if err := l.S.ForwardTopKInto(&l.res, l.x, want); err != nil {
		return nil, nil, err
	}
	l.haveGrad = wantGrad
	l.top = convert(l.top, l.res.Top)
	l.xk = convert(l.xk, l.res.X)
	return l.top, l.xk, nil
}

// Backward maps dL/dTop and dL/dX (either may be nil) of the last Forward
// to dL/dscores. The returned slice is reused by the next call.
func (l *TopKLayer[T]) Backward(gtop, gX []float64) ([]float64, error) {
	if !l.haveGrad {
		return nil, errors.New("runtime: top-k layer backward needs a forward pass with wantGrad")
	}
	var tt, tx []T
	if gtop != nil {
		l.gtop = convert(l.gtop, gtop)
		tt = l.gtop
	}
	if gX != nil {
		l.gX = convert(l.gX, gX)
		tx = l.gX
	}
	l.gx = grow(l.gx, len(l.x))
	if err := l.S.BackwardTopKInto(l.gx, &l.res, tt, tx); err != nil {
		return nil, err
	}
	l.out = convert(l.out, l.gx)
	return l.out, nil
}
