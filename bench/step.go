package bench

import (
	"math/rand/v2"
	"slices"
	"unsafe"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/runtime"
	"github.com/sortgen/sortgen/runtime/registry"
)

// BatchFor is the batch a benchmark uses at size n: 256 rows, fewer where P
// and dL/dP (n*n per row each) would not fit memory comfortably. The
// column-difference tape does not decide it: where it would be too large
// the sorter runs in segments (runtime.Config.MaxTapeBytes).
func BatchFor(n int) int {
	switch {
	case n >= 1024:
		return 16
	case n >= 128:
		return 64
	}
	return 256
}

// Data returns a seeded batch of random scores and, as the target, their
// true ranks.
func Data[T runtime.Float](n, batch int) ([]T, []int) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(batch)))
	x := make([]T, n*batch)
	ranks := make([]int, n*batch)
	order := make([]int, n)
	for b := 0; b < batch; b++ {
		row := x[b*n : (b+1)*n]
		for i := range row {
			row[i] = T(rng.NormFloat64())
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, c int) int {
			switch {
			case row[a] < row[c]:
				return -1
			case row[a] > row[c]:
				return 1
			}
			return 0
		})
		for r, i := range order {
			ranks[b*n+i] = r
		}
	}
	return x, ranks
}

// A Trainer runs the training step the peer is measured on: forward with
// P, BCE against the true permutation, backward to the scores, as one
// fused pass (runtime.Sorter.StepBCE). Buffers are allocated once.
type Trainer[T runtime.Float] struct {
	S     *runtime.Sorter[T]
	X     []T
	Ranks []int
	r     runtime.Result[T]
	gx    []T
}

// NewTrainer builds a trainer for a configuration on a batch of random rows.
func NewTrainer[T runtime.Float](cfg runtime.Config, batch int) (*Trainer[T], error) {
	s, err := runtime.New[T](cfg)
	if err != nil {
		return nil, err
	}
	x, ranks := Data[T](s.N(), batch)
	return &Trainer[T]{S: s, X: x, Ranks: ranks, gx: make([]T, len(x))}, nil
}

// Step runs one training step and returns the loss.
func (t *Trainer[T]) Step() (float64, error) {
	return t.S.StepBCE(t.gx, &t.r, t.X, t.Ranks)
}

// Grad is dL/dx of the last step.
func (t *Trainer[T]) Grad() []T { return t.gx }

// Result holds Y and P of the last step.
func (t *Trainer[T]) Result() *runtime.Result[T] { return &t.r }

// StepBytes is what a training step holds for a batch, in bytes: the
// sorter's share (runtime.Sorter.StepBytes: Y and P for the batch and a
// block of tape, column differences and dL/dP per goroutine, or, where
// the step runs in segments, the forward pass's buffers and dL/dP for the
// batch) and the step's own x, dL/dx and ranks.
func StepBytes[T runtime.Float](s *runtime.Sorter[T], batch int) int64 {
	var zero T
	size := int64(unsafe.Sizeof(zero))
	n := int64(s.N())
	return s.StepBytes(batch) + int64(batch)*(size*2*n+8*n)
}

// KernelFor is the registered kernel package s runs, if any (package
// registry): its SetLevel selects the level of kernels it runs.
func KernelFor[T runtime.Float](s *runtime.Sorter[T]) (*registry.Kernel, bool) {
	p := s.Plan()
	base := ""
	if p.Swap.Func == plan.ErrorFree {
		base = p.Swap.Base.String()
	}
	return registry.Lookup(p.Fingerprint(), p.TopK, p.Swap.Func.String(), base, p.Elem.String())
}
