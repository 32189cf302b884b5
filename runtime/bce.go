package runtime

import (
	"errors"
	"fmt"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/runtime/internal/vbce"
)

// ErrHardP is what BCE on the P of a hard-forward swap (hard, errorfree)
// is refused with: that P is exactly a permutation, so each wrong entry
// sits at the log clamp (-100), the loss is a step function of the scores
// and its gradient, (P-Q)/1e-12, trains nothing. The errors name the
// caller and the swap; test for them with errors.Is.
var ErrHardP = errors.New("runtime: BCE needs a soft P, but the swap is hard forward")

type hardPError struct {
	what, instead string
	swap          plan.Swap
}

func (e *hardPError) Error() string {
	return fmt.Sprintf("runtime: %s needs a soft P, but swap %v is hard forward (%s)", e.what, e.swap, e.instead)
}

func (e *hardPError) Is(target error) bool { return target == ErrHardP }

// softP refuses BCE on the P of swap when swap is hard forward; what names
// the caller, instead what to use.
func softP(swap plan.Swap, what, instead string) error {
	if swap.HardForward() {
		return &hardPError{what, instead, swap}
	}
	return nil
}

// bceSorterInstead is the advice of a sorter's BCE entry points.
const bceSorterInstead = "its P is an exact permutation: use a soft swap such as cauchy, or train.Model with loss \"errorfree\""

// BCEPT is BCE on P in the kernel layout of Result.PT (column-major per
// sample: pt[b*n*n + j*n + i] = P[i][j]) and in the sorter's element type,
// so that a training step needs no transpose and no conversion. It writes
// dL/dPT into grad (which may be nil) and returns the loss; the numbers are
// BCE's. ranks[b*n+i] is the sorted (ascending) position of item i of
// sample b; each row must be a permutation of 0..n-1 (the error is
// CheckRanks's; grad is then unspecified): the check rides along the pass
// that gathers the entries whose target is 1, so it costs next to nothing.
func BCEPT[T Float](grad, pt []T, ranks []int, n int) (float64, error) {
	if len(ranks) == 0 || len(ranks)%n != 0 || len(pt) != len(ranks)*n {
		return 0, fmt.Errorf("runtime: P has length %d and ranks %d, want ranks a positive multiple of n=%d and P n times that", len(pt), len(ranks), n)
	}
	if grad != nil && len(grad) != len(pt) {
		return 0, fmt.Errorf("runtime: BCE gradient has length %d, want %d", len(grad), len(pt))
	}
	inv := 1 / float64(len(pt))
	sum, ok := bceRows(grad, pt, ranks, n, inv)
	if !ok {
		return 0, CheckRanks(ranks, n)
	}
	return sum * inv, nil
}

// bceRows is BCEPT's sum over the rows given, each entry weighted by inv in
// the gradient; grad may be nil. It reports false, and stops, at a row of
// ranks that is not a permutation.
func bceRows[T Float](grad, pt []T, ranks []int, n int, inv float64) (float64, bool) {
	// Q is zero but for one entry per input: take every entry as a zero
	// target in one vectorised pass, then correct the n entries per sample
	// where Q is 1.
	var sum float64
	if grad != nil {
		sum = -vbce.Log1m(grad, pt, T(inv))
	} else {
		sum = -vbce.Log1m(make([]T, len(pt)), pt, T(inv))
	}
	// The n entries per sample whose target is 1 go through the vector
	// kernel too, gathered a chunk at a time across samples.
	const chunk = 64
	var vals, grads [chunk]T
	var at [chunk]int
	k := 0
	flush := func() {
		sum += vbce.One(grads[:k], vals[:k], T(inv))
		if grad != nil {
			for c, o := range at[:k] {
				grad[o] = grads[c]
			}
		}
		k = 0
	}
	// seen marks the ranks of a row, a bit each.
	var small [16]uint64
	seen := small[:]
	if words := (n + 63) / 64; words > len(small) {
		seen = make([]uint64, words)
	}
	for b := 0; b < len(ranks)/n; b++ {
		clear(seen)
		for i, j := range ranks[b*n : (b+1)*n] {
			if uint(j) >= uint(n) || seen[j/64]&(1<<(j%64)) != 0 {
				return 0, false
			}
			seen[j/64] |= 1 << (j % 64)
			o := b*n*n + j*n + i
			vals[k], at[k] = pt[o], o
			if k++; k == chunk {
				flush()
			}
		}
	}
	if k > 0 {
		flush()
	}
	return sum, true
}

// BCEPT is the package-level BCEPT run on the sorter's workers, for batches
// where the loss is a noticeable part of a training step. A sorter whose
// swap is hard forward (hard, errorfree) refuses it with ErrHardP, a top-k
// sorter with ErrTopKBCE.
func (s *Sorter[T]) BCEPT(grad, pt []T, ranks []int) (float64, error) {
	if err := softP(s.plan.Swap, "BCEPT", bceSorterInstead); err != nil {
		return 0, err
	}
	if err := s.notTopK("BCEPT"); err != nil {
		return 0, err
	}
	n := s.N()
	if len(ranks) == 0 || len(ranks)%n != 0 || len(pt) != len(ranks)*n || grad == nil || len(grad) != len(pt) {
		return BCEPT(grad, pt, ranks, n) // the serial path reports the error
	}
	c := s.pool.get()
	c.op, c.n, c.pt, c.gpt, c.ranks, c.inv = opBCE, n, pt, grad, ranks, 1/float64(len(pt))
	s.pool.run(s, s.workers, len(ranks)/n, c)
	sum, bad := c.sum*c.inv, c.badRanks
	s.pool.release(c)
	if bad {
		return 0, CheckRanks(ranks, n)
	}
	return sum, nil
}

// ErrTopKBCE is the error of StepBCE and Sorter.BCEPT on a top-k sorter
// (Config.TopK): its network orders only the k largest, so BCE against a
// whole permutation would train on columns of P that mean nothing. Use
// ForwardTopK with a top-k loss (TopKCrossEntropy) instead.
var ErrTopKBCE = errors.New("runtime: BCE against a permutation needs a sorting sorter, not a top-k one")

func (s *Sorter[T]) notTopK(what string) error {
	if s.plan.TopK > 0 {
		return fmt.Errorf("%w (%s on a sorter with TopK = %d)", ErrTopKBCE, what, s.plan.TopK)
	}
	return nil
}
