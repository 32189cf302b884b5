package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/gen/plan"
)

// A weightLayer emits the swap-weight layer of a comparator: from the
// lane-wise difference d = b - a it computes alpha = f(d) (the soft weight
// of "no swap") and, when wantSlope, slope = f'(d), into new registers. It
// may use the broadcast parameters k.beta and k.lambda and constants from
// k.vconst, must leave d unchanged, and keeps at most maxLive vector
// registers live at once, d, alpha and slope included: the kernels call it
// with at most 3 registers of their own live (for float32 kernels, which
// run it in float64 on two halves: the narrowed alpha, slope and d*slope of
// the first half), so maxLive <= 13 keeps every kernel within Y0-Y15.
type weightLayer interface {
	weights(k *kbuilder, d reg.VecVirtual, wantSlope bool) (alpha, slope reg.VecVirtual)
	maxLive() int
}

// maxWeightLive bounds weightLayer.maxLive (16 YMM registers minus what a
// kernel keeps live across the call).
const maxWeightLive = 13

// weightsFor returns the weight layer of a soft swap function.
func weightsFor(f plan.Func) (weightLayer, error) {
	switch f {
	case plan.Reciprocal:
		return reciprocalWeights{}, nil
	case plan.Optimal:
		return optimalWeights{}, nil
	case plan.Logistic, plan.LogisticPhi, plan.Gaussian, plan.Cauchy:
		return transcendentalWeights(f)
	}
	return nil, fmt.Errorf("asm: %v is not a soft swap function", f)
}

// reciprocalWeights: v = beta*d; alpha = 0.5*(v/(2+|v|) + 1);
// slope = beta/(2+|v|)^2, in the interpreter's order of operations.
type reciprocalWeights struct{}

func (reciprocalWeights) maxLive() int { return 5 }

func (reciprocalWeights) weights(k *kbuilder, d reg.VecVirtual, wantSlope bool) (alpha, slope reg.VecVirtual) {
	v, den := k.ymm(), k.ymm()
	k.vmul(k.beta, d, v)
	k.vclampMax(v) // a saturated weight is v/den = 1, not Inf/Inf
	k.vand(k.absMask(), v, den)
	k.vadd(k.vconst(2), den, den)
	alpha = k.ymm()
	k.vdiv(den, v, alpha)
	k.vadd(k.vconst(1), alpha, alpha)
	k.vmul(k.vconst(0.5), alpha, alpha)
	if wantSlope {
		k.vmul(den, den, den)
		slope = k.ymm()
		k.vload(k.beta, slope)
		k.vdiv(den, slope, slope)
	}
	return alpha, slope
}

// optimalWeights: v = beta*d; alpha = v + 0.5 and slope = beta where
// |v| <= 0.25; else with e = |v| + 1e-10, alpha = 1 - 1/(16e) (v > 0) or
// 1/(16e) (v < 0) and slope = beta/(16e*e). All branches are computed and
// blended.
type optimalWeights struct{}

func (optimalWeights) maxLive() int { return 7 }

func (optimalWeights) weights(k *kbuilder, d reg.VecVirtual, wantSlope bool) (alpha, slope reg.VecVirtual) {
	v, e, t := k.ymm(), k.ymm(), k.ymm()
	k.vmul(k.beta, d, v)
	k.vand(k.absMask(), v, e)
	k.vadd(k.vconst(1e-10), e, e)
	k.vmul(k.vconst(16), e, t) // t = 16e
	r := k.ymm()
	k.vload(k.vconst(1), r)
	k.vdiv(t, r, r) // r = 1/(16e)
	if wantSlope {
		k.vmul(e, t, t) // t = 16e*e
		slope = k.ymm()
		k.vload(k.beta, slope)
		k.vdiv(t, slope, slope)
	}
	// alpha = v > 0 ? 1 - r : r
	om, m := k.ymm(), k.ymm()
	k.vload(k.vconst(1), om)
	k.vsub(r, om, om)
	k.vxor(m, m, m)
	k.vcmp(cmpGT, m, v, m) // v > 0
	alpha = k.ymm()
	k.vblend(m, om, r, alpha)
	// where |v| <= 0.25: alpha = v + 0.5, slope = beta
	k.vand(k.absMask(), v, e)
	k.vcmp(cmpLE, k.vconst(0.25), e, m)
	k.vadd(k.vconst(0.5), v, v)
	k.vblend(m, v, alpha, alpha)
	if wantSlope {
		k.vblend(m, k.beta, slope, slope)
	}
	return alpha, slope
}

