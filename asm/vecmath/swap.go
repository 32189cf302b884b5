package vecmath

import (
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen/plan"
)

// Alpha emits the swap weight of the soft swap function f (SPEC.md, "Swap
// functions"; plan.Alpha is the scalar reference) for the lane-wise
// differences d = b - a: alpha = f(d), the weight of "no swap", and, when
// wantSlope, slope = f'(d) (nil otherwise). beta (and lambda, used by
// LogisticPhi only, nil allowed otherwise) are the broadcast parameters,
// each a register or a memory operand of the Math's width holding the value in
// every lane; they are only ever used as the memory-capable operand of an
// instruction. d, beta and lambda are not modified; alpha and slope are
// fresh virtual registers.
//
// Every finite d works, 0 and ±0 included, as do |beta*d| up to the
// largest finite value and beyond (±Inf): alpha saturates to exactly 0 or
// 1 and slope to 0, without NaN. With v = beta*d:
//
//	Logistic     with e = exp(-|v|) and en = e/(1+e) = sigmoid(-|v|):
//	             alpha = en (v < 0) or 1 - en; slope = beta*en*(1-en)
//	             (= beta*s*(1-s) without cancellation)
//	LogisticPhi  the same with v = (d*pw)*beta, pw = (|d|+1e-10)^(-lambda)
//	             = exp(-lambda*log(|d|+1e-10)) (log and product in two
//	             parts); slope = beta*en*(1-en)*pw*(1 - lambda*|d|/(|d|+1e-10))
//	Gaussian     x = v/sqrt(2): |x| < 0.84375: 0.5 + 0.5*erf(x); else
//	             0.5*erfc(|x|) (v < 0) or 1 - 0.5*erfc(|x|) (v > 0);
//	             slope = beta*exp(-v^2/2)/sqrt(2 pi), v^2/2 split exactly
//	             (the same exp serves erfc)
//	Reciprocal   plan.Alpha's operations: v clamped to the finite range,
//	             alpha = 0.5*(v/(2+|v|) + 1), slope = beta/(2+|v|)^2
//	Cauchy       atan(v)/pi + 0.5 through the reduction of Atan with the
//	             offsets folded into 0.5 (1/4, 1/2 multiples: exact), so
//	             the tails are relatively accurate; slope = (beta/pi)/(1+v^2)
//	Optimal      plan.Alpha's operations, the three pieces blended:
//	             v + 0.5 and beta where |v| <= 0.25, else with e = |v|+1e-10,
//	             1 - 1/(16e) (v > 0) or 1/(16e), and beta/(16e*e)
//
// Maximum errors measured by asm/internal/vecmathtest (TestAlpha) over d
// on a dense grid of v in [-60, 60], random and log-uniform values and the
// special points (0, ±0, subnormals, the branch points, where exp
// underflows, ±1e30/beta, ±MaxFloat), for beta in {0.5, 1, 10, 100} and
// lambda in {0, 0.25, 0.5, 1}. "abs": against plan.Alpha (where beta*d is
// finite; float32: of the float32 inputs, rounded to float32), alpha's
// absolute error in units of 2^-53 (float32: 2^-24), slope's in ulps of
// the largest slope f'(0). "rel": relative errors in ulps against
// double-double references evaluated at the kernel's own v = beta*d (for
// float32 rounded to float32), where alpha >= 0.01 for gaussian (its erfc
// is fitted for absolute accuracy) and reciprocal (plan.Alpha's formula
// cancels in the lower tail) and 0.01 <= alpha <= 0.99 for
// logistic_phi (its tails carry |v| times the relative error of v), and
// where no intermediate value is subnormal:
//
//	               float64                       float32
//	               alpha      slope              alpha      slope
//	               abs  rel   abs  rel           abs  rel   abs  rel
//	Logistic        2    2     5    3             1    1     2    3
//	LogisticPhi     2   10    12   10            1.5   9     4    9
//	Gaussian        1    7     2    4             1    5     2    3
//	Reciprocal      1   23     2    4             1   23     3    4
//	Cauchy          1    3     3    2             1    3     2    2
//	Optimal         1    1     2    4             1    1     2    3
//
// The "abs" slope errors of logistic and logistic_phi are mostly
// plan.Alpha's: its beta*s*(1-s) cancels where s is near 1.
func (m *Math) Alpha(f plan.Func, d reg.Register, beta, lambda operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	if beta == nil {
		panic("vecmath: Alpha: nil beta")
	}
	m.Comment("vecmath: alpha " + f.String())
	switch f {
	case plan.Logistic:
		return m.alphaLogistic(d, beta, wantSlope)
	case plan.LogisticPhi:
		if lambda == nil {
			panic("vecmath: Alpha: logistic_phi needs lambda")
		}
		return m.alphaLogisticPhi(d, beta, lambda, wantSlope)
	case plan.Gaussian:
		return m.alphaGaussian(d, beta, wantSlope)
	case plan.Reciprocal:
		return m.alphaReciprocal(d, beta, wantSlope)
	case plan.Cauchy:
		return m.alphaCauchy(d, beta, wantSlope)
	case plan.Optimal:
		return m.alphaOptimal(d, beta, wantSlope)
	}
	panic(fmt.Sprintf("vecmath: Alpha of a non-soft swap function %v", f))
}

