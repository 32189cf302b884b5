package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Scorer kinds.
const (
	// ScorerLinear is one linear map of the item's features.
	ScorerLinear = "linear"
	// ScorerMLP is a ReLU multilayer perceptron.
	ScorerMLP = "mlp"
	// ScorerDigits reads an item as Digits equal blocks (one image per
	// digit, most significant first), maps every block with one shared MLP
	// to 10 logits, takes the expected digit value under their softmax and
	// combines the digit values linearly. The combination starts at the
	// place values (scaled so the score lies in [0, 10)) and is learned.
	ScorerDigits = "digits"
	// ScorerTransformer is the set-aware scorer of the error-free paper: a
	// per-item encoder (a shared per-digit MLP when Digits > 0, else a
	// linear map), Transformer encoder layers with self-attention over the
	// SetSize items of each sample (no positional encoding, so the scores
	// are permutation-equivariant), a ReLU and a linear head.
	ScorerTransformer = "transformer"
)

// ScorerConfig describes a scorer; it is plain data so a checkpoint can
// record it and a resumed run can check it.
type ScorerConfig struct {
	Kind string `json:"kind"`
	// In is the number of features per item.
	In int `json:"in"`
	// Hidden are the hidden widths of the MLP (mlp), of the per-digit MLP
	// (digits), or the per-digit feature width (transformer, first entry).
	Hidden []int `json:"hidden,omitempty"`
	// Digits splits the features into that many equal blocks (digits,
	// transformer); 0 for transformer means no per-digit encoder.
	Digits int `json:"digits,omitempty"`
	// Scale multiplies the initial place values of the digits scorer
	// (0 means 1: the score starts in [0, 10)). The steepness of the swap
	// acts on score differences, so this sets how sharply the digits below
	// the first are sorted at the start.
	Scale float64 `json:"scale,omitempty"`
	// Transformer: items per set, model width, heads, layers, feed-forward width.
	SetSize int `json:"set_size,omitempty"`
	D       int `json:"d,omitempty"`
	Heads   int `json:"heads,omitempty"`
	Layers  int `json:"layers,omitempty"`
	FF      int `json:"ff,omitempty"`
}

// errNilRand is the error of a constructor given no random source for its
// initial weights.
var errNilRand = errors.New("train: rng is nil (initial weights need a random source)")

// A Scorer maps every item (a row of features) to one score.
type Scorer struct {
	Config ScorerConfig
	Net    Module // rows x In -> rows x 1
	scores []float64
	gs     []float64
}

