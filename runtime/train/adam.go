package train

import (
	"fmt"
	"math"
)

// PaperLR is the learning rate of diffsort and the error-free paper,
// 10^-3.5.
var PaperLR = math.Pow(10, -3.5)

// AdamConfig holds Adam's hyperparameters. WeightDecay > 0 makes it AdamW
// (decoupled decay, as torch.optim.AdamW; parameters marked NoDecay are
// exempt). DecayEvery > 0 multiplies the learning rate by DecayFactor every
// DecayEvery steps (the error-free paper halves it every 50,000 steps).
type AdamConfig struct {
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"`
	DecayEvery  int     `json:"decay_every,omitempty"`
	DecayFactor float64 `json:"decay_factor,omitempty"`
}

// DefaultAdam is torch.optim.Adam's defaults at the papers' learning rate.
func DefaultAdam() AdamConfig {
	return AdamConfig{LR: PaperLR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Validate reports unusable hyperparameters.
func (c AdamConfig) Validate() error {
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("train: Adam learning rate must be positive and finite, got %v", c.LR)
	case !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 >= 0 && c.Beta2 < 1):
		return fmt.Errorf("train: Adam betas must be in [0, 1), got %v, %v", c.Beta1, c.Beta2)
	case !(c.Eps > 0):
		return fmt.Errorf("train: Adam eps must be positive, got %v", c.Eps)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("train: weight decay must be >= 0, got %v", c.WeightDecay)
	case c.DecayEvery < 0 || (c.DecayEvery > 0 && !(c.DecayFactor > 0)):
		return fmt.Errorf("train: step decay needs DecayEvery >= 0 and a positive factor, got %d, %v", c.DecayEvery, c.DecayFactor)
	}
	return nil
}

// Adam updates parameters from their gradients. Its state (the moments and
// the step count) is exported so a checkpoint can save and restore it.
type Adam struct {
	Config AdamConfig
	Params []*Param
	// Step is the number of updates taken.
	Step int
	// M and V are the first and second moments, one slice per parameter.
	M, V [][]float64
}

// NewAdam starts an optimiser over ps.
func NewAdam(ps []*Param, cfg AdamConfig) (*Adam, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkParams(ps); err != nil {
		return nil, err
	}
	a := &Adam{Config: cfg, Params: ps, M: make([][]float64, len(ps)), V: make([][]float64, len(ps))}
	for i, p := range ps {
		a.M[i] = make([]float64, len(p.Value))
		a.V[i] = make([]float64, len(p.Value))
	}
	return a, nil
}

// check reports an optimiser whose parameters (of which there must be n)
// or moments are unusable: its fields are exported, for checkpoints.
func (a *Adam) check(n int) error {
	if len(a.Params) != n {
		return fmt.Errorf("train: optimiser has %d parameters, the model %d", len(a.Params), n)
	}
	if len(a.M) != n || len(a.V) != n {
		return fmt.Errorf("train: optimiser has %d and %d moments for %d parameters", len(a.M), len(a.V), n)
	}
	for i, p := range a.Params {
		if err := checkParam("optimiser ", i, p); err != nil {
			return err
		}
		if len(a.M[i]) != len(p.Value) || len(a.V[i]) != len(p.Value) {
			return fmt.Errorf("train: optimiser moments of %s have %d and %d entries, want %d", p.Name, len(a.M[i]), len(a.V[i]), len(p.Value))
		}
	}
	return nil
}

// LR is the learning rate of the next update.
func (a *Adam) LR() float64 {
	c := a.Config
	if c.DecayEvery <= 0 {
		return c.LR
	}
	return c.LR * math.Pow(c.DecayFactor, float64(a.Step/c.DecayEvery))
}

// ZeroGrad clears every gradient.
func (a *Adam) ZeroGrad() {
	for _, p := range a.Params {
		p.ZeroGrad()
	}
}

// Update takes one step, as torch.optim.Adam/AdamW do, and reports an error
// (changing nothing) if a gradient is not finite, or if Params or the
// moments were changed into something NewAdam would refuse.
func (a *Adam) Update() error {
	if err := a.check(len(a.Params)); err != nil {
		return err
	}
	for _, p := range a.Params {
		for i, g := range p.Grad {
			if math.IsNaN(g) || math.IsInf(g, 0) {
				return fmt.Errorf("train: gradient of %s[%d] is %v", p.Name, i, g)
			}
		}
	}
	c := a.Config
	lr := a.LR()
	a.Step++
	bc1 := 1 - math.Pow(c.Beta1, float64(a.Step))
	bc2 := math.Sqrt(1 - math.Pow(c.Beta2, float64(a.Step)))
	for k, p := range a.Params {
		m, v := a.M[k], a.V[k]
		decay := 1.0
		if c.WeightDecay > 0 && !p.NoDecay {
			decay = 1 - lr*c.WeightDecay
		}
		for i, g := range p.Grad {
			m[i] = c.Beta1*m[i] + (1-c.Beta1)*g
			v[i] = c.Beta2*v[i] + (1-c.Beta2)*g*g
			p.Value[i] = p.Value[i]*decay - lr/bc1*m[i]/(math.Sqrt(v[i])/bc2+c.Eps)
		}
	}
	return nil
}
