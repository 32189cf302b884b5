package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/gen/plan"
)

// The top-k kernels of a top-k plan (plan.TopK = k > 0) work on lane-major
// scratch and tape rows like the network kernels, with
//
//	zs[(i*k + j)*L + l]  Z[i][j] of lane l (H = dL/dX in the backward pass)
//	xt[e*L + l]          entry e of lane l's X tape (plan's layout per lane)
//
// The value pass is forwardKernel with withW (the forward weight of every
// step written to a row per step), the backward value pass backwardKernel
// with withWork; the X sweep and the walk of H are below.

// Names of the top-k assembly functions.
const (
	fnTopKValues     = "TopKValues"
	fnTopKValuesTape = "TopKValuesTape"
	fnTopKSweep      = "TopKSweep"
	fnTopKWork       = "TopKWork"
	fnBackwardWork   = "BackwardWork"
)

// topKUnroll is how many entries of a row of Z the sweep and the walk of H
// handle per loop iteration; rows of at most 2*topKUnroll entries are
// unrolled whole. Each entry is loaded, mixed and stored on its own, so
// the register use does not grow with k.
const topKUnroll = 8

// topKKernels emits the top-k kernels of p; fwd and bwd are the step
// table and the reversed one.
func (k *kbuilder) topKKernels(p *plan.Plan, fwd, bwd operand.Mem) error {
	if p.TopK < 1 || p.TopK >= p.N() {
		return fmt.Errorf("asm: top-%d of %d wires", p.TopK, p.N())
	}
	if err := k.forwardKernel(p, netKernel{name: fnTopKValues, withW: true}, fwd); err != nil {
		return err
	}
	if p.Swap.Differentiable() {
		if err := k.forwardKernel(p, netKernel{name: fnTopKValuesTape, withW: true, withTape: true}, fwd); err != nil {
			return err
		}
	}
	k.topKSweep(p, bwd)
	if p.Swap.Differentiable() {
		k.topKWork(p, fwd)
		if err := k.backwardKernel(p, netKernel{name: fnBackwardWork, backward: true, withWork: true}, bwd); err != nil {
			return err
		}
	}
	return nil
}

// zRows returns the addresses of rows p and q of the n x k lane-major
// matrix at the pointer argument arg.
func (k *kbuilder) zRows(arg string, s *kernelState, kk int) (zp, zq reg.GPVirtual) {
	base := k.loadArg(arg)
	zp, zq = k.GP64(), k.GP64()
	k.IMUL3Q(operand.U32(uint32(kk*k.rb())), s.p, zp)
	k.IMUL3Q(operand.U32(uint32(kk*k.rb())), s.q, zq)
	k.ADDQ(base, zp)
	k.ADDQ(base, zq)
	return zp, zq
}

// entries emits body for the n entries of a row, at byte offsets from the
// cursors, which advance (and are clobbered) when the row is long enough
// to loop.
func (k *kbuilder) entries(n int, cursors []reg.GPVirtual, body func(off int)) {
	if n <= 2*topKUnroll {
		for j := range n {
			body(j * k.rb())
		}
		return
	}
	cnt := k.GP64()
	k.MOVQ(operand.U32(uint32(n/topKUnroll)), cnt)
	loopL := k.label("entries")
	k.Label(loopL)
	for j := range topKUnroll {
		body(j * k.rb())
	}
	for _, c := range cursors {
		k.ADDQ(operand.U32(topKUnroll*k.rb()), c)
	}
	k.DECQ(cnt)
	k.JNZ(operand.LabelRef(loopL))
	for j := range n % topKUnroll {
		body(j * k.rb())
	}
}

// exactMix emits the interpreter's mix of (a, b) with weight w: lo =
// w*a + (1-w)*b, hi = (1-w)*a + w*b, products rounded separately.
func (k *kbuilder) exactMix(w, omw, a, b, lo, hi reg.VecVirtual) {
	t := k.vreg()
	k.v.Mul(a, w, lo)
	k.v.Mul(b, omw, t)
	k.v.Add(t, lo, lo)
	k.v.Mul(a, omw, hi)
	k.v.Mul(b, w, t)
	k.v.Add(t, hi, hi)
}

