package runtime

import (
	"fmt"
	"math"

	"github.com/sortgen/sortgen/runtime/internal/vbce"
)

// BCEPT is BCE on P in the kernel layout of Result.PT (column-major per
// sample: pt[b*n*n + j*n + i] = P[i][j]) and in the sorter's element type,
// so that a training step needs no transpose and no conversion. It writes
// dL/dPT into grad (which may be nil) and returns the loss; the numbers are
// BCE's. ranks must be permutations (see CheckRanks); this is not checked
// here because it sits on the hot path of every step.
func BCEPT[T Float](grad, pt []T, ranks []int, n int) (float64, error) {
	if len(ranks) == 0 || len(ranks)%n != 0 || len(pt) != len(ranks)*n {
		return 0, fmt.Errorf("runtime: P has length %d and ranks %d, want ranks a positive multiple of n=%d and P n times that", len(pt), len(ranks), n)
	}
	if grad != nil && len(grad) != len(pt) {
		return 0, fmt.Errorf("runtime: BCE gradient has length %d, want %d", len(grad), len(pt))
	}
	inv := 1 / float64(len(pt))
	// Q is zero but for one entry per input: take every entry as a zero
	// target in one vectorised pass, then correct the n entries per sample
	// where Q is 1.
	var sum float64
	if grad != nil {
		sum = -vbce.Log1m(grad, pt, T(inv))
	} else {
		sum = -vbce.Log1m(make([]T, len(pt)), pt, T(inv))
	}
	for b := 0; b < len(ranks)/n; b++ {
		m := pt[b*n*n : (b+1)*n*n]
		for i, j := range ranks[b*n : (b+1)*n] {
			k := j*n + i
			pv := min(max(float64(m[k]), 0), 1)
			sum += max(math.Log(1-pv), bceLogFloor) - max(math.Log(pv), bceLogFloor)
			if grad != nil {
				grad[b*n*n+k] = T((pv - 1) / max(pv*(1-pv), 1e-12) * inv)
			}
		}
	}
	return sum * inv, nil
}
