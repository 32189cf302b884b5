package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/runtime"
)

// Loss kinds of a ranking model.
const (
	// LossBCE is diffsort's BCE(P, Q) on the sorter's relaxed P.
	LossBCE = "bce"
	// LossErrorFree is the error-free paper's combined loss; see Model.
	LossErrorFree = "errorfree"
)

// ModelConfig describes a ranking model: a scorer, a differentiable sorter
// over its scores and a loss. It is plain data so a checkpoint can record it.
type ModelConfig struct {
	Scorer    ScorerConfig `json:"scorer"`
	Network   string       `json:"network"`
	N         int          `json:"n"`
	Swap      string       `json:"swap"`
	Base      string       `json:"base,omitempty"`
	Steepness float64      `json:"steepness"`
	ARTLambda float64      `json:"art_lambda"`
	// Loss is LossBCE or LossErrorFree; empty picks LossErrorFree for a
	// hard-forward swap (errorfree) and LossBCE otherwise.
	Loss string `json:"loss,omitempty"`
	// FeatureWeight is the weight of the feature term of LossErrorFree
	// (the paper's default is 1).
	FeatureWeight float64 `json:"feature_weight"`
	// FeatureGroup is the group size of the feature term
	// (runtime.FeatureGroupMSE; the paper's code uses 4); 0 compares whole
	// samples (runtime.FeatureMSE).
	FeatureGroup int `json:"feature_group,omitempty"`
	// Float32 runs the sorter in float32 (the scorer is float64 always).
	Float32 bool `json:"float32,omitempty"`
}

// sortLayer hides the sorter's element type from the model.
type sortLayer interface {
	N() int
	Forward(scores []float64, wantGrad bool) (y, p []float64, err error)
	Backward(gy, gP []float64) ([]float64, error)
}

// newSortLayer builds the sorting layer of cfg and returns its swap.
func newSortLayer(cfg runtime.Config, f32 bool) (sortLayer, plan.Swap, error) {
	if f32 {
		l, err := runtime.NewSortLayer[float32](cfg)
		if err != nil {
			return nil, plan.Swap{}, err
		}
		return l, l.S.Plan().Swap, nil
	}
	l, err := runtime.NewSortLayer[float64](cfg)
	if err != nil {
		return nil, plan.Swap{}, err
	}
	return l, l.S.Plan().Swap, nil
}

// Model is a scorer trained through a sorting layer from ordering
// supervision alone.
//
// With LossBCE the loss is diffsort's runtime.BCE(P, Q) on the sorter's P.
//
// With LossErrorFree (swap errorfree, Kim, Yoon & Cho, ICLR 2024) the sorter
// runs hard swaps forward, so its P is exactly a permutation matrix: BCE on
// it would take logs of exact zeros (clamped to -100 they give a constant
// loss and gradients (P-Q)/1e-12, i.e. nonsense). The paper therefore
// computes the BCE term on the P of a second, fully soft sorter with the
// errorfree swap's base function (same network and steepness), and adds
// FeatureWeight times the feature loss of the hard P: the items' features
// reordered by the predicted permutation against the same features
// reordered by the truth, within groups of FeatureGroup items as the
// paper's code does (runtime.FeatureGroupMSE) or, with FeatureGroup 0,
// over whole samples (runtime.FeatureMSE). That term reaches the scores
// through the errorfree backward pass (the base function's derivative
// along the hard trajectory). With whole samples the total is
//
//	L = BCE(P_soft, Q) + FeatureWeight * mean((P_hard^T X - Q^T X)^2).
type Model struct {
	Config ModelConfig
	Scorer *Scorer
	sorter sortLayer // the configured swap
	soft   sortLayer // LossErrorFree: the base function's soft sorter
	gp, gs []float64
	feats  []float64 // x, when its rows are not contiguous
}

// LossParts are the terms of one training loss.
type LossParts struct {
	Total, BCE, Feature float64
}

