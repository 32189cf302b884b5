//go:build amd64 && !purego

package vecmathtest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sortgen/sortgen/gen/plan"
)

type alphaKernels[T float32 | float64] struct {
	full func(alpha, slope, d []T, beta, lambda T)
	only func(alpha, d []T, beta, lambda T)
}

var alpha64 = map[plan.Func]alphaKernels[float64]{
	plan.Logistic:    {alphaLogisticF64, alphaOnlyLogisticF64},
	plan.LogisticPhi: {alphaLogisticPhiF64, alphaOnlyLogisticPhiF64},
	plan.Gaussian:    {alphaGaussianF64, alphaOnlyGaussianF64},
	plan.Reciprocal:  {alphaReciprocalF64, alphaOnlyReciprocalF64},
	plan.Cauchy:      {alphaCauchyF64, alphaOnlyCauchyF64},
	plan.Optimal:     {alphaOptimalF64, alphaOnlyOptimalF64},
}

var alpha32 = map[plan.Func]alphaKernels[float32]{
	plan.Logistic:    {alphaLogisticF32, alphaOnlyLogisticF32},
	plan.LogisticPhi: {alphaLogisticPhiF32, alphaOnlyLogisticPhiF32},
	plan.Gaussian:    {alphaGaussianF32, alphaOnlyGaussianF32},
	plan.Reciprocal:  {alphaReciprocalF32, alphaOnlyReciprocalF32},
	plan.Cauchy:      {alphaCauchyF32, alphaOnlyCauchyF32},
	plan.Optimal:     {alphaOptimalF32, alphaOnlyOptimalF32},
}

// runAlpha runs both kernels of k on d (padded to lanes) and checks that
// the alpha-only kernel gives the same alpha bits.
func runAlpha[T float32 | float64](t *testing.T, k alphaKernels[T], lanes int, d []T, beta, lambda T) (alpha, slope []T) {
	n := (len(d) + lanes - 1) / lanes * lanes
	src := make([]T, n)
	copy(src, d)
	alpha, slope = make([]T, n), make([]T, n)
	k.full(alpha, slope, src, beta, lambda)
	only := make([]T, n)
	k.only(only, src, beta, lambda)
	for i := range only {
		if math.Float64bits(float64(only[i])) != math.Float64bits(float64(alpha[i])) {
			t.Fatalf("alpha without slope differs at d=%v: %v vs %v", src[i], only[i], alpha[i])
		}
	}
	return alpha[:len(d)], slope[:len(d)]
}

// slopeAtZero is the largest slope of f: f'(0) (logistic_phi: its limit
// at d = 0, which has |d|+1e-10 = 1e-10).
func slopeAtZero(f plan.Func, beta, lambda float64) float64 {
	_, s := plan.Alpha(f, 0, beta, lambda)
	return s
}

// alphaPoints are the differences d tested for steepness beta: v = beta*d
// on a dense grid over [-60, 60], random values, log-uniform magnitudes,
// the branch points of every function and the extremes.
func alphaPoints(beta float64, f32 bool) []float64 {
	var special []float64
	for _, v := range []float64{0.25, 0.84375 * math.Sqrt2, math.Sqrt2 - 1, math.Sqrt2 + 1, 1, 2, 30, 87, 88.8, 103,
		104, 708, 709.8, 745, 746, 1e10, 1e20, 1e30} {
		special = append(special, v/beta, -v/beta)
	}
	special = append(special, commonSpecial...)
	special = append(special, 1e-10, -1e-10, 2e-10, -2e-10)
	xs := points(-60/beta, 60/beta, 30000, 15000, true, special...)
	out := xs[:0]
	for _, x := range xs {
		if math.IsInf(x, 0) || math.IsNaN(x) || f32 && math.IsInf(float64(float32(x)), 0) {
			continue
		}
		out = append(out, x)
	}
	return out
}

// alphaStats accumulates the errors of one configuration.
type alphaStats struct {
	// Against plan.Alpha: alpha's absolute error in units of 2^-53
	// (float32: 2^-24), slope's absolute error in ulps of slope(0).
	alphaAbs, slopeAbs maxErr
	// Against accurate references evaluated at the kernel's own v = beta*d
	// (float32: rounded to float32 like the kernel), in ulps.
	alphaRel, slopeRel maxErr
}

func (s *alphaStats) merge(o alphaStats) {
	for _, p := range []struct{ a, b *maxErr }{{&s.alphaAbs, &o.alphaAbs}, {&s.slopeAbs, &o.slopeAbs}, {&s.alphaRel, &o.alphaRel}, {&s.slopeRel, &o.slopeRel}} {
		p.a.add(p.b.err, p.b.x, p.b.got, p.b.want)
	}
}

// sqrtHalfDD is 1/sqrt(2) as a double-double.
var sqrtHalfDD = dd{0.7071067811865476, -4.833646656726457e-17}

