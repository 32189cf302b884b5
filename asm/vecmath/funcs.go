package vecmath

import (
	"math"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
)

// Exp returns exp(x) lane-wise for every x, ±Inf included: +Inf above the
// overflow threshold (709.78 float64, 88.72 float32), subnormal results
// below -708.40 (-87.34) and 0 below -745.13 (-103.97). NaN inputs give
// unspecified results.
//
// Algorithm: a = clamp(x), k = round(a/ln2) (added to 1.5*2^p, which
// leaves k in the low mantissa bits), r = a - k*ln2 (Cody-Waite, two FMAs),
// exp(r) = 1 + r + r^2*P(r) (minimax, degree 11 float64, 6 float32), and
// the result p*2^k1*2^k2 with k1 = floor(k/2), k2 = k - k1 built by
// integer shifts into the exponent field (two factors so that results
// down to the smallest subnormal and up to the largest finite value are
// exact scalings).
func (m *Math) Exp(x reg.Register) reg.VecVirtual {
	m.Comment("vecmath: exp")
	return m.exp(x, false, true, true)
}

// exp returns exp(a), a = -x if neg else x. clampLow and clampHigh say
// whether a may fall below expMin or above expMax; with neither, a must
// stay in the range where exp(a) is a normal number and k fits one
// exponent factor (float32 [-87, 88], float64 [-708, 709]).
func (m *Math) exp(x reg.Register, neg, clampLow, clampHigh bool) reg.VecVirtual {
	p := m.par
	var xc reg.Register = x
	if neg {
		if clampHigh {
			xc = m.max(xc, m.Const(-p.expMax))
		}
		if clampLow {
			xc = m.min(xc, m.Const(-p.expMin))
		}
	} else {
		if clampHigh {
			xc = m.min(xc, m.Const(p.expMax))
		}
		if clampLow {
			xc = m.max(xc, m.Const(p.expMin))
		}
	}
	// kb = magic + round(a*log2(e)); kd = round(a*log2(e)).
	kb := m.load(m.Const(p.magic))
	if neg {
		m.fnmaAcc(m.Const(math.Log2E), xc, kb)
	} else {
		m.fmaAcc(m.Const(math.Log2E), xc, kb)
	}
	kd := m.sub(kb, m.Const(p.magic))
	// r = a - kd*ln2Hi - kd*ln2Lo; kd*ln2Hi is exact and so is the first
	// difference (Sterbenz).
	r := m.load(xc)
	if neg {
		m.FNMSub231(m.Const(p.ln2Hi), kd, r) // r = -(ln2Hi*kd) - r
	} else {
		m.fnmaAcc(m.Const(p.ln2Hi), kd, r)
	}
	m.fnmaAcc(m.Const(p.ln2Lo), kd, r)
	// exp(r) = 1 + r*(1 + r*P(r)).
	y := m.poly(r, p.expC)
	one := m.Const(1)
	m.hornerStep(one, r, y)
	m.hornerStep(one, r, y)
	// Scale by 2^k: the low bits of kb hold k plus an even offset, so
	// adding bias2 makes (bits>>1) end in k1+bias and bits-(bits>>1) in
	// k2+bias; shifting left by the mantissa width keeps just those
	// exponent fields.
	if !clampLow && !clampHigh {
		s := m.bin(m.IAdd, kb, m.Bits(p.bias2/2))
		m.IShiftLeft(p.mant, s, s)
		return m.mul(y, s)
	}
	b := m.bin(m.IAdd, kb, m.Bits(p.bias2))
	s1 := m.Reg()
	m.IShiftRight(1, b, s1)
	s2 := m.bin(m.ISub, b, s1)
	m.IShiftLeft(p.mant, s1, s1)
	m.IShiftLeft(p.mant, s2, s2)
	y = m.mul(y, s1)
	return m.mul(y, s2)
}

// Log returns the natural logarithm of x for positive normal finite x
// (other inputs give unspecified results).
//
// Algorithm: adding a constant to the bits of x makes its exponent field
// k count from sqrt(1/2), so m = x/2^k is in [sqrt(1/2), sqrt(2)); with
// f = m - 1 (exact) and s = f/(2+f), log(m) = f - f^2/2 + s*(f^2/2 + R(s^2))
// (R minimax, degree 7 float64, 3 float32), and log(x) = k*ln2Hi + (f -
// (f^2/2 - (s*(f^2/2+R) + k*ln2Lo))) as in the classic fdlibm scheme.
func (m *Math) Log(x reg.Register) reg.VecVirtual {
	m.Comment("vecmath: log")
	return m.log(x)
}

