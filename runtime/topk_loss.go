package runtime

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Top-1 modes of TopKCrossEntropy (difftopk's top1_mode).
const (
	// Top1Softmax takes the top-1 mass of the label from the softmax of the
	// logits, the rest from the sorter ("sm", difftopk's default).
	Top1Softmax = "sm"
	// Top1SoftmaxCE adds a softmax cross-entropy for the top-1 weight to a
	// loss on the sorter's k' >= 2 masses ("smce").
	Top1SoftmaxCE = "smce"
	// Top1Sort takes every mass from the sorter ("sort").
	Top1Sort = "sort"
)

// TopKLossConfig describes difftopk's top-k cross-entropy.
type TopKLossConfig struct {
	// Network is odd_even, bitonic or splitter_selection (plan.SplitterSelection).
	Network string
	// Swap, Base, Steepness and ARTLambda are the sorter's (Config); the
	// swap must be differentiable.
	Swap, Base           string
	Steepness, ARTLambda float64
	// Classes is the number of classes c, the logits per row.
	Classes int
	// PK is the distribution over k' = 1..k that the loss rewards the label
	// for being among the k' largest; k = len(PK). Non-negative, summing
	// to 1 within 1e-4.
	PK []float64
	// M, when positive (k < M < Classes), pre-selects per row the label
	// and the M-1 largest other logits, so that the sorter runs on M
	// inputs; 0 sorts all classes.
	M int
	// Top1Mode is Top1Softmax (also when empty), Top1SoftmaxCE or Top1Sort.
	Top1Mode string
	// Backend and Workers are the sorter's (Config).
	Backend Backend
	Workers int
}

// TopKCrossEntropy is difftopk's top-k cross-entropy (Petersen et al.,
// ICML 2022) on a batch of logits (batch x Classes) with integer labels.
// With X the top-k sorter's attribution matrix of a row's logits o (after
// pre-selection, where the label is input 0), the label's mass among the
// k' largest is S_k' = sum_{j >= k-k'} X[label][j], and
//
//   - Top1Sort: q = sum_{k'} PK[k'-1] S_k';
//   - Top1Softmax: q = PK[0] softmax(o)[label] + sum_{k' >= 2} PK[k'-1] S_k';
//
// the loss being mean over rows of -log(q (1-2e-7) + 1e-7); with
// Top1SoftmaxCE, t = sum_{k' >= 2} PK[k'-1] S_k' (not renormalised) and
// the loss is PK[0] CE(o, label) + sum_{k' >= 2} PK[k'-1] * mean(-log(t
// (1-2e-7) + 1e-7)), CE the mean softmax cross-entropy. The softmax and CE
// are taken over the logits the sorter sees (the M selected ones under
// pre-selection), as difftopk does.
//
// It keeps its buffers across calls, so it is not safe for concurrent use.
type TopKCrossEntropy[T Float] struct {
	S   *Sorter[T]
	cfg TopKLossConfig
	// coef[j] is the weight of X[label][j] in q (or t).
	coef []float64
	mode string

	res       TopKResult[T]
	sel       []int // batch x N selected classes (pre-selection)
	order     []int
	x, gsel   []T
	gX        []T
	soft      []float64 // softmax of one row
	dq, dsoft []float64 // per row: dL/dq, and the softmax term's weight
}

// NewTopKCrossEntropy validates cfg and builds the sorter.
func NewTopKCrossEntropy[T Float](cfg TopKLossConfig) (*TopKCrossEntropy[T], error) {
	k, c := len(cfg.PK), cfg.Classes
	mode := cfg.Top1Mode
	if mode == "" {
		mode = Top1Softmax
	}
	switch {
	case mode != Top1Softmax && mode != Top1SoftmaxCE && mode != Top1Sort:
		return nil, fmt.Errorf("runtime: top-1 mode %q, want %q, %q or %q", cfg.Top1Mode, Top1Softmax, Top1SoftmaxCE, Top1Sort)
	case k == 0:
		return nil, errors.New("runtime: top-k loss needs PK, the distribution over k")
	case c < 2:
		return nil, fmt.Errorf("runtime: top-k loss needs at least 2 classes, got %d", c)
	case cfg.M < 0 || cfg.M > 0 && (cfg.M <= k || cfg.M >= c):
		return nil, fmt.Errorf("runtime: pre-selection M=%d, want 0 or k < M < classes (k=%d, classes=%d)", cfg.M, k, c)
	case cfg.M == 0 && k >= c:
		return nil, fmt.Errorf("runtime: k=%d (len(PK)) must be below the %d classes", k, c)
	}
	sum := 0.0
	for i, p := range cfg.PK {
		if !(p >= 0) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("runtime: PK[%d] = %v, want a finite probability", i, p)
		}
		sum += p
	}
	if math.Abs(sum-1) > 1e-4 {
		return nil, fmt.Errorf("runtime: PK sums to %v, not 1 (within 1e-4)", sum)
	}
	n := c
	if cfg.M > 0 {
		n = cfg.M
	}
	s, err := New[T](Config{Network: cfg.Network, N: n, TopK: k, Swap: cfg.Swap, Base: cfg.Base,
		Steepness: cfg.Steepness, ARTLambda: cfg.ARTLambda, Backend: cfg.Backend, Workers: cfg.Workers})
	if err != nil {
		return nil, err
	}
	if !s.plan.Swap.Differentiable() {
		return nil, fmt.Errorf("runtime: the top-k loss trains through the sorter, and swap %v is not differentiable", s.plan.Swap)
	}
	l := &TopKCrossEntropy[T]{S: s, cfg: cfg, mode: mode, coef: make([]float64, k)}
	l.cfg.PK = slices.Clone(cfg.PK)
	kmin := 2 // k' = 1 comes from the softmax
	if mode == Top1Sort {
		kmin = 1
	}
	// S_k' = sum_{j >= k-k'} X[label][j], so X[label][j] carries the PK
	// of every k' >= max(kmin, k-j).
	for j := range k {
		for kp := max(kmin, k-j); kp <= k; kp++ {
			l.coef[j] += cfg.PK[kp-1]
		}
	}
	return l, nil
}

