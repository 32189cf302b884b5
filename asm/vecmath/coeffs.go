package vecmath

import "math"

// Parameters and polynomial coefficients of the vector-math routines.
//
// The coefficients are minimax (Remez) fits computed with mpmath at 50
// digits and rounded to the element type, by the script
// asm/internal/vecmathtest/remez/fit.py; the comment above each table gives
// the fit's maximum (weighted) error after rounding the coefficients, which
// is well below half an ulp: the measured errors of the routines are mostly
// rounding errors of the evaluation.

// params are the constants of one element type.
type params struct {
	// exp: the argument is clamped to [expMin, expMax] (exp(expMin)
	// rounds to 0, exp(expMax) overflows); magic is 1.5*2^p (p = 52 or
	// 23) whose addition rounds to an integer in the low mantissa bits;
	// bias2 is twice the exponent bias; mant is the mantissa width.
	expMin, expMax float64
	magic          float64
	bias2          uint64
	mant           uint64
	ln2Hi, ln2Lo   float64 // Cody-Waite split of ln 2 (ln2Hi*k is exact)
	expC           []float64

	// log: offset added to the bits of x so that the exponent field
	// counts from sqrt(1/2) (one bits minus the bits of sqrt(1/2));
	// sqrtHalf is the bit pattern of sqrt(1/2) rounded; expMagic is the bit
	// pattern of 2^p, expMagicBias is 2^p + bias as a float.
	logOff, sqrtHalf, mantMask, expMagic uint64
	expMagicBias                         float64
	logC                                 []float64

	atanC            []float64
	pi4Hi, pi4Lo     float64 // pi/4 = pi4Hi + pi4Lo
	pi2Hi, pi2Lo     float64 // pi/2 = pi2Hi + pi2Lo
	erfSmallC, erfcC []float64
	erfcInvC         float64 // erfc's variable is t = erfcInvC/(erfcInvC + x)
	erfcMax          float64 // erf(x) rounds to 1 from here on
	gaussMax         float64 // exp(-v*v/2) is 0 from here on
}

const erfSplit = 0.84375 // |x| below: erf(x) = x + x*P(x^2)

var paramsF64 = params{
	expMin: -746, expMax: 710,
	magic: 0x1.8p52, bias2: 2046, mant: 52,
	ln2Hi: 6.93147180369123816490e-01, ln2Lo: 1.90821492927058770002e-10,
	expC: cExpF64,

	logOff:   0x3ff0000000000000 - 0x3fe6a09e667f3bcd,
	sqrtHalf: 0x3fe6a09e667f3bcd,
	mantMask: 0x000fffffffffffff,
	expMagic: 0x4330000000000000, expMagicBias: 0x1p52 + 1023,
	logC: cLogF64,

	atanC: cAtanF64,
	pi4Hi: math.Pi / 4, pi4Lo: 3.061616997868383017934e-17,
	pi2Hi: math.Pi / 2, pi2Lo: 6.123233995736766035868e-17,

	erfSmallC: cErfSmallF64, erfcC: cErfcF64, erfcInvC: 2.5,
	erfcMax: 6, gaussMax: 40,
}

var paramsF32 = params{
	expMin: -104, expMax: 89,
	magic: 0x1.8p23, bias2: 254, mant: 23,
	ln2Hi: 0.693359375, ln2Lo: -2.12194440e-4,
	expC: cExpF32,

	logOff:   0x3f800000 - 0x3f3504f3,
	sqrtHalf: 0x3f3504f3,
	mantMask: 0x007fffff,
	expMagic: 0x4b000000, expMagicBias: 0x1p23 + 127,
	logC: cLogF32,

	atanC: cAtanF32,
	pi4Hi: float64(float32(math.Pi / 4)), pi4Lo: float64(float32(math.Pi/4 - float64(float32(math.Pi/4)))),
	pi2Hi: float64(float32(math.Pi / 2)), pi2Lo: float64(float32(math.Pi/2 - float64(float32(math.Pi/2)))),

	erfSmallC: cErfSmallF32, erfcC: cErfcF32, erfcInvC: 2,
	erfcMax: 4, gaussMax: 16,
}