// wideWeights loads a and b from ap and aq and runs the weight layer wl on
// d = b - a in float64, as the generic Go kernels do for both element
// types: float32 lanes are widened in two halves of 4 (where b - a cannot
// overflow) and the results narrowed (rounded to nearest) again, so that
// float32 kernels see the same weights as the generic ones (bit-identical
// for the exact functions, reciprocal and optimal); float64 differences are
// clamped to the largest finite value, as plan.Diff. With wantTape it also
// returns slope and ds = d*slope, the tape's bounded stand-in for d.
func (k *kbuilder) wideWeights(wl weightLayer, ap, aq operand.Mem, wantTape bool) (alpha, slope, ds reg.VecVirtual) {
	if !k.f32() {
		a, d := k.ymm(), k.ymm()
		k.vload(ap, a)
		k.vload(aq, d)
		k.vsub(a, d, d)
		k.vclampMax(d)
		alpha, slope = wl.weights(k, d, wantTape)
		if wantTape {
			k.vmul(slope, d, d)
		}
		return alpha, slope, d
	}
	k.elem = plan.Float64
	b32, l32 := k.beta, k.lambda
	k.beta, k.lambda = k.beta64, k.lambda64
	defer func() {
		k.elem = plan.Float32
		k.beta, k.lambda = b32, l32
	}()
	var outA, outS, outDS [2]reg.VecVirtual
	for h := 0; h < 2; h++ {
		dh, bh := k.ymm(), k.ymm()
		k.VCVTPS2PD(ap.Offset(16*h), dh)
		k.VCVTPS2PD(aq.Offset(16*h), bh)
		k.vsub(dh, bh, dh)
		a, sl := wl.weights(k, dh, wantTape)
		outA[h] = k.ymm()
		k.VCVTPD2PSY(a, outA[h].AsX())
		if wantTape {
			outS[h] = k.ymm()
			k.VCVTPD2PSY(sl, outS[h].AsX())
			k.vmul(sl, dh, dh)
			outDS[h] = k.ymm()
			k.VCVTPD2PSY(dh, outDS[h].AsX())
		}
	}
	alpha = outA[0]
	k.VINSERTF128(operand.U8(1), outA[1].AsX(), alpha, alpha)
	if wantTape {
		slope, ds = outS[0], outDS[0]
		k.VINSERTF128(operand.U8(1), outS[1].AsX(), slope, slope)
		k.VINSERTF128(operand.U8(1), outDS[1].AsX(), ds, ds)
	}
	return alpha, slope, ds
}

// hardMask emits the forward decision of the hard and error-free swaps:
// every bit of a lane of the result is set where a <= b (keep the order;
// ties keep it too), as the interpreter's `a <= b`.
func hardMask(k *kbuilder, a, b reg.VecVirtual) reg.VecVirtual {
	m := k.ymm()
	k.vcmp(cmpLE, b, a, m)
	return m
}

// transcendentalWeights adapts the vectorised swap-weight layer of
// vecmath (Math.Alpha) for logistic, logistic_phi, gaussian and cauchy.
func transcendentalWeights(f plan.Func) (weightLayer, error) {
	live, ok := vecmathLive[f]
	if !ok {
		return nil, fmt.Errorf("asm: no vectorised weight layer for %v", f)
	}
	return vecmathWeights{f: f, live: live}, nil
}

// vecmathLive is the peak number of live YMM registers of Math.Alpha in
// float64 (the precision the kernels run it in), from vecmath.go's table.
var vecmathLive = map[plan.Func]int{
	plan.Logistic:    6,
	plan.LogisticPhi: 7,
	plan.Gaussian:    8,
	plan.Cauchy:      7,
}

type vecmathWeights struct {
	f    plan.Func
	live int
}

func (w vecmathWeights) maxLive() int { return w.live }

func (w vecmathWeights) weights(k *kbuilder, d reg.VecVirtual, wantSlope bool) (alpha, slope reg.VecVirtual) {
	return k.math().Alpha(w.f, d, k.beta, k.lambda, wantSlope)
}
