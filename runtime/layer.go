package runtime

import "fmt"

// SortLayer is a differentiable sorting layer on float64 scores, computed
// by a Sorter[T] (float32 halves the sorter's memory traffic; the rest of a
// model stays float64). It keeps its buffers across calls, so it is not safe
// for concurrent use.
type SortLayer[T Float] struct {
	S *Sorter[T]

	res       Result[T]
	x, gy, gp []T
	gx        []T
	y, p, out []float64
	haveGrad  bool
}

// NewSortLayer builds the sorter for cfg.
func NewSortLayer[T Float](cfg Config) (*SortLayer[T], error) {
	s, err := New[T](cfg)
	if err != nil {
		return nil, err
	}
	return &SortLayer[T]{S: s}, nil
}

// N is the number of items per row.
func (l *SortLayer[T]) N() int { return l.S.N() }

// Forward sorts every row of scores (batch x n) and returns the relaxed
// sorted values y (batch x n) and P (batch x n x n, SPEC orientation:
// P[b*n*n+i*n+j] is the weight of item i at sorted position j). With
// wantGrad the layer keeps what Backward needs. Both slices are reused by
// the next call.
func (l *SortLayer[T]) Forward(scores []float64, wantGrad bool) (y, p []float64, err error) {
	l.x = convert(l.x, scores)
	want := WantP
	if wantGrad {
		want |= WantGrad
	}
	l.haveGrad = false
	if err := l.S.ForwardInto(&l.res, l.x, want); err != nil {
		return nil, nil, err
	}
	l.haveGrad = wantGrad
	l.y = convert(l.y, l.res.Y)
	l.p = convert(l.p, l.res.P())
	return l.y, l.p, nil
}

// Backward maps dL/dy and dL/dP (either may be nil) of the last Forward to
// dL/dscores. The returned slice is reused by the next call.
func (l *SortLayer[T]) Backward(gy, gP []float64) ([]float64, error) {
	if !l.haveGrad {
		return nil, fmt.Errorf("runtime: sort layer backward needs a forward pass with wantGrad")
	}
	var ty, tp []T
	if gy != nil {
		l.gy = convert(l.gy, gy)
		ty = l.gy
	}
	if gP != nil {
		l.gp = convert(l.gp, gP)
		tp = l.gp
	}
	l.gx = grow(l.gx, len(l.x))
	if err := l.S.BackwardInto(l.gx, &l.res, ty, tp); err != nil {
		return nil, err
	}
	l.out = convert(l.out, l.gx)
	return l.out, nil
}

func convert[D, S Float](dst []D, src []S) []D {
	dst = grow(dst, len(src))
	for i, v := range src {
		dst[i] = D(v)
	}
	return dst
}