// K is k, len(PK).
func (l *TopKCrossEntropy[T]) K() int { return len(l.coef) }

// logFloor and logScale are difftopk's guard of the log: -log(q (1-2e-7)
// + 1e-7) stays finite at q = 0.
const (
	logFloor = 1e-7
	logScale = 1 - 2e-7
)

// Loss returns the loss of logits (batch x Classes, row-major) with labels
// (batch, each in [0, Classes)) and, when gLogits is non-nil, writes
// dL/dlogits into it (zero for classes pre-selection left out).
func (l *TopKCrossEntropy[T]) Loss(gLogits, logits []T, labels []int) (float64, error) {
	c, n, k := l.cfg.Classes, l.S.N(), len(l.coef)
	if len(logits) == 0 || len(logits)%c != 0 {
		return 0, fmt.Errorf("runtime: logits have length %d, not a positive multiple of %d classes", len(logits), c)
	}
	batch := len(logits) / c
	switch {
	case len(labels) != batch:
		return 0, fmt.Errorf("runtime: %d labels for %d rows of logits", len(labels), batch)
	case gLogits != nil && len(gLogits) != len(logits):
		return 0, fmt.Errorf("runtime: gLogits has length %d, want %d", len(gLogits), len(logits))
	}
	for b, y := range labels {
		if y < 0 || y >= c {
			return 0, fmt.Errorf("runtime: label %d of row %d is not in [0, %d)", y, b, c)
		}
	}
	if i := firstNotFinite(logits); i >= 0 {
		return 0, fmt.Errorf("%w: logits[%d] (row %d) = %v", ErrNotFinite, i, i/c, float64(logits[i]))
	}
	x := logits
	if l.cfg.M > 0 {
		l.preselect(logits, labels, batch)
		x = l.x
	}
	want := Want(0)
	if gLogits != nil {
		want = WantGrad
	}
	if err := l.S.ForwardTopKInto(&l.res, x, want); err != nil {
		return 0, err
	}
	l.soft = grow(l.soft, n)
	l.dq, l.dsoft = grow(l.dq, batch), grow(l.dsoft, batch)
	inv := 1 / float64(batch)
	var total float64
	for b := range batch {
		label := labels[b]
		if l.cfg.M > 0 {
			label = 0
		}
		row := x[b*n : (b+1)*n]
		xl := l.res.X[(b*n+label)*k : (b*n+label+1)*k]
		q := 0.0
		for j, v := range xl {
			q += l.coef[j] * float64(v)
		}
		var lse float64 // log-sum-exp of the row, for the softmax terms
		if l.mode != Top1Sort {
			lse = softmax(l.soft, row)
		}
		switch l.mode {
		case Top1Softmax:
			sm := l.soft[label]
			q += l.cfg.PK[0] * sm
			d := -logScale / (q*logScale + logFloor)
			total -= math.Log(q*logScale + logFloor)
			// dL/do_i through the softmax: dL/dq PK[0] sm (delta - sm_i).
			l.dq[b], l.dsoft[b] = d, d*l.cfg.PK[0]*sm
		case Top1SoftmaxCE:
			// sum_{k' >= 2} PK[k'-1]: X[label][k-1] is in every S_k'.
			w := l.coef[k-1]
			total += l.cfg.PK[0]*(lse-float64(row[label])) - w*math.Log(q*logScale+logFloor)
			l.dq[b] = -w * logScale / (q*logScale + logFloor)
			l.dsoft[b] = l.cfg.PK[0]
		case Top1Sort:
			total -= math.Log(q*logScale + logFloor)
			l.dq[b] = -logScale / (q*logScale + logFloor)
		}
	}
	loss := total * inv
	if gLogits == nil {
		return loss, nil
	}
	l.gX = grow(l.gX, batch*n*k)
	clear(l.gX)
	for b := range batch {
		label := labels[b]
		if l.cfg.M > 0 {
			label = 0
		}
		g := l.gX[(b*n+label)*k : (b*n+label+1)*k]
		for j := range g {
			g[j] = T(l.dq[b] * l.coef[j] * inv)
		}
	}
	l.gsel = grow(l.gsel, batch*n)
	if err := l.S.BackwardTopKInto(l.gsel, &l.res, nil, l.gX); err != nil {
		return 0, err
	}
	if l.mode != Top1Sort {
		for b := range batch {
			label := labels[b]
			if l.cfg.M > 0 {
				label = 0
			}
			softmax(l.soft, x[b*n:(b+1)*n])
			g := l.gsel[b*n : (b+1)*n]
			for i, sm := range l.soft {
				var d float64
				if l.mode == Top1Softmax {
					// d(sm_label)/do_i = sm_label (delta - sm_i).
					d = -l.dsoft[b] * sm
					if i == label {
						d += l.dsoft[b]
					}
				} else {
					// d CE/do_i = sm_i - delta.
					d = l.dsoft[b] * sm
					if i == label {
						d -= l.dsoft[b]
					}
				}
				g[i] += T(d * inv)
			}
		}
	}
	if l.cfg.M == 0 {
		copy(gLogits, l.gsel)
	} else {
		clear(gLogits)
		for b := range batch {
			for j, cls := range l.sel[b*n : (b+1)*n] {
				gLogits[b*c+cls] = l.gsel[b*n+j]
			}
		}
	}
	if err := finite("dL/dlogits", gLogits); err != nil {
		return 0, fmt.Errorf("%w (the gradient overflowed)", err)
	}
	return loss, nil
}