// AlphaLive is the peak number of YMM values Alpha(f, ...) keeps live on
// element type e with wantSlope (without it, at most as many), d (kept live
// by the caller), alpha and slope included, when beta and lambda are
// memory operands (registers count among the caller's values).
func AlphaLive(f plan.Func, e plan.Elem) int {
	n, ok := alphaLive[f]
	if !ok {
		panic(fmt.Sprintf("vecmath: AlphaLive of a non-soft swap function %v", f))
	}
	if e == plan.Float32 {
		return n[1]
	}
	return n[0]
}

// alphaLive is AlphaLive's table (float64, float32), checked by
// TestLiveness.
var alphaLive = map[plan.Func][2]int{
	plan.Logistic:    {7, 5},
	plan.LogisticPhi: {9, 8},
	plan.Gaussian:    {10, 8},
	plan.Reciprocal:  {4, 4},
	plan.Cauchy:      {10, 8},
	plan.Optimal:     {7, 7},
}

func (m *Math) alphaLogistic(d reg.Register, beta operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	v := m.mul(d, beta)
	alpha, en, om := m.sigmoidParts(v)
	if wantSlope {
		slope = m.mul(en, om)
		m.Mul(beta, slope, slope)
	}
	return alpha, slope
}

func (m *Math) alphaLogisticPhi(d reg.Register, beta, lambda operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	ad0 := m.Abs(d)
	ad := m.add(ad0, m.Const(1e-10))
	var q reg.VecVirtual
	if wantSlope {
		// q = (ad - lambda*|d|)/ad, in [1-lambda, 1] for lambda <= 1.
		t := m.mul(ad0, lambda)
		num := m.sub(ad, t)
		q = m.div(num, ad)
	}
	pw := m.powNeg(ad, lambda) // (|d|+1e-10)^(-lambda)
	z := m.mul(d, pw)          // |d*pw| <= max(|d|, 1) for lambda in [0, 1]: no overflow
	m.Mul(beta, z, z)
	alpha, en, om := m.sigmoidParts(z)
	if wantSlope {
		slope = m.mul(en, om)
		m.Mul(beta, slope, slope)
		m.Mul(pw, slope, slope)
		m.Mul(q, slope, slope)
	}
	return alpha, slope
}

func (m *Math) alphaGaussian(d reg.Register, beta operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	p := m.par
	v := m.mul(d, beta)
	av := m.Abs(v)
	// |x| >= 0.84375, x = v/sqrt(2): h = 0.5*erfc(|x|) = E*R/2 with
	// E = exp(-v^2/2) from v^2/2 = (|v|/2)*|v| split exactly.
	x := m.mul(av, m.Const(1/math.Sqrt2))
	m.Min(m.Const(p.erfcMax), x, x)
	r := m.erfcPoly(x, 0.5)
	avc := m.min(av, m.Const(p.gaussMax))
	hv := m.mul(avc, m.Const(0.5))
	e := m.expNegSquare(hv, avc, true)
	h := m.mul(e, r)
	m.FNMAdd213(m.Const(1), e, r) // r = 1 - e*r
	big := m.blend(v, h, r)
	if wantSlope {
		slope = m.mul(e, beta)
		m.Mul(m.Const(1/math.Sqrt(2*math.Pi)), slope, slope)
	}
	// |x| < 0.84375: 0.5 + 0.5*erf(x) = 0.5 + hx + hx*P(4*hx^2), hx = x/2.
	hx := m.mul(v, m.Const(0.5/math.Sqrt2))
	w := m.mul(hx, hx)
	c := make([]float64, len(p.erfSmallC))
	for i, ci := range p.erfSmallC {
		c[i] = ci * math.Pow(4, float64(i))
	}
	q := m.poly(w, c)
	m.fmaAcc(hx, q, hx)
	m.Add(m.Const(0.5), hx, hx)
	mask := m.cmp(avx2.LT, av, m.Const(erfSplit*math.Sqrt2))
	alpha = m.blend(mask, hx, big)
	return alpha, slope
}