// topKSweep emits fnTopKSweep(zs, w, wstride, zd): for the steps last to
// first, rows p and q of Z (zs, set to the identity's last k columns by the
// caller) mix with the step's weight, the row at w + s*wstride bytes; with
// zd != nil the difference Z[p,:]-Z[q,:] before step s is stored at zd +
// s*k rows.
func (k *kbuilder) topKSweep(p *plan.Plan, bwd operand.Mem) {
	kk, steps := p.TopK, len(p.Steps)
	T := k.goType()
	k.function(fnTopKSweep, "(zs, w *"+T+", wstride int, zd *"+T+")",
		fmt.Sprintf("computes X = P[:, n-k:] of one block of %d lanes right to left (lane-major scratch; see kernels_amd64.go).", k.lanes()))
	s := &kernelState{n: p.N(), tabAddr: bwd}
	wp, stride, zd := k.loadArg("w"), k.loadArg("wstride"), k.loadArg("zd")
	t := k.GP64()
	k.IMUL3Q(operand.U32(uint32(steps)), stride, t)
	k.ADDQ(t, wp)
	noDiffL := k.label("nozd")
	k.TESTQ(zd, zd)
	k.JZ(operand.LabelRef(noDiffL))
	k.addConst(zd, int64(steps*kk)*int64(k.rb()))
	k.Label(noDiffL)
	k.stepLoop(s, func() {
		k.SUBQ(stride, wp)
		w, omw := k.vreg(), k.vreg()
		k.v.MovU(mem(wp, nil, 0, 0), w)
		k.v.MovU(k.v.Const(1), omw)
		k.v.Sub(w, omw, omw)
		zp, zq := k.zRows("zs", s, kk)
		row := func(withDiff bool, zc reg.GPVirtual) func(off int) {
			return func(off int) {
				a, b := k.vreg(), k.vreg()
				k.v.MovU(mem(zp, nil, 0, off), a)
				k.v.MovU(mem(zq, nil, 0, off), b)
				if withDiff {
					d := k.vreg()
					k.v.Sub(b, a, d)
					k.v.MovU(d, mem(zc, nil, 0, off))
				}
				lo, hi := k.vreg(), k.vreg()
				k.exactMix(w, omw, a, b, lo, hi)
				k.v.MovU(lo, mem(zp, nil, 0, off))
				k.v.MovU(hi, mem(zq, nil, 0, off))
			}
		}
		plainL, doneL := k.label("plain"), k.label("swept")
		k.TESTQ(zd, zd)
		k.JZ(operand.LabelRef(plainL))
		k.SUBQ(operand.U32(uint32(kk*k.rb())), zd)
		zc := k.GP64()
		k.MOVQ(zd, zc)
		k.entries(kk, []reg.GPVirtual{zp, zq, zc}, row(true, zc))
		k.JMP(operand.LabelRef(doneL))
		k.Label(plainL)
		k.entries(kk, []reg.GPVirtual{zp, zq}, row(false, nil))
		k.Label(doneL)
	})
}

// topKWork emits fnTopKWork(hs, xt): H = dL/dX (hs) walks the steps first
// to last; step s's work entry of the X tape xt is dot(H[p,:]-H[q,:],
// zdiff_s), summed in order as the Go kernels do, and then rows p and q of
// H mix with the step's forward weight.
func (k *kbuilder) topKWork(p *plan.Plan, fwd operand.Mem) {
	kk, steps := p.TopK, len(p.Steps)
	T := k.goType()
	k.function(fnTopKWork, "(hs, xt *"+T+")",
		fmt.Sprintf("walks dL/dX of one block of %d lanes through the network and writes the X tape's work entries (lane-major; see kernels_amd64.go).", k.lanes()))
	s := &kernelState{n: p.N(), tabAddr: fwd}
	zd := k.loadArg("xt") // the differences start the X tape
	wp := k.GP64()
	k.MOVQ(zd, wp)
	k.addConst(wp, int64(steps*kk)*int64(k.rb()))
	k.stepLoop(s, func() {
		w, omw := k.vreg(), k.vreg()
		k.v.MovU(mem(wp, nil, 0, 0), w)
		k.v.MovU(k.v.Const(1), omw)
		k.v.Sub(w, omw, omw)
		hp, hq := k.zRows("hs", s, kk)
		// 0 + the first product, as the Go kernels' sum starts.
		dot := k.vreg()
		k.v.Xor(dot, dot, dot)
		zc := k.GP64()
		k.MOVQ(zd, zc)
		k.entries(kk, []reg.GPVirtual{hp, hq, zc}, func(off int) {
			a, b, t := k.vreg(), k.vreg(), k.vreg()
			k.v.MovU(mem(hp, nil, 0, off), a)
			k.v.MovU(mem(hq, nil, 0, off), b)
			k.v.Sub(b, a, t)
			k.v.Mul(mem(zc, nil, 0, off), t, t)
			k.v.Add(t, dot, dot)
			lo, hi := k.vreg(), k.vreg()
			k.exactMix(w, omw, a, b, lo, hi)
			k.v.MovU(lo, mem(hp, nil, 0, off))
			k.v.MovU(hi, mem(hq, nil, 0, off))
		})
		k.v.MovU(dot, mem(wp, nil, 0, steps*k.rb())) // the work row follows the weights
		k.ADDQ(operand.U8(k.rb()), wp)
		k.ADDQ(operand.U32(uint32(kk*k.rb())), zd)
	})
}
