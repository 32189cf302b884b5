package plan

import (
	"fmt"
	"math"
	"strings"
)

// A Func is a swap function: how a comparator mixes its two wires.
type Func int

// The swap functions of SPEC.md. The soft ones map d = b - a to the weight
// alpha of "no swap"; Hard and ErrorFree swap exactly.
const (
	Logistic Func = iota + 1
	LogisticPhi
	Gaussian
	Reciprocal
	Cauchy
	Optimal
	Hard
	ErrorFree
)

var funcNames = map[Func]string{
	Logistic:    "logistic",
	LogisticPhi: "logistic_phi",
	Gaussian:    "gaussian",
	Reciprocal:  "reciprocal",
	Cauchy:      "cauchy",
	Optimal:     "optimal",
	Hard:        "hard",
	ErrorFree:   "errorfree",
}

// Funcs lists every swap function in a stable order.
var Funcs = []Func{Logistic, LogisticPhi, Gaussian, Reciprocal, Cauchy, Optimal, Hard, ErrorFree}

// SoftFuncs lists the soft swap functions, the possible bases of ErrorFree.
var SoftFuncs = []Func{Logistic, LogisticPhi, Gaussian, Reciprocal, Cauchy, Optimal}

func (f Func) String() string {
	if s, ok := funcNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Func(%d)", int(f))
}

// IsSoft reports whether f is a soft (sigmoid-like) swap function.
func (f Func) IsSoft() bool { return f >= Logistic && f <= Optimal }

// ParseFunc returns the swap function with the given name.
func ParseFunc(name string) (Func, error) {
	for f, s := range funcNames {
		if s == name {
			return f, nil
		}
	}
	names := make([]string, len(Funcs))
	for i, f := range Funcs {
		names[i] = f.String()
	}
	return 0, fmt.Errorf("plan: unknown swap %q (known: %s)", name, strings.Join(names, ", "))
}

// DefaultErrorFreeBase is the soft function ErrorFree differentiates through
// when none is named, as in the error-free paper's code.
const DefaultErrorFreeBase = Cauchy

// A Swap is a complete swap configuration: the function, and for ErrorFree
// the soft base whose derivative drives the backward pass.
type Swap struct {
	Func Func
	Base Func // only for ErrorFree; zero otherwise
}

// ParseSwap builds a Swap from names. An empty base selects the default for
// ErrorFree; a base given with any other swap is an error.
func ParseSwap(name, base string) (Swap, error) {
	f, err := ParseFunc(name)
	if err != nil {
		return Swap{}, err
	}
	s := Swap{Func: f}
	if f != ErrorFree {
		if base != "" && base != name {
			return Swap{}, fmt.Errorf("plan: a base (%q) only applies to swap errorfree, not %q", base, name)
		}
		return s, nil
	}
	s.Base = DefaultErrorFreeBase
	if base != "" {
		b, err := ParseFunc(base)
		if err != nil {
			return Swap{}, err
		}
		if !b.IsSoft() {
			return Swap{}, fmt.Errorf("plan: errorfree needs a soft base, not %q", base)
		}
		s.Base = b
	}
	return s, nil
}

// Validate reports whether s is a consistent configuration.
func (s Swap) Validate() error {
	switch {
	case s.Func.IsSoft() || s.Func == Hard:
		if s.Base != 0 {
			return fmt.Errorf("plan: swap %v takes no base", s.Func)
		}
	case s.Func == ErrorFree:
		if !s.Base.IsSoft() {
			return fmt.Errorf("plan: errorfree needs a soft base, not %v", s.Base)
		}
	default:
		return fmt.Errorf("plan: unknown swap %v", s.Func)
	}
	return nil
}

func (s Swap) String() string {
	if s.Func == ErrorFree {
		return "errorfree(" + s.Base.String() + ")"
	}
	return s.Func.String()
}

// HardForward reports whether the forward pass swaps exactly (min/max).
func (s Swap) HardForward() bool { return s.Func == Hard || s.Func == ErrorFree }

// Differentiable reports whether a backward pass exists.
func (s Swap) Differentiable() bool { return s.Func != Hard }