// alphaReciprocal transcribes plan.Alpha in its order of operations, so
// that the kernels' weights are bit-identical to the generic ones.
func (m *Math) alphaReciprocal(d reg.Register, beta operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	v := m.mul(d, beta)
	m.ClampFinite(v) // a saturated weight is v/den = 1, not Inf/Inf
	den := m.Abs(v)
	m.Add(m.Const(2), den, den)
	alpha = m.div(v, den)
	m.Add(m.Const(1), alpha, alpha)
	m.Mul(m.Const(0.5), alpha, alpha)
	if wantSlope {
		m.Mul(den, den, den)
		slope = m.load(beta)
		m.Div(den, slope, slope)
	}
	return alpha, slope
}

func (m *Math) alphaCauchy(d reg.Register, beta operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	p := m.par
	v := m.mul(d, beta)
	if wantSlope {
		// slope = (beta/pi)/(1 + v^2); v^2 = Inf gives 0.
		den := m.load(v)
		m.hornerStep(m.Const(1), v, den)
		slope = m.load(m.Const(1 / math.Pi))
		m.Mul(beta, slope, slope)
		m.Div(den, slope, slope)
	}
	t := m.Abs(v)
	s, m1, m2 := m.atanReduce(t)
	// atan(t)/pi = k/4 + s*q(u), q(u) = (1 + u*P(u))/pi, k = 0, 1, 2.
	u := m.mul(s, s)
	c := make([]float64, len(p.atanC)+1)
	c[0] = 1 / math.Pi
	for i, ci := range p.atanC {
		c[i+1] = ci / math.Pi
	}
	q := m.poly(u, c)
	sv := m.and(v, m.SignMask())
	base := m.and(m1, m.Const(0.25))
	m.BlendV(m2, m.Const(0.5), base, base)
	m.Xor(sv, base, base)
	m.Add(m.Const(0.5), base, base)
	m.Xor(sv, s, s)
	m.fmaAcc(s, q, base) // base = 0.5 ± (k/4 + s*q)
	return base, slope
}

// alphaOptimal transcribes plan.Alpha, all three pieces computed and
// blended.
func (m *Math) alphaOptimal(d reg.Register, beta operand.Op, wantSlope bool) (alpha, slope reg.VecVirtual) {
	v := m.mul(d, beta)
	av := m.Abs(v)
	e := m.add(av, m.Const(1e-10))
	t := m.mul(e, m.Const(16))
	r := m.load(m.Const(1))
	m.Div(t, r, r) // 1/(16e)
	if wantSlope {
		m.Mul(e, t, t) // 16e*e
		slope = m.load(beta)
		m.Div(t, slope, slope)
	}
	om := m.load(m.Const(1))
	m.Sub(r, om, om)
	zero := m.Reg()
	m.Xor(zero, zero, zero)
	pos := m.cmp(avx2.GT, v, zero)
	alpha = m.blend(pos, om, r)
	small := m.cmp(avx2.LE, av, m.Const(0.25))
	center := m.add(v, m.Const(0.5))
	alpha = m.blend(small, center, alpha)
	if wantSlope {
		slope = m.blend(small, beta, slope)
	}
	return alpha, slope
}

// ClampFinite clamps every lane of r, in place, to the finite range of the
// element type, as plan.Diff and plan.Alpha's clamp do: an infinite
// difference of finite values becomes the largest finite one.
func (m *Math) ClampFinite(r reg.Register) {
	big := math.MaxFloat64
	if m.Elem() == plan.Float32 {
		big = math.MaxFloat32
	}
	m.Min(m.Const(big), r, r)
	m.Max(m.Const(-big), r, r)
}