// NewModel builds a model, drawing initial weights from rng.
func NewModel(cfg ModelConfig, rng *rand.Rand) (*Model, error) {
	scfg := runtime.Config{Network: cfg.Network, N: cfg.N, Swap: cfg.Swap, Base: cfg.Base, Steepness: cfg.Steepness, ARTLambda: cfg.ARTLambda}
	main, swap, err := newSortLayer(scfg, cfg.Float32)
	if err != nil {
		return nil, err
	}
	if cfg.Loss == "" {
		cfg.Loss = LossBCE
		if swap.HardForward() {
			cfg.Loss = LossErrorFree
		}
	}
	if cfg.FeatureGroup < 0 {
		return nil, fmt.Errorf("train: feature group size %d, want >= 0 (0: whole samples)", cfg.FeatureGroup)
	}
	m := &Model{Config: cfg, sorter: main}
	switch cfg.Loss {
	case LossBCE:
		if swap.HardForward() {
			return nil, fmt.Errorf("train: loss %q on swap %v (use loss %q): %w", LossBCE, swap, LossErrorFree, runtime.ErrHardP)
		}
	case LossErrorFree:
		if !swap.HardForward() || !swap.Differentiable() {
			return nil, fmt.Errorf("train: loss %q needs swap errorfree, got %v", LossErrorFree, swap)
		}
		soft := scfg
		soft.Swap, soft.Base = swap.Base.String(), ""
		if m.soft, _, err = newSortLayer(soft, cfg.Float32); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("train: unknown loss %q (want %s or %s)", cfg.Loss, LossBCE, LossErrorFree)
	}
	if cfg.Scorer.Kind == ScorerTransformer {
		if cfg.Scorer.SetSize == 0 {
			cfg.Scorer.SetSize = cfg.N
		}
		if cfg.Scorer.SetSize != cfg.N {
			// Attention groups rows by SetSize; any other grouping mixes samples.
			return nil, fmt.Errorf("train: transformer scorer set size %d differs from n=%d", cfg.Scorer.SetSize, cfg.N)
		}
	}
	if m.Scorer, err = NewScorer(cfg.Scorer, rng); err != nil {
		return nil, err
	}
	m.Config = cfg
	return m, nil
}

// Params lists the trainable parameters.
func (m *Model) Params() []*Param { return m.Scorer.Params() }

// N is the number of items per sample.
func (m *Model) N() int { return m.Config.N }

// Scores scores every item of x (batch*n rows). The slice is reused.
func (m *Model) Scores(x *mat.Dense) ([]float64, error) {
	return m.Scorer.Forward(x)
}

// Train runs one forward and backward pass on a batch: x holds batch*n
// items (consecutive groups of n form a sample), ranks their true ranks
// (ranks[b*n+i]: the sorted ascending position of item i of sample b).
// Gradients are added into the parameters' Grad (zero them before).
func (m *Model) Train(x *mat.Dense, ranks []int) (LossParts, error) {
	if x == nil {
		return LossParts{}, errors.New("train: model input x is nil")
	}
	n := m.N()
	r, _ := x.Dims()
	if len(ranks) != r {
		return LossParts{}, fmt.Errorf("train: %d items but %d ranks", r, len(ranks))
	}
	if err := runtime.CheckRanks(ranks, n); err != nil {
		return LossParts{}, err
	}
	scores, err := m.Scorer.Forward(x)
	if err != nil {
		return LossParts{}, err
	}
	var lp LossParts
	m.gp = grow(m.gp, r*n)
	m.gs = grow(m.gs, r)
	switch m.Config.Loss {
	case LossBCE:
		_, p, err := m.sorter.Forward(scores, true)
		if err != nil {
			return lp, err
		}
		if lp.BCE, err = runtime.BCE(m.gp, p, ranks, n); err != nil {
			return lp, err
		}
		g, err := m.sorter.Backward(nil, m.gp)
		if err != nil {
			return lp, err
		}
		copy(m.gs, g)
	case LossErrorFree:
		_, ps, err := m.soft.Forward(scores, true)
		if err != nil {
			return lp, err
		}
		if lp.BCE, err = runtime.BCE(m.gp, ps, ranks, n); err != nil {
			return lp, err
		}
		g, err := m.soft.Backward(nil, m.gp)
		if err != nil {
			return lp, err
		}
		copy(m.gs, g)
		if w := m.Config.FeatureWeight; w != 0 {
			_, ph, err := m.sorter.Forward(scores, true)
			if err != nil {
				return lp, err
			}
			feats, d := rowMajor(x, &m.feats)
			if g := m.Config.FeatureGroup; g > 0 {
				lp.Feature, err = runtime.FeatureGroupMSE(m.gp, ph, feats, d, ranks, n, g)
			} else {
				lp.Feature, err = runtime.FeatureMSE(m.gp, ph, feats, d, ranks, n)
			}
			if err != nil {
				return lp, err
			}
			for i := range m.gp {
				m.gp[i] *= w
			}
			g, err := m.sorter.Backward(nil, m.gp)
			if err != nil {
				return lp, err
			}
			for i, v := range g {
				m.gs[i] += v
			}
			lp.Feature *= w
		}
	}
	lp.Total = lp.BCE + lp.Feature
	return lp, m.Scorer.Backward(m.gs)
}

