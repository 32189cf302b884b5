package runtime

import (
	"fmt"
	"math"
)

// CheckRanks reports an error unless every sample's ranks are a permutation
// of 0..n-1: ranks[b*n+i] is the sorted (ascending) position of item i of
// sample b (see Ranks in the package documentation).
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
// the true permutation matrix Q (Q[i][j] = 1 iff ranks[b*n+i] == j, the
// sorted ascending position of item i of sample b), averaged over all
// batch*n*n entries,
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

// FeatureMSE is the error-free paper's second term over whole samples: the
// items' features X, row-major with d features per item (feats[(b*n+i)*d+k]
// is feature k of item i of sample b), reordered by the predicted P, P^T X,
// are compared with the same features reordered by the truth, Q^T X, by
// mean squared error over all batch*n*d entries. When grad is non-nil it
// receives dL/dP (SPEC orientation): 2/count * X (P^T X - Q^T X)^T per
// sample. FeatureGroupMSE is the paper's own form, which compares groups of
// items.
func FeatureMSE(grad, p, feats []float64, d int, ranks []int, n int) (float64, error) {
	rows, err := checkFeatureArgs(grad, p, feats, d, ranks, n)
	if err != nil {
		return 0, err
	}
	diff := make([]float64, n*d)
	count := float64(rows * d)
	var sum float64
	for b := 0; b < rows/n; b++ {
		x := feats[b*n*d : (b+1)*n*d]
		pb := p[b*n*n : (b+1)*n*n]
		// diff = P^T X - Q^T X: row j of P^T X is the P-weighted sum of
		// the items' features at sorted position j.
		clear(diff)
		for i := range n {
			xi := x[i*d : (i+1)*d]
			for j, w := range pb[i*n : (i+1)*n] {
				if w == 0 {
					continue
				}
				ej := diff[j*d : (j+1)*d]
				for k, v := range xi {
					ej[k] += w * v
				}
			}
		}
		for i, r := range ranks[b*n : (b+1)*n] {
			xi := x[i*d : (i+1)*d]
			ej := diff[r*d : (r+1)*d]
			for k, v := range xi {
				ej[k] -= v
				sum += ej[k] * ej[k]
			}
		}
		if grad != nil {
			gb := grad[b*n*n : (b+1)*n*n]
			for i := range n {
				xi := x[i*d : (i+1)*d]
				for j := range n {
					ej := diff[j*d : (j+1)*d]
					var dot float64
					for k, v := range xi {
						dot += v * ej[k]
					}
					gb[i*n+j] = 2 / count * dot
				}
			}
		}
	}
	return sum / count, nil
}

// FeatureGroupMSE is the feature term as the error-free paper's code
// computes it: the items of a sample are taken in groups of group
// consecutive items (0..group-1, group..2*group-1, ...; a last item left
// alone joins the group before it, and a remainder smaller than group
// stays a group of its own), and within each group the features sorted by
// the predicted order of its items are compared with the features sorted
// by their true order. The predicted order of a group is the part of P on
// its items' rows and on the columns those rows occupy (the columns whose
// sum over the group's rows is 1): an exact permutation matrix, such as
// the errorfree sorter's, restricted to the group. The loss is the sum
// over groups of the mean squared error over batch*size*D entries, and
// grad (may be nil) receives dL/dP, non-zero only on the entries that
// order a group.
//
// So the term asks for the relative order of nearby items only, which for
// n beyond 5 is a much gentler target than FeatureMSE's whole sample:
// there a single misplaced item changes the features at every position it
// passes. For n <= group+1 the one group is the whole sample: that is
// FeatureMSE (for any P). A group's rows that do not occupy exactly as
// many columns as it has items mean P is not a permutation matrix there:
// that is an error.
func FeatureGroupMSE(grad, p, feats []float64, d int, ranks []int, n, group int) (float64, error) {
	if group <= 0 {
		return 0, fmt.Errorf("runtime: feature group size %d, want >= 1", group)
	}
	if n <= group+1 {
		// One group holds the whole sample (a last item alone joins it; its
		// own group of one adds nothing): FeatureMSE, bit for bit.
		return FeatureMSE(grad, p, feats, d, ranks, n)
	}
	rows, err := checkFeatureArgs(grad, p, feats, d, ranks, n)
	if err != nil {
		return 0, err
	}
	clear(grad)
	batch := rows / n
	var total float64
	pred := make([]float64, (group+1)*d)
	cols := make([]int, 0, n)
	truth := make([]int, group+1) // items of the group by true rank
	for lo := 0; lo < n; lo += group {
		size := group
		if n == lo+group+1 {
			size++ // the paper's code lets no item end up alone
		}
		hi := min(lo+size, n)
		m := hi - lo
		inv := 1 / float64(batch*m*d)
		var sum float64
		for b := 0; b < batch; b++ {
			pb := p[b*n*n : (b+1)*n*n]
			cols = cols[:0]
			for j := 0; j < n; j++ {
				var c float64
				for i := lo; i < hi; i++ {
					c += pb[i*n+j]
				}
				if math.Abs(c-1) < 1e-2 {
					cols = append(cols, j)
				}
			}
			if len(cols) != m {
				return 0, fmt.Errorf("runtime: sample %d: items %d..%d of P occupy %d columns, not %d: the grouped feature loss needs an exact permutation matrix (a hard-forward swap's P)", b, lo, hi-1, len(cols), m)
			}
			// The group's items in true order: sort by rank (m <= group+1).
			rb := ranks[b*n : (b+1)*n]
			for k := range m {
				truth[k] = lo + k
			}
			for k := 1; k < m; k++ {
				for j := k; j > 0 && rb[truth[j]] < rb[truth[j-1]]; j-- {
					truth[j], truth[j-1] = truth[j-1], truth[j]
				}
			}
			item := func(i int) []float64 { return feats[(b*n+i)*d : (b*n+i+1)*d] }
			e := pred[:m*d]
			clear(e)
			for k, j := range cols {
				ek := e[k*d : (k+1)*d]
				for i := lo; i < hi; i++ {
					if w := pb[i*n+j]; w != 0 {
						for t, v := range item(i) {
							ek[t] += w * v
						}
					}
				}
				for t, v := range item(truth[k]) {
					ek[t] -= v
					sum += ek[t] * ek[t]
				}
			}
			if grad != nil {
				gb := grad[b*n*n : (b+1)*n*n]
				for k, j := range cols {
					ek := e[k*d : (k+1)*d]
					for i := lo; i < hi; i++ {
						var dot float64
						for t, v := range item(i) {
							dot += v * ek[t]
						}
						gb[i*n+j] += 2 * inv * dot
					}
				}
			}
		}
		total += sum * inv
	}
	return total, nil
}

// checkFeatureArgs checks the arguments of the feature losses and returns
// the number of feature rows (items).
func checkFeatureArgs(grad, p, feats []float64, d int, ranks []int, n int) (rows int, err error) {
	if err := CheckRanks(ranks, n); err != nil {
		return 0, err
	}
	if d < 1 {
		return 0, fmt.Errorf("runtime: feature loss wants d >= 1 features per item, got %d", d)
	}
	rows = len(ranks)
	if len(feats) != rows*d || len(p) != rows*n {
		return 0, fmt.Errorf("runtime: feature loss wants %d features (%d items of d=%d) and %d P entries, got %d and %d", rows*d, rows, d, rows*n, len(feats), len(p))
	}
	if grad != nil && len(grad) != len(p) {
		return 0, fmt.Errorf("runtime: feature loss gradient has length %d, want %d", len(grad), len(p))
	}
	return rows, nil
}
