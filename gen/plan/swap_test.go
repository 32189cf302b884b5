package plan

import (
	"math"
	"strings"
	"testing"
)

func TestParamsValidate(t *testing.T) {
	for _, c := range []struct {
		p    Params
		want string // substring of the error; "" for none
	}{
		{DefaultParams, ""},
		{Params{Steepness: MaxSteepness, ARTLambda: MaxARTLambda}, ""},
		{Params{Steepness: 1e-300, ARTLambda: 0}, ""},
		{Params{Steepness: 0, ARTLambda: 0.25}, "steepness"},
		{Params{Steepness: math.NaN(), ARTLambda: 0.25}, "steepness"},
		{Params{Steepness: math.Inf(1), ARTLambda: 0.25}, "steepness"},
		{Params{Steepness: 1e300, ARTLambda: 0.25}, "overflow"},
		{Params{Steepness: 10, ARTLambda: -0.1}, "lambda"},
		{Params{Steepness: 10, ARTLambda: 40}, "0/0"},
		{Params{Steepness: 10, ARTLambda: math.NaN()}, "lambda"},
	} {
		err := c.p.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.p, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: error %v, want one containing %q", c.p, err, c.want)
		}
	}
}

// TestAlphaFiniteAtExtremes: every soft function gives a finite alpha in
// [0, 1], a finite slope and a d*slope of at most 1/4 in magnitude over the
// whole range of Diff, at the parameter bounds.
func TestAlphaFiniteAtExtremes(t *testing.T) {
	ds := []float64{
		Diff(-math.MaxFloat64, math.MaxFloat64), Diff(math.MaxFloat64, -math.MaxFloat64),
		Diff(float64(-math.MaxFloat32), math.MaxFloat32), -1e10, -1, -1e-300, 0, 1e-300, 1, 1e10,
	}
	if Diff(-math.MaxFloat64, math.MaxFloat64) != math.MaxFloat64 {
		t.Fatalf("Diff does not clamp: %v", Diff(-math.MaxFloat64, math.MaxFloat64))
	}
	for _, f := range []Func{Logistic, LogisticPhi, Gaussian, Reciprocal, Cauchy, Optimal} {
		for _, beta := range []float64{1e-300, 1, 10, MaxSteepness} {
			for _, lambda := range []float64{0, 0.25, MaxARTLambda} {
				for _, d := range ds {
					alpha, slope := Alpha(f, d, beta, lambda)
					if !(alpha >= 0 && alpha <= 1) || math.IsNaN(slope) || math.IsInf(slope, 0) || !(math.Abs(d*slope) <= 0.25) {
						t.Errorf("%v(d=%v, beta=%v, lambda=%v) = (%v, %v), d*slope = %v", f, d, beta, lambda, alpha, slope, d*slope)
					}
				}
			}
		}
	}
}