// Grad is the soft function whose derivative the backward pass uses.
func (s Swap) Grad() Func {
	if s.Func == ErrorFree {
		return s.Base
	}
	return s.Func
}

// Params are the run-time arguments of a swap function.
type Params struct {
	Steepness float64 // beta, in (0, MaxSteepness]
	ARTLambda float64 // lambda of logistic_phi, in [0, MaxARTLambda]
}

// MaxSteepness bounds the steepness: the largest slope, logistic_phi's
// beta/4 * 1e10^lambda at a tie, then stays below 1e22 and its sums in the
// backward pass far below float32's largest value. A steeper swap is a hard
// swap to float32 precision for any pair of distinct finite values.
const MaxSteepness = 1e12

// MaxARTLambda bounds logistic_phi's exponent: above 1 the relaxation is no
// longer monotone in d, and near 31 (|d|+1e-10)^lambda underflows at a tie,
// so alpha would be 0/0.
const MaxARTLambda = 1

// DefaultParams are diffsort's defaults.
var DefaultParams = Params{Steepness: 10, ARTLambda: 0.25}

// Validate rejects a steepness outside (0, MaxSteepness] and a lambda
// outside [0, MaxARTLambda], NaN included.
func (p Params) Validate() error {
	if !(p.Steepness > 0 && p.Steepness <= MaxSteepness) {
		return fmt.Errorf("plan: steepness must be in (0, %g], got %v (larger slopes overflow the tape and the gradients)", float64(MaxSteepness), p.Steepness)
	}
	if !(p.ARTLambda >= 0 && p.ARTLambda <= MaxARTLambda) {
		return fmt.Errorf("plan: art lambda must be in [0, %g], got %v (above 1 logistic_phi is not monotone, and it underflows to 0/0 at ties)", float64(MaxARTLambda), p.ARTLambda)
	}
	return nil
}

// Diff returns d = b - a in float64, the argument of every swap function,
// clamped to the largest finite float64: finite inputs of opposite signs near
// the type's largest value would otherwise give an infinite d, and the
// tape's d*slope 0*Inf. Where the clamp acts the weight is saturated and the
// slope 0 either way.
func Diff(a, b float64) float64 { return clampFinite(b - a) }

// clampFinite maps ±Inf to ±math.MaxFloat64 and leaves the rest alone.
func clampFinite(v float64) float64 { return max(-math.MaxFloat64, min(v, math.MaxFloat64)) }

// Alpha returns the soft weight alpha = f(d) of "no swap" and its derivative
// df/dd for a soft function f, exactly as in SPEC.md. It is the scalar
// reference every kernel is tested against.
func Alpha(f Func, d, beta, lambda float64) (alpha, slope float64) {
	switch f {
	case Logistic:
		s := sigmoid(beta * d)
		return s, beta * s * (1 - s)
	case LogisticPhi:
		ad := math.Abs(d) + 1e-10
		s := sigmoid(beta * d / math.Pow(ad, lambda))
		return s, s * (1 - s) * beta * math.Pow(ad, -lambda-1) * (ad - lambda*math.Abs(d))
	case Gaussian:
		v := beta * d
		return 0.5 + 0.5*math.Erf(v/math.Sqrt2), beta * math.Exp(-v*v/2) / math.Sqrt(2*math.Pi)
	case Reciprocal:
		// v is clamped so that a saturated weight is v/den = 1, not Inf/Inf.
		v := clampFinite(beta * d)
		den := 2 + math.Abs(v)
		return 0.5 * (v/den + 1), beta / (den * den)
	case Cauchy:
		v := beta * d
		return math.Atan(v)/math.Pi + 0.5, beta / (math.Pi * (1 + v*v))
	case Optimal:
		v := beta * d
		av := math.Abs(v)
		if av <= 0.25 {
			return v + 0.5, beta
		}
		e := av + 1e-10
		if v > 0 {
			return 1 - 1/(16*e), beta / (16 * e * e)
		}
		return 1 / (16 * e), beta / (16 * e * e)
	}
	panic("plan: Alpha of a non-soft swap function " + f.String())
}

// sigmoid is 1/(1+exp(-x)) without overflow for large |x|.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
