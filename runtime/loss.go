package runtime

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Ranking supervision: ranks[b*n+i] is the true rank (sorted position,
// ascending) of item i of sample b, so the true permutation matrix is
// Q[i][j] = 1 iff ranks[b*n+i] == j, in the orientation of P.

// CheckRanks reports an error unless every sample's ranks are a permutation
// of 0..n-1.
func CheckRanks(ranks []int, n int) error {
	if n < 1 || len(ranks) == 0 || len(ranks)%n != 0 {
		return fmt.Errorf("runtime: ranks have length %d, not a positive multiple of n=%d", len(ranks), n)
	}
	seen := make([]bool, n)
	for b := 0; b < len(ranks)/n; b++ {
		clear(seen)
		for i, r := range ranks[b*n : (b+1)*n] {
			if r < 0 || r >= n || seen[r] {
				return fmt.Errorf("runtime: ranks of sample %d are not a permutation of 0..%d (item %d has rank %d)", b, n-1, i, r)
			}
			seen[r] = true
		}
	}
	return nil
}

// bceLogFloor is where PyTorch's BCELoss clamps its logs, so that a P entry
// of exactly 0 or 1 against the wrong target costs 100, not infinity.
const bceLogFloor = -100

// BCE is diffsort's ranking loss: the binary cross-entropy between P and
// the true permutation matrix Q, averaged over all batch*n*n entries,
//
//	BCE(P, Q) = -mean(Q log P + (1-Q) log(1-P)),
//
// with logs clamped at -100 and, when grad is non-nil, dL/dP written into it
// as PyTorch's BCELoss computes it: (P - Q) / max(P (1-P), 1e-12) / count.
// P is in SPEC orientation (batch x n x n); entries are clamped to [0, 1]
// first, because a float32 sorter can overshoot 1 by an ulp.
func BCE(grad, p []float64, ranks []int, n int) (float64, error) {
	if err := CheckRanks(ranks, n); err != nil {
		return 0, err
	}
	if len(p) != len(ranks)*n {
		return 0, fmt.Errorf("runtime: P has length %d, want %d for %d samples of n=%d", len(p), len(ranks)*n, len(ranks)/n, n)
	}
	if grad != nil && len(grad) != len(p) {
		return 0, fmt.Errorf("runtime: BCE gradient has length %d, want %d", len(grad), len(p))
	}
	count := float64(len(p))
	var sum float64
	for k, v := range p {
		v = min(max(v, 0), 1)
		var q float64
		if ranks[k/n] == k%n {
			q = 1
		}
		lp := max(math.Log(v), bceLogFloor)
		lq := max(math.Log(1-v), bceLogFloor)
		sum -= q*lp + (1-q)*lq
		if grad != nil {
			grad[k] = (v - q) / max(v*(1-v), 1e-12) / count
		}
	}
	return sum / count, nil
}

// FeatureMSE is the error-free paper's second term: the items' features X
// (one row per item, batch*n rows) reordered by the predicted P, P^T X, are
// compared with the same features reordered by the truth, Q^T X, by mean
// squared error over all batch*n*D entries. When grad is non-nil it
// receives dL/dP (SPEC orientation): 2/count * X (P^T X - Q^T X)^T per sample.
//
// The paper's code splits the items into groups of four to bound GPU
// memory; this computes the whole n x D product, which is cheap on a CPU.
func FeatureMSE(grad, p []float64, feats *mat.Dense, ranks []int, n int) (float64, error) {
	if err := CheckRanks(ranks, n); err != nil {
		return 0, err
	}
	rows, d := feats.Dims()
	if rows != len(ranks) || len(p) != len(ranks)*n {
		return 0, fmt.Errorf("runtime: feature loss wants %d feature rows and %d P entries, got %d and %d", len(ranks), len(ranks)*n, rows, len(p))
	}
	if grad != nil && len(grad) != len(p) {
		return 0, fmt.Errorf("runtime: feature loss gradient has length %d, want %d", len(grad), len(p))
	}
	fm := feats.RawMatrix()
	diff := make([]float64, n*d)
	count := float64(rows * d)
	var sum float64
	for b := 0; b < rows/n; b++ {
		x := blas64.General{Rows: n, Cols: d, Stride: fm.Stride, Data: fm.Data[b*n*fm.Stride:]}
		pb := blas64.General{Rows: n, Cols: n, Stride: n, Data: p[b*n*n : (b+1)*n*n]}
		e := blas64.General{Rows: n, Cols: d, Stride: d, Data: diff}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, pb, x, 0, e)
		for i, r := range ranks[b*n : (b+1)*n] {
			xi := x.Data[i*x.Stride : i*x.Stride+d]
			ej := diff[r*d : (r+1)*d]
			for k, v := range xi {
				ej[k] -= v
				sum += ej[k] * ej[k]
			}
		}
		if grad != nil {
			g := blas64.General{Rows: n, Cols: n, Stride: n, Data: grad[b*n*n : (b+1)*n*n]}
			blas64.Gemm(blas.NoTrans, blas.Trans, 2/count, x, e, 0, g)
		}
	}
	return sum / count, nil
}