// accurateAlpha is f(d) and f'(d) to about an ulp or better, evaluated at
// v (the kernel's beta*d) for steepness beta; for logistic_phi at d with
// ad = |d|+1e-10 as the kernel rounds it.
func accurateAlpha(f plan.Func, v, d, ad, beta, lambda float64) (alpha, slope float64) {
	switch f {
	case plan.Logistic:
		en := sigmoidDD(-math.Abs(v))
		om := ddAdd(dd{1, 0}, ddNeg(en))
		alpha = om.f64()
		if v < 0 {
			alpha = en.f64()
		}
		return alpha, ddMul(ddMul(en, om), dd{beta, 0}).f64()
	case plan.LogisticPhi:
		// pw = exp(-lambda*log(ad)), z = beta*d*pw, all in double-double.
		y := ddMul(logDD(ad), dd{lambda, 0})
		pw := ddMul(expDD(-y.hi), dd{1 - y.lo, 0})
		z := ddMul(ddMul(pw, dd{d, 0}), dd{beta, 0})
		en := sigmoidDD(-math.Abs(z.hi))
		om := ddAdd(dd{1, 0}, ddNeg(en))
		// First-order correction for z.lo: d en/d(-|z|) = en*om.
		dz := z.lo
		if z.hi > 0 {
			dz = -dz
		}
		en = ddAdd(en, ddMul(ddMul(en, om), dd{dz, 0}))
		om = ddAdd(dd{1, 0}, ddNeg(en))
		alpha = om.f64()
		if z.hi < 0 {
			alpha = en.f64()
		}
		lp := lambda * math.Abs(d)
		q := ddDiv(ddAdd(dd{ad, 0}, ddNeg(dd{lp, math.FMA(lambda, math.Abs(d), -lp)})), dd{ad, 0})
		return alpha, ddMul(ddMul(ddMul(ddMul(en, om), dd{beta, 0}), pw), q).f64()
	case plan.Gaussian:
		av := math.Abs(v)
		x := ddMul(dd{av, 0}, sqrtHalfDD)
		g := 2 / math.Sqrt(math.Pi) * math.Exp(-x.hi*x.hi) * x.lo // erf(x) - erf(x.hi)
		if x.hi < 0.84375 {
			alpha = 0.5 + 0.5*(math.Erf(x.hi)+g)
			if v < 0 {
				alpha = 0.5 - 0.5*(math.Erf(x.hi)+g)
			}
		} else {
			h := 0.5 * (math.Erfc(x.hi) - g)
			alpha = 1 - h
			if v < 0 {
				alpha = h
			}
		}
		hi := av * av
		lo := math.FMA(av, av, -hi)
		e := expDD(-hi / 2)
		e = ddMul(e, dd{1 - lo/2, 0})
		return alpha, ddMul(e, dd{beta / math.Sqrt(2*math.Pi), 0}).f64()
	case plan.Reciprocal:
		den := ddAdd(dd{2, 0}, dd{math.Abs(v), 0})
		h := ddDiv(dd{1, 0}, den)
		alpha = ddAdd(dd{1, 0}, ddNeg(h)).f64()
		if v < 0 {
			alpha = h.f64()
		}
		return alpha, ddMul(ddMul(h, h), dd{beta, 0}).f64()
	case plan.Cauchy:
		if math.Abs(v) <= 1 {
			alpha = 0.5 + math.Atan(v)/math.Pi
		} else {
			t := math.Atan(1/math.Abs(v)) / math.Pi
			alpha = 1 - t
			if v < 0 {
				alpha = t
			}
		}
		p := v * v
		den := ddAdd(dd{1, 0}, dd{p, math.FMA(v, v, -p)})
		return alpha, ddDiv(dd{beta / math.Pi, 0}, den).f64()
	case plan.Optimal:
		av := math.Abs(v)
		if av <= 0.25 {
			return v + 0.5, beta
		}
		e := ddAdd(dd{av, 0}, dd{1e-10, 0})
		h := ddDiv(dd{1.0 / 16, 0}, e)
		alpha = ddAdd(dd{1, 0}, ddNeg(h)).f64()
		if v < 0 {
			alpha = h.f64()
		}
		return alpha, ddMul(ddMul(h, h), dd{16 * beta, 0}).f64()
	}
	panic(f)
}

// relFloor is the smallest alpha (and 1-alpha for logistic_phi) at which
// the relative errors are checked: the gaussian's erfc is fitted for
// absolute accuracy, reciprocal is plan.Alpha's 0.5*(v/(2+|v|)+1), which
// cancels in its lower tail, and logistic_phi's tails carry the relative error of
// its argument d*pw*beta times |v|, whatever the precision of the rest.
var relFloor = map[plan.Func]float64{plan.Gaussian: 0.01, plan.LogisticPhi: 0.01, plan.Reciprocal: 0.01}