func (m *Math) log(x reg.Register) reg.VecVirtual {
	kf, c := m.logParts(x)
	m.fmaAcc(m.Const(m.par.ln2Hi), kf, c)
	return c
}

// logHiLo returns log(x) as hi + lo, hi the rounded sum of k*ln2Hi
// (exact) and the rest c, lo its rounding error.
func (m *Math) logHiLo(x reg.Register) (hi, lo reg.VecVirtual) {
	kf, c := m.logParts(x)
	t := m.mul(kf, m.Const(m.par.ln2Hi))
	hi = m.add(t, c)
	lo = m.sub(t, hi) // exact: |t| >= |c| unless t = 0
	m.Add(c, lo, lo)
	return hi, lo
}

// logParts returns k and c with log(x) = k*ln2Hi + c.
func (m *Math) logParts(x reg.Register) (kf, c reg.VecVirtual) {
	p := m.par
	ix := m.bin(m.IAdd, x, m.Bits(p.logOff))
	// k as a float: the biased exponent field, or-ed into 2^p, minus 2^p+bias.
	kf = m.Reg()
	m.IShiftRight(p.mant, ix, kf)
	m.Or(m.Bits(p.expMagic), kf, kf)
	m.Sub(m.Const(p.expMagicBias), kf, kf)
	// m = mantissa of ix with the exponent of sqrt(1/2) and up.
	mm := m.and(ix, m.Bits(p.mantMask))
	m.IAdd(m.Bits(p.sqrtHalf), mm, mm)
	f := m.sub(mm, m.Const(1))
	den := m.add(f, m.Const(2))
	s := m.div(f, den)
	z := m.mul(s, s)
	hfsq := m.mul(f, f)
	m.Mul(m.Const(0.5), hfsq, hfsq)
	r := m.horner(z, p.logC) // R(z)/z
	m.hornerStep(hfsq, z, r) // r = z*r + hfsq = R + hfsq
	a := m.mul(kf, m.Const(p.ln2Lo))
	m.fmaAcc(s, r, a) // a = s*(hfsq+R) + k*ln2Lo
	b := m.sub(hfsq, a)
	c = m.sub(f, b)
	return kf, c
}

// powNeg returns x^(-lambda) = exp(-lambda*log(x)) for positive normal x,
// with log(x) and lambda*log(x) carried as two parts so that the result
// is accurate to a few ulps even where lambda*log(x) is large.
func (m *Math) powNeg(x reg.Register, lambda operand.Op) reg.VecVirtual {
	hi, lo := m.logHiLo(x)
	yh := m.mul(hi, lambda)
	yl := m.load(yh)
	m.FMSub231(lambda, hi, yl) // yl = lambda*hi - yh
	m.fmaAcc(lambda, lo, yl)   // yl += lambda*lo
	e := m.exp(yh, true, true, true)
	m.fnmaAcc(e, yl, e) // e*(1 - yl)
	return e
}

// atanReduce reduces t = |x| >= 0 to s with |s| <= tan(pi/8):
//
//	t <= tan(pi/8):  s = t,              atan(t) = atan(s)
//	t <= tan(3pi/8): s = (t-1)/(t+1),    atan(t) = pi/4 + atan(s)
//	else:            s = -1/t,           atan(t) = pi/2 + atan(s)
//
// m1 and m2 are the masks t > tan(pi/8) and t > tan(3pi/8).
func (m *Math) atanReduce(t reg.Register) (s, m1, m2 reg.VecVirtual) {
	m1 = m.cmp(avx2.GT, t, m.Const(math.Sqrt2-1))
	m2 = m.cmp(avx2.GT, t, m.Const(math.Sqrt2+1))
	num := m.sub(t, m.Const(1))
	num = m.blend(m1, num, t)
	m.BlendV(m2, m.Const(-1), num, num)
	den := m.and(m1, t)
	m.Add(m.Const(1), den, den)
	m.BlendV(m2, t, den, den)
	s = m.div(num, den)
	return s, m1, m2
}