// NewScorer builds and initialises a scorer from rng.
func NewScorer(cfg ScorerConfig, rng *rand.Rand) (*Scorer, error) {
	if rng == nil {
		return nil, errNilRand
	}
	if cfg.In < 1 {
		return nil, fmt.Errorf("train: scorer needs In >= 1 features (got %d)", cfg.In)
	}
	for _, h := range cfg.Hidden {
		if h < 1 {
			return nil, fmt.Errorf("train: scorer hidden widths must be >= 1 (got %v)", cfg.Hidden)
		}
	}
	var net Module
	switch cfg.Kind {
	case ScorerLinear:
		l := NewLinear("linear", cfg.In, 1, rng)
		l.NoInputGrad = true
		net = l
	case ScorerMLP:
		net = mlp("mlp", cfg.In, cfg.Hidden, 1, rng)
	case ScorerDigits:
		if cfg.Digits < 1 || cfg.In%cfg.Digits != 0 {
			return nil, fmt.Errorf("train: digits scorer needs Digits >= 1 dividing In=%d (got %d)", cfg.In, cfg.Digits)
		}
		digit := mlp("digit", cfg.In/cfg.Digits, cfg.Hidden, 10, rng)
		values := make([]float64, 10)
		for k := range values {
			values[k] = float64(k)
		}
		comb := NewLinear("combine", cfg.Digits, 1, rng)
		scale := cfg.Scale
		if scale == 0 {
			scale = 1
		}
		for k := range comb.W.Value {
			comb.W.Value[k] = scale * math.Pow(10, -float64(k))
		}
		comb.B.Value[0] = 0
		net = Sequential{&Blocks{K: cfg.Digits, Inner: append(digit, &Expectation{Values: values})}, comb}
	case ScorerTransformer:
		if cfg.SetSize < 1 || cfg.D < 1 || cfg.Layers < 0 || cfg.FF < 1 {
			return nil, fmt.Errorf("train: transformer scorer needs SetSize, D, FF >= 1 and Layers >= 0 (got %+v)", cfg)
		}
		var enc Sequential
		if cfg.Digits > 0 {
			if cfg.In%cfg.Digits != 0 || len(cfg.Hidden) == 0 {
				return nil, fmt.Errorf("train: transformer scorer with Digits=%d needs Digits dividing In=%d and a per-digit width in Hidden", cfg.Digits, cfg.In)
			}
			h := cfg.Hidden[0]
			first := NewLinear("digit", cfg.In/cfg.Digits, h, rng)
			first.NoInputGrad = true
			enc = Sequential{&Blocks{K: cfg.Digits, Inner: Sequential{first, &ReLU{}}}, NewLinear("embed", cfg.Digits*h, cfg.D, rng)}
		} else {
			l := NewLinear("embed", cfg.In, cfg.D, rng)
			l.NoInputGrad = true
			enc = Sequential{l}
		}
		for i := 0; i < cfg.Layers; i++ {
			layer, err := NewEncoderLayer(fmt.Sprintf("enc%d", i), cfg.SetSize, cfg.D, cfg.Heads, cfg.FF, rng)
			if err != nil {
				return nil, err
			}
			enc = append(enc, layer)
		}
		net = append(enc, &ReLU{}, NewLinear("head", cfg.D, 1, rng))
	default:
		return nil, fmt.Errorf("train: unknown scorer %q (want %s, %s, %s or %s)", cfg.Kind, ScorerLinear, ScorerMLP, ScorerDigits, ScorerTransformer)
	}
	s := &Scorer{Config: cfg, Net: net}
	if err := checkParams(s.Params()); err != nil {
		return nil, err
	}
	return s, nil
}

// mlp is Linear (ReLU Linear)* with the given hidden widths; its first
// layer computes no input gradient, as scorers read raw data.
func mlp(name string, in int, hidden []int, out int, rng *rand.Rand) Sequential {
	var s Sequential
	for i, h := range hidden {
		s = append(s, NewLinear(fmt.Sprintf("%s%d", name, i), in, h, rng), &ReLU{})
		in = h
	}
	s = append(s, NewLinear(fmt.Sprintf("%s%d", name, len(hidden)), in, out, rng))
	s[0].(*Linear).NoInputGrad = true
	return s
}

// Params lists the trainable parameters.
func (s *Scorer) Params() []*Param { return s.Net.Params() }

// Forward scores every row of x (batch*n rows for a transformer scorer).
// The returned slice is reused by the next call.
func (s *Scorer) Forward(x *mat.Dense) ([]float64, error) {
	if x == nil {
		return nil, errors.New("train: scorer input x is nil")
	}
	r, c := x.Dims()
	if c != s.Config.In {
		return nil, fmt.Errorf("train: scorer wants %d features per item, got %d", s.Config.In, c)
	}
	if s.Config.Kind == ScorerTransformer && r%s.Config.SetSize != 0 {
		return nil, fmt.Errorf("train: transformer scorer wants whole sets of %d items, got %d rows", s.Config.SetSize, r)
	}
	y := s.Net.Forward(x)
	s.scores = append(s.scores[:0], raw(y)...)
	return s.scores, nil
}

// Backward takes dL/dscores of the last Forward and adds the parameter
// gradients into Param.Grad.
func (s *Scorer) Backward(gs []float64) error {
	if len(s.scores) == 0 {
		return errors.New("train: scorer backward needs a forward pass first")
	}
	if len(gs) != len(s.scores) {
		return fmt.Errorf("train: scorer gradient has length %d, want %d", len(gs), len(s.scores))
	}
	s.gs = append(s.gs[:0], gs...)
	s.Net.Backward(mat.NewDense(len(gs), 1, s.gs))
	return nil
}
