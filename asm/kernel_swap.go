package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/asm/vecmath"
	"github.com/sortgen/sortgen/gen/plan"
)

// A weightLayer emits the swap-weight layer of a comparator: from the
// lane-wise difference d = b - a, vecmath's Alpha of f (alpha, the soft
// weight of "no swap", and when wantSlope its slope). The kernels call it
// with at most 3 registers of their own live (for float32 kernels, which
// run it in float64 on two halves: the narrowed alpha, slope and d*slope
// of the first half), so a layer that keeps at most maxWeightLive vector
// registers live, d, alpha and slope included, keeps every kernel within
// Y0-Y15.
type weightLayer struct{ f plan.Func }

// maxWeightLive bounds vecmath.AlphaLive of a kernel's weight layer (16
// YMM registers minus what a kernel keeps live across the call).
const maxWeightLive = 13

// weightsFor returns the weight layer of a soft swap function.
func weightsFor(f plan.Func) (weightLayer, error) {
	if !f.IsSoft() {
		return weightLayer{}, fmt.Errorf("asm: %v is not a soft swap function", f)
	}
	// The kernels run the layer in float64 for both element types.
	if live := vecmath.AlphaLive(f, plan.Float64); live > maxWeightLive {
		return weightLayer{}, fmt.Errorf("asm: weight layer of %v keeps %d vectors live (at most %d)", f, live, maxWeightLive)
	}
	return weightLayer{f}, nil
}

func (w weightLayer) weights(k *kbuilder, d reg.VecVirtual, wantSlope bool) (alpha, slope reg.VecVirtual) {
	return k.v.Alpha(w.f, d, k.beta, k.lambda, wantSlope)
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
		a, d := k.vreg(), k.vreg()
		k.v.MovU(ap, a)
		k.v.MovU(aq, d)
		k.v.Sub(a, d, d)
		k.v.ClampFinite(d)
		alpha, slope = wl.weights(k, d, wantTape)
		if wantTape {
			k.v.Mul(slope, d, d)
		}
		return alpha, slope, d
	}
	k.setElem(plan.Float64)
	b32, l32 := k.beta, k.lambda
	k.beta, k.lambda = k.beta64, k.lambda64
	defer func() {
		k.setElem(plan.Float32)
		k.beta, k.lambda = b32, l32
	}()
	var outA, outS, outDS [2]reg.VecVirtual
	half := k.rb() / 2 // bytes of half the float32 lanes
	narrow := func(src, dst reg.VecVirtual) {
		if k.wide {
			k.VCVTPD2PS(src, dst.AsY())
		} else {
			k.VCVTPD2PSY(src, dst.AsX())
		}
	}
	for h := 0; h < 2; h++ {
		dh, bh := k.vreg(), k.vreg()
		k.VCVTPS2PD(ap.Offset(half*h), dh)
		k.VCVTPS2PD(aq.Offset(half*h), bh)
		k.v.Sub(dh, bh, dh)
		a, sl := wl.weights(k, dh, wantTape)
		outA[h] = k.vreg()
		narrow(a, outA[h])
		if wantTape {
			outS[h] = k.vreg()
			narrow(sl, outS[h])
			k.v.Mul(sl, dh, dh)
			outDS[h] = k.vreg()
			narrow(dh, outDS[h])
		}
	}
	join := func(lo, hi reg.VecVirtual) {
		if k.wide {
			k.VINSERTF64X4(operand.U8(1), hi.AsY(), lo, lo)
		} else {
			k.VINSERTF128(operand.U8(1), hi.AsX(), lo, lo)
		}
	}
	alpha = outA[0]
	join(alpha, outA[1])
	if wantTape {
		slope, ds = outS[0], outDS[0]
		join(slope, outS[1])
		join(ds, outDS[1])
	}
	return alpha, slope, ds
}

// hardMask emits the forward decision of the hard and error-free swaps:
// every bit of a lane of the result is set where a <= b (keep the order;
// ties keep it too), as the interpreter's `a <= b`.
func hardMask(k *kbuilder, a, b reg.VecVirtual) reg.VecVirtual {
	m := k.vreg()
	k.v.Cmp(avx2.LE, b, a, m)
	return m
}