// Atan returns atan(x) for every x (±pi/2 at ±Inf).
//
// Algorithm: the reduction of atanReduce and atan(s) = s + s*u*P(u),
// u = s^2 (minimax, 11 terms float64, 5 float32), the offsets added as
// high and low parts, the sign of x restored.
func (m *Math) Atan(x reg.Register) reg.VecVirtual {
	m.Comment("vecmath: atan")
	p := m.par
	t := m.Abs(x)
	s, m1, m2 := m.atanReduce(t)
	u := m.mul(s, s)
	q := m.poly(u, p.atanC)
	su := m.mul(s, u)
	lo := m.and(m1, m.Const(p.pi4Lo))
	m.BlendV(m2, m.Const(p.pi2Lo), lo, lo)
	m.fmaAcc(su, q, lo) // lo = s*u*P + offLo
	hi := m.and(m1, m.Const(p.pi4Hi))
	m.BlendV(m2, m.Const(p.pi2Hi), hi, hi)
	r := m.add(lo, s)
	r = m.add(r, hi)
	sign := m.and(x, m.SignMask())
	return m.xor(r, sign)
}

// erfcPoly returns R(t), erfc(x) = exp(-x^2)*R(t), t = 1/(1+c*x), for
// 0.84375 <= xc <= erfcMax, with the coefficients of R multiplied by scale
// (exact for powers of 2).
func (m *Math) erfcPoly(xc reg.Register, scale float64) reg.VecVirtual {
	p := m.par
	den := m.add(xc, m.Const(p.erfcInvC))
	t := m.load(m.Const(p.erfcInvC))
	m.Div(den, t, t)
	c := p.erfcC
	if scale != 1 {
		c = make([]float64, len(p.erfcC))
		for i, v := range p.erfcC {
			c[i] = v * scale
		}
	}
	return m.poly(t, c)
}

// expNegSquare returns exp(-h - l) where h + l = a*b exactly (h the
// rounded product): exp(-h)*(1 - l). a*b must be in [0, 740] float64
// ([0, 100] float32) unless clamp is set (then any a*b >= 0).
func (m *Math) expNegSquare(a, b reg.Register, clamp bool) reg.VecVirtual {
	h := m.mul(a, b)
	l := m.load(h)
	m.FMSub231(a, b, l) // l = a*b - h
	e := m.exp(h, true, clamp, false)
	m.fnmaAcc(e, l, e) // e = e - e*l
	return e
}

// Erf returns erf(x) for every x.
//
// Algorithm: |x| < 0.84375: erf(x) = x + x*P(x^2) (minimax, 11 terms
// float64, 6 float32); else erf(|x|) = 1 - exp(-x^2)*R(t), t = 1/(1+c|x|)
// (minimax weighted by exp(-x^2), 13 terms float64 with c = 0.4, 6
// float32 with c = 0.5, |x| clamped to 6 (4) where erf rounds to 1), with
// x^2 split exactly into high and low parts by an FMA; both are computed
// and blended.
func (m *Math) Erf(x reg.Register) reg.VecVirtual {
	m.Comment("vecmath: erf")
	p := m.par
	ax := m.Abs(x)
	// Large |x|.
	xc := m.min(ax, m.Const(p.erfcMax))
	r := m.erfcPoly(xc, 1)
	e := m.expNegSquare(xc, xc, false)
	m.FNMAdd213(m.Const(1), e, r) // r = 1 - e*r
	sign := m.and(x, m.SignMask())
	m.Or(sign, r, r)
	// Small |x|.
	u := m.mul(x, x)
	q := m.poly(u, p.erfSmallC)
	small := m.load(x)
	m.fmaAcc(x, q, small) // small = x + x*q
	mask := m.cmp(avx2.LT, ax, m.Const(erfSplit))
	return m.blend(mask, small, r)
}

// sigmoidParts returns, for z, with e = exp(-|z|): en = e/(1+e) =
// sigmoid(-|z|) (one division), om = 1 - en = sigmoid(|z|) (no
// cancellation: en <= 1/2) and s = sigmoid(z), blended by z's sign.
func (m *Math) sigmoidParts(z reg.Register) (s, en, om reg.VecVirtual) {
	az := m.Abs(z)
	e := m.exp(az, true, true, false)
	den := m.add(e, m.Const(1))
	en = m.div(e, den)
	// en = e - e*en: the same value, without the rounding error of 1+e
	// (up to an ulp of en when e is small).
	m.FNMAdd213(e, e, en)
	om = m.load(m.Const(1))
	m.Sub(en, om, om)
	s = m.blend(z, en, om)
	return s, en, om
}

// Sigmoid returns 1/(1+exp(-x)) for every x: with e = exp(-|x|), e/(1+e)
// for x < 0 and 1 - e/(1+e) for x >= 0, so no overflow and relatively
// accurate tails down to the subnormal range.
func (m *Math) Sigmoid(x reg.Register) reg.VecVirtual {
	m.Comment("vecmath: sigmoid")
	s, _, _ := m.sigmoidParts(x)
	return s
}