// Accuracy counts ranking hits; add counts over batches, then read rates.
type Accuracy struct {
	// Samples, and how many were ranked exactly right (all items; the
	// first min(5, n) items among themselves).
	Samples, Exact, Exact5 int
	// Items, and how many landed at their true rank.
	Items, ItemsRight int
}

// EM is acc_em: the fraction of samples whose whole ranking is right.
func (a Accuracy) EM() float64 { return frac(a.Exact, a.Samples) }

// EW is acc_ew: the fraction of items at their true rank.
func (a Accuracy) EW() float64 { return frac(a.ItemsRight, a.Items) }

// EM5 is diffsort's acc_em5: exact match of the relative order of the first
// five items of every sample (acc_em for n <= 5). diffsort selects its best
// validation step by it because it is comparable across n.
func (a Accuracy) EM5() float64 { return frac(a.Exact5, a.Samples) }

// Add sums counts.
func (a Accuracy) Add(b Accuracy) Accuracy {
	return Accuracy{a.Samples + b.Samples, a.Exact + b.Exact, a.Exact5 + b.Exact5, a.Items + b.Items, a.ItemsRight + b.ItemsRight}
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// RankAccuracy compares the ranking of scores (ascending; equal scores keep
// item order, like a stable argsort) with the true ranks, as diffsort's
// ranking_accuracy does: position j is right when the same item is j-th in
// both orders. ranks[b*n+i] is the sorted (ascending) position of item i
// of sample b, as for runtime.BCE.
func RankAccuracy(scores []float64, ranks []int, n int) (Accuracy, error) {
	if err := runtime.CheckRanks(ranks, n); err != nil {
		return Accuracy{}, err
	}
	if len(scores) != len(ranks) {
		return Accuracy{}, fmt.Errorf("train: %d scores but %d ranks", len(scores), len(ranks))
	}
	var a Accuracy
	pred := make([]int, n)
	truth := make([]int, n)
	k := min(5, n)
	for b := 0; b < len(ranks)/n; b++ {
		s, r := scores[b*n:(b+1)*n], ranks[b*n:(b+1)*n]
		argsort(pred, s)
		for i, v := range r {
			truth[v] = i
		}
		right := 0
		for j := range pred {
			if pred[j] == truth[j] {
				right++
			}
		}
		a.Samples++
		a.Items += n
		a.ItemsRight += right
		if right == n {
			a.Exact++
		}
		// EM5: the first k items among themselves.
		argsort(pred[:k], s[:k])
		ok := true
		for j := 1; j < k && ok; j++ {
			ok = r[pred[j-1]] < r[pred[j]]
		}
		if ok {
			a.Exact5++
		}
	}
	return a, nil
}

// argsort writes into idx the indices of s in ascending order (stable).
func argsort(idx []int, s []float64) {
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s[idx[a]] < s[idx[b]] })
}

// rowMajor returns x's entries row-major and its number of columns,
// copying into buf only when x's rows are not contiguous (a view).
func rowMajor(x *mat.Dense, buf *[]float64) ([]float64, int) {
	rm := x.RawMatrix()
	if rm.Stride == rm.Cols {
		return rm.Data[:rm.Rows*rm.Cols], rm.Cols
	}
	*buf = grow(*buf, rm.Rows*rm.Cols)
	for i := range rm.Rows {
		copy((*buf)[i*rm.Cols:(i+1)*rm.Cols], rm.Data[i*rm.Stride:])
	}
	return *buf, rm.Cols
}

// grow returns buf resized to n, reallocating only when it is too small.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