// preselect writes, per row, the label's logit and then the M-1 largest
// other logits in descending order (ties: the lower class first) to l.x,
// and their classes to l.sel.
func (l *TopKCrossEntropy[T]) preselect(logits []T, labels []int, batch int) {
	c, m := l.cfg.Classes, l.cfg.M
	l.x = grow(l.x, batch*m)
	l.sel = growInt(l.sel, batch*m)
	l.order = growInt(l.order, c-1)
	for b := range batch {
		row := logits[b*c : (b+1)*c]
		o := l.order[:0]
		for i := range c {
			if i != labels[b] {
				o = append(o, i)
			}
		}
		slices.SortFunc(o, func(i, j int) int {
			switch {
			case row[i] > row[j]:
				return -1
			case row[i] < row[j]:
				return 1
			}
			return i - j
		})
		sel := l.sel[b*m : (b+1)*m]
		sel[0] = labels[b]
		copy(sel[1:], o[:m-1])
		for j, cls := range sel {
			l.x[b*m+j] = row[cls]
		}
	}
}

// softmax writes the softmax of row to out and returns log(sum(exp(row))).
func softmax[T Float](out []float64, row []T) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	sum := 0.0
	for i, v := range row {
		out[i] = math.Exp(float64(v) - mx)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return mx + math.Log(sum)
}

func growInt(buf []int, n int) []int {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]int, n)
}