// cExpF64: exp(r) = 1 + r + r^2*(c[0] + c[1] r + ... + c[9] r^9) on |r| <= ln(2)/2;
// relative error 1.1e-17.
var cExpF64 = []float64{
	0.5000000000000011,
	0.1666666666666641,
	0.041666666666529725,
	0.00833333333349498,
	0.0013888888943760038,
	0.00019841269505766276,
	2.4801492949545636e-05,
	2.755758681094885e-06,
	2.763030628452468e-07,
	2.5000016505256967e-08,
}

// cExpF32: exp(r) = 1 + r + r^2*(c[0] + ... + c[4] r^4) on |r| <= ln(2)/2; relative error 4.92e-9.
var cExpF32 = []float64{
	0.5,
	0.16666501760482788,
	0.04166675731539726,
	0.008370468392968178,
	0.0013903072103857994,
}

// cLogF64: log(1+f) = f - f^2/2 + s*(f^2/2 + z*(c[0] + c[1] z + ... + c[6] z^6)), s = f/(2+f),
// z = s^2, |s| <= 3 - 2 sqrt(2) (sqrt(1/2) <= 1+f <= sqrt(2)); error of R(z) = z*(...) 3.25e-18.
var cLogF64 = []float64{
	0.6666666666666735,
	0.3999999999940748,
	0.2857142874414269,
	0.22222198378348684,
	0.18183575172032648,
	0.15313755594030712,
	0.14799067755232043,
}

// cLogF32: the same with c[0..2]; error of R 1.96e-9.
var cLogF32 = []float64{
	0.6666677594184875,
	0.3997744917869568,
	0.29874420166015625,
}

// cAtanF64: atan(s) = s + s*u*(c[0] + c[1] u + ... + c[10] u^10), u = s^2, |s| <= tan(pi/8);
// relative error 5.24e-18.
var cAtanF64 = []float64{
	-0.333333333333332,
	0.19999999999953164,
	-0.1428571428015756,
	0.11111110781685819,
	-0.09090897711269522,
	0.07692059460813985,
	-0.06663096204555151,
	0.0584783689715403,
	-0.050390872811113825,
	0.03805946400483537,
	-0.017902052039055642,
}

// cAtanF32: the same with c[0..4]; relative error 3.16e-9.
var cAtanF32 = []float64{
	-0.33333316445350647,
	0.19998469948768616,
	-0.14243511855602264,
	0.10593640059232712,
	-0.06077760457992554,
}

// cErfSmallF64: erf(x) = x + x*(c[0] + c[1] u + ... + c[10] u^10), u = x^2, |x| <= 0.84375;
// relative error 3.7e-17.
var cErfSmallF64 = []float64{
	0.12837916709551256,
	-0.3761263890318337,
	0.11283791670933821,
	-0.026866170640509727,
	0.005223977573886873,
	-0.0008548323659102193,
	0.00012055195676092078,
	-1.492203627465015e-05,
	1.6400598438479275e-06,
	-1.5707556636068445e-07,
	1.0706923928378706e-08,
}

// cErfSmallF32: the same with c[0..5]; relative error 1.62e-8.
var cErfSmallF32 = []float64{
	0.12837916612625122,
	-0.3761257529258728,
	0.11282768100500107,
	-0.026804763823747635,
	0.005055015906691551,
	-0.0006339173414744437,
}

// cErfcF64: erfc(x) = exp(-x^2) * (c[0] + c[1] t + ... + c[12] t^12), t = 1/(1 + 0.4 x),
// 0.84375 <= x <= 6; error weighted by exp(-x^2), i.e. the absolute error of erfc 3.45e-18.
var cErfcF64 = []float64{
	-8.691266192046978e-06,
	0.22583249118617651,
	0.22448071797067587,
	0.2122924925599235,
	0.16461292259366517,
	0.09995977741134297,
	0.21849055869870215,
	-0.415135258653714,
	0.7422731888854006,
	-0.8717624113323832,
	0.5615861843113144,
	-0.1893084316843618,
	0.02668650101077048,
}

// cErfcF32: erfc(x) = exp(-x^2) * (c[0] + ... + c[5] t^5), t = 1/(1 + 0.5 x), 0.84375 <= x <= 4;
// absolute error of erfc 1.94e-9.
var cErfcF32 = []float64{
	0.0015421239659190178,
	0.2621123194694519,
	0.38853535056114197,
	-0.05034459009766579,
	0.6246706247329712,
	-0.22672873735427856,
}