// checkAlpha compares one configuration with plan.Alpha and the accurate
// references, and checks that every output is finite, alpha in [0, 1] and
// slope >= 0.
func checkAlpha(t *testing.T, f plan.Func, e plan.Elem, beta, lambda float64) alphaStats {
	var st alphaStats
	f32 := e == plan.Float32
	ds := alphaPoints(beta, f32)
	unit, ulp := 0x1p-53, ulp64
	var a, s []float64
	if f32 {
		unit, ulp = 0x1p-24, ulp32
		d32 := f32s(ds)
		a32, s32 := runAlpha(t, alpha32[f], 8, d32, float32(beta), float32(lambda))
		a, s = make([]float64, len(ds)), make([]float64, len(ds))
		for i := range ds {
			ds[i] = float64(d32[i])
			a[i], s[i] = float64(a32[i]), float64(s32[i])
		}
		beta, lambda = float64(float32(beta)), float64(float32(lambda))
	} else {
		a, s = runAlpha(t, alpha64[f], 4, ds, beta, lambda)
	}
	round := func(x float64) float64 {
		if f32 {
			return float64(float32(x))
		}
		return x
	}
	s0 := round(slopeAtZero(f, beta, lambda))
	bad := 0
	for i, d := range ds {
		if !(a[i] >= 0 && a[i] <= 1) || !(s[i] >= 0) || math.IsInf(s[i], 0) {
			if bad < 5 {
				t.Errorf("%v %v beta=%v lambda=%v d=%v: alpha %v slope %v", f, e, beta, lambda, d, a[i], s[i])
			}
			bad++
			continue
		}
		// plan.Alpha computes beta*d first: skip it where that overflows.
		if wa, ws := plan.Alpha(f, d, beta, lambda); !math.IsInf(beta*d, 0) && !math.IsNaN(wa) && !math.IsNaN(ws) {
			wa, ws = round(wa), round(ws)
			st.alphaAbs.add(math.Abs(a[i]-wa)/unit, d, a[i], wa)
			st.slopeAbs.add(math.Abs(s[i]-ws)/ulp(s0), d, s[i], ws)
		}
		v, ad := beta*d, math.Abs(d)+1e-10
		if f32 {
			v = round(beta * d)
			ad = float64(float32(math.Abs(d)) + float32(1e-10))
		}
		ra, rs := accurateAlpha(f, v, d, ad, beta, lambda)
		ra, rs = round(ra), round(rs)
		// Relative errors where no intermediate value is subnormal.
		floor := 0x1p-1000
		if f32 {
			floor = 0x1p-100
		}
		if ra < relFloor[f] || f == plan.LogisticPhi && 1-ra < relFloor[f] {
			continue
		}
		if ra >= floor {
			st.alphaRel.add(ulpErr(a[i], ra, ulp), d, a[i], ra)
		}
		if rs >= floor {
			st.slopeRel.add(ulpErr(s[i], rs, ulp), d, s[i], rs)
		}
	}
	return st
}

// alphaBounds are the largest errors TestAlpha accepts (the measured
// maxima: the inputs are fixed and IEEE arithmetic deterministic), per
// function, float64 then float32, in the order of alphaStats: alpha's
// absolute error against plan.Alpha in units of 2^-53 (2^-24), slope's
// absolute error against plan.Alpha in ulps of slope(0), and the relative
// errors of alpha and slope against accurate references in ulps.
var alphaBounds = map[plan.Func][2][4]float64{
	plan.Logistic:    {{2, 5, 2, 3}, {1, 2, 1, 3}},
	plan.LogisticPhi: {{2, 12, 10, 10}, {1.5, 4, 9, 9}},
	plan.Gaussian:    {{1, 2, 7, 4}, {1, 2, 5, 3}},
	plan.Reciprocal:  {{1, 2, 23, 4}, {1, 3, 23, 4}},
	plan.Cauchy:      {{1, 3, 3, 2}, {1, 2, 3, 2}},
	plan.Optimal:     {{1, 2, 1, 4}, {1, 2, 1, 3}},
}

// TestAlpha measures every swap function against plan.Alpha for several
// steepnesses (and lambdas), over the whole range of d.
func TestAlpha(t *testing.T) {
	needAVX2(t)
	var report strings.Builder
	for _, f := range plan.SoftFuncs {
		lambdas := []float64{0.25}
		if f == plan.LogisticPhi {
			lambdas = []float64{0, 0.25, 0.5, 1}
		}
		for ei, e := range []plan.Elem{plan.Float64, plan.Float32} {
			var st alphaStats
			for _, beta := range []float64{0.5, 1, 10, 100} {
				for _, lambda := range lambdas {
					st.merge(checkAlpha(t, f, e, beta, lambda))
				}
			}
			fmt.Fprintf(&report, "%-12s %v: alpha abs %v\n%24s slope abs %v\n%24s alpha rel %v\n%24s slope rel %v\n",
				f, e, st.alphaAbs, "", st.slopeAbs, "", st.alphaRel, "", st.slopeRel)
			b := alphaBounds[f][ei]
			for i, m := range []maxErr{st.alphaAbs, st.slopeAbs, st.alphaRel, st.slopeRel} {
				if !(m.err <= b[i]) {
					t.Errorf("%v %v: error %d is %v, allowed %v", f, e, i, m, b[i])
				}
			}
		}
	}
	t.Log("\n" + report.String())
}
