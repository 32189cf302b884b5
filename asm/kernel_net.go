package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/gen/plan"
)

// The network kernels run one block of lanes (one batch row per YMM or,
// in the AVX-512 kernels, ZMM lane)
// through the whole network, on lane-major scratch buffers prepared by the
// Go side (kernels_amd64.go):
//
//	xs[w*L + l]          value of wire w, lane l (gradient in backward)
//	ps[(j*n + i)*L + l]  P[i][j] of lane l, column-major (gradient in backward)
//	tape[(3k+c)*L + l]   (d*slope, alpha, slope)[c] of step k, lane l
//	diff[(o+r)*L + l]    column difference of row r of the step at diff offset o
//
// Every wire, matrix entry, tape triple member or difference is one row of
// a register's width (32 bytes, 64 for AVX-512).

// netKernel describes one network kernel.
type netKernel struct {
	name     string
	backward bool
	withP    bool // P (forward) or dL/dP (backward)
	withTape bool // forward records the tape
	withW    bool // forward writes each step's forward weight (top-k)
	withWork bool // backward reads dL/dalpha through X from a work row per step (top-k)
}

// mem builds a memory operand base + index*scale + disp.
func mem(base reg.Register, index reg.Register, scale uint8, disp int) operand.Mem {
	return operand.Mem{Base: base, Index: index, Scale: scale, Disp: disp}
}

// kernelState holds the general-purpose registers of a kernel's step loop.
type kernelState struct {
	tab     reg.GPVirtual // current run
	cnt     operand.Mem   // steps left in the run (frame slot)
	p, q    reg.GPVirtual // wires of the current step
	rsLo    reg.GPVirtual // shift of the lower range bounds of the current step within its run
	rsHi    operand.Mem   // the same for the upper bounds (frame slot)
	tape    reg.GPVirtual // running tape pointer (nil register if none)
	w       reg.GPVirtual // running forward-weight or work pointer (top-k)
	diff    reg.GPVirtual // running diff pointer (forward) / step diff start (backward)
	wl      weightLayer   // soft weights (zero for the hard swap)
	n       int           // wires
	tabAddr operand.Mem   // table start
}

// stepLoop emits the run and step loops of a kernel over the table at
// tabAddr; step emits the body of one step.
func (k *kbuilder) stepLoop(s *kernelState, step func()) {
	s.tab = k.GP64()
	k.LEAQ(s.tabAddr, s.tab)
	s.cnt = k.AllocLocal(8)
	s.rsHi = k.AllocLocal(8)
	runL, stepL, doneL := k.label("run"), k.label("step"), k.label("done")
	k.Label(runL)
	c := k.GP64()
	k.MOVL(mem(s.tab, nil, 0, runCount), c.As32())
	k.TESTL(c.As32(), c.As32())
	k.JZ(operand.LabelRef(doneL))
	k.MOVQ(c, s.cnt)
	s.p, s.q, s.rsLo = k.GP64(), k.GP64(), k.GP64()
	k.MOVL(mem(s.tab, nil, 0, runP), s.p.As32())
	k.MOVL(mem(s.tab, nil, 0, runQ), s.q.As32())
	k.XORL(s.rsLo.As32(), s.rsLo.As32())
	k.MOVQ(s.rsLo, s.rsHi)
	k.Label(stepL)
	step()
	k.ADDL(mem(s.tab, nil, 0, runDP), s.p.As32())
	k.ADDL(mem(s.tab, nil, 0, runDQ), s.q.As32())
	k.ADDL(mem(s.tab, nil, 0, runDLo), s.rsLo.As32())
	dhi := k.GP64()
	k.MOVL(mem(s.tab, nil, 0, runDHi), dhi.As32())
	k.ADDL(dhi.As32(), s.rsHi)
	k.DECQ(s.cnt)
	k.JNZ(operand.LabelRef(stepL))
	nr := k.GP64()
	k.MOVL(mem(s.tab, nil, 0, runNRanges), nr.As32())
	k.LEAQ(mem(s.tab, nr, 8, runHeader), s.tab)
	k.JMP(operand.LabelRef(runL))
	k.Label(doneL)
	k.VZEROUPPER()
	k.RET()
}

// ranges emits the loop over the support ranges of the current step: for
// each it sets cp and cq to the first row of the range in columns p and q
// of the matrix at the pointer argument matArg, and rows to its length,
// and calls body.
func (k *kbuilder) ranges(s *kernelState, matArg string, body func(cp, cq, rows reg.GPVirtual)) {
	rp, nr := k.GP64(), k.GP64()
	k.LEAQ(mem(s.tab, nil, 0, runHeader), rp)
	k.MOVL(mem(s.tab, nil, 0, runNRanges), nr.As32())
	loopL := k.label("range")
	k.Label(loopL)
	lo, rows := k.GP64(), k.GP64()
	k.MOVL(mem(rp, nil, 0, 0), lo.As32())
	k.MOVL(mem(rp, nil, 0, 4), rows.As32())
	k.ADDL(s.rsHi, rows.As32())
	k.ADDL(s.rsLo.As32(), lo.As32())
	k.SUBL(lo.As32(), rows.As32())
	k.SHLQ(k.rowShift(), lo)
	cp, cq := k.GP64(), k.GP64()
	k.IMUL3Q(operand.U32(uint32(s.n*k.rb())), s.p, cp)
	k.IMUL3Q(operand.U32(uint32(s.n*k.rb())), s.q, cq)
	k.ADDQ(lo, cp)
	k.ADDQ(lo, cq)
	m := k.loadArg(matArg)
	k.ADDQ(m, cp)
	k.ADDQ(m, cq)
	body(cp, cq, rows)
	k.ADDQ(operand.U8(8), rp)
	k.DECQ(nr)
	k.JNZ(operand.LabelRef(loopL))
}

// rowLoop emits a loop over rows (clobbered) rows, two at a time: body is
// called with the byte offset of the row relative to the cursors and the
// row's parity; the cursors advance by one row per row.
func (k *kbuilder) rowLoop(rows reg.GPVirtual, cursors []reg.GPVirtual, body func(off, parity int)) {
	pairL, tailL, doneL := k.label("pair"), k.label("tail"), k.label("rowsdone")
	k.CMPQ(rows, operand.U8(2))
	k.JB(operand.LabelRef(tailL))
	k.Label(pairL)
	body(0, 0)
	body(k.rb(), 1)
	for _, c := range cursors {
		k.ADDQ(operand.U8(2*k.rb()), c)
	}
	k.SUBQ(operand.U8(2), rows)
	k.CMPQ(rows, operand.U8(2))
	k.JAE(operand.LabelRef(pairL))
	k.Label(tailL)
	k.TESTQ(rows, rows)
	k.JZ(operand.LabelRef(doneL))
	body(0, 0)
	for _, c := range cursors {
		k.ADDQ(operand.U8(k.rb()), c)
	}
	k.Label(doneL)
}

// wireAddr loads the scratch pointer argument and returns the address of
// wire w's row and a register holding it.
func (k *kbuilder) wireAddrs(arg string, s *kernelState) (ap, aq operand.Mem) {
	base := k.loadArg(arg)
	po, qo := k.GP64(), k.GP64()
	k.MOVQ(s.p, po)
	k.SHLQ(k.rowShift(), po)
	k.MOVQ(s.q, qo)
	k.SHLQ(k.rowShift(), qo)
	return mem(base, po, 1, 0), mem(base, qo, 1, 0)
}

// forwardKernel emits a forward kernel (sort, forward, forwardP, forwardPTape).
func (k *kbuilder) forwardKernel(p *plan.Plan, kn netKernel, tab operand.Mem) error {
	hard := p.Swap.HardForward()
	needParams := !hard || kn.withTape
	T := k.goType()
	sig := "(xs *" + T
	if kn.withW {
		sig += ", w *" + T
	}
	if kn.withP {
		sig += ", ps *" + T
	}
	if kn.withTape {
		sig += ", tape *" + T
	}
	if kn.withP {
		sig += ", diff *" + T
	}
	sig += ")"
	if needParams {
		sig = sig[:len(sig)-1] + ", beta, lambda float64)"
	}
	doc := fmt.Sprintf("runs one block of %d lanes through the network (lane-major scratch; see kernels_amd64.go).", k.lanes())
	k.function(kn.name, sig, doc)
	s := &kernelState{n: p.N(), tabAddr: tab}
	if needParams {
		k.params("beta", "lambda")
		wl, err := weightsFor(p.Swap.Grad())
		if err != nil {
			return err
		}
		s.wl = wl
	}
	if kn.withTape {
		s.tape = k.loadArg("tape")
	}
	if kn.withP {
		s.diff = k.loadArg("diff")
	}
	if kn.withW {
		s.w = k.loadArg("w")
	}
	k.stepLoop(s, func() {
		ap, aq := k.wireAddrs("xs", s)
		var alpha, slope reg.VecVirtual
		if kn.withTape || !hard {
			// a and b are reloaded after the weight layer, which then has
			// all but 3 registers.
			var ds reg.VecVirtual
			alpha, slope, ds = k.wideWeights(s.wl, ap, aq, kn.withTape)
			if kn.withTape {
				k.v.MovU(ds, mem(s.tape, nil, 0, 0))
				k.v.MovU(alpha, mem(s.tape, nil, 0, k.rb()))
				k.v.MovU(slope, mem(s.tape, nil, 0, 2*k.rb()))
				k.ADDQ(operand.U8(3*k.rb()), s.tape)
			}
		}
		a, b := k.vreg(), k.vreg()
		k.v.MovU(ap, a)
		k.v.MovU(aq, b)
		// mixSel emits the forward exchange of (a, b) into (lo, hi).
		var mixSel func(a, b, lo, hi reg.VecVirtual, exact bool)
		if hard {
			m := hardMask(k, a, b)
			if kn.withW {
				w := k.vreg()
				k.v.And(k.v.Const(1), m, w) // 1 where a <= b (no swap), else 0
				k.v.MovU(w, mem(s.w, nil, 0, 0))
				k.ADDQ(operand.U8(k.rb()), s.w)
			}
			mixSel = func(a, b, lo, hi reg.VecVirtual, _ bool) {
				k.v.BlendV(m, a, b, lo) // a <= b ? a : b
				k.v.BlendV(m, b, a, hi) // a <= b ? b : a
			}
		} else {
			w, omw := alpha, k.vreg()
			if kn.withW {
				k.v.MovU(w, mem(s.w, nil, 0, 0))
				k.ADDQ(operand.U8(k.rb()), s.w)
			}
			k.v.MovU(k.v.Const(1), omw)
			k.v.Sub(w, omw, omw)
			mixSel = func(a, b, lo, hi reg.VecVirtual, exact bool) {
				if exact {
					// The interpreter's mix: w*a + (1-w)*b, (1-w)*a + w*b,
					// products rounded separately (a tie stays a tie).
					t := k.vreg()
					k.v.Mul(a, w, lo)
					k.v.Mul(b, omw, t)
					k.v.Add(t, lo, lo)
					k.v.Mul(a, omw, hi)
					k.v.Mul(b, w, t)
					k.v.Add(t, hi, hi)
					return
				}
				k.v.Mul(b, omw, lo)
				k.v.FMAdd231(a, w, lo)
				k.v.Mul(a, omw, hi)
				k.v.FMAdd231(b, w, hi)
			}
		}
		lo, hi := k.vreg(), k.vreg()
		mixSel(a, b, lo, hi, true)
		k.v.MovU(lo, ap)
		k.v.MovU(hi, aq)
		if !kn.withP {
			return
		}
		k.ranges(s, "ps", func(cp, cq, rows reg.GPVirtual) {
			rowBody := func(withDiff bool) func(off, parity int) {
				return func(off, _ int) {
					a, b := k.vreg(), k.vreg()
					k.v.MovU(mem(cp, nil, 0, off), a)
					k.v.MovU(mem(cq, nil, 0, off), b)
					if withDiff {
						t := k.vreg()
						k.v.Sub(b, a, t) // P[:,p] - P[:,q]
						k.v.MovU(t, mem(s.diff, nil, 0, off))
					}
					lo, hi := k.vreg(), k.vreg()
					mixSel(a, b, lo, hi, false)
					k.v.MovU(lo, mem(cp, nil, 0, off))
					k.v.MovU(hi, mem(cq, nil, 0, off))
				}
			}
			noDiffL, nextL := k.label("nodiff"), k.label("rangedone")
			k.TESTQ(s.diff, s.diff)
			k.JZ(operand.LabelRef(noDiffL))
			k.rowLoop(rows, []reg.GPVirtual{cp, cq, s.diff}, rowBody(true))
			k.JMP(operand.LabelRef(nextL))
			k.Label(noDiffL)
			k.rowLoop(rows, []reg.GPVirtual{cp, cq}, rowBody(false))
			k.Label(nextL)
		})
	})
	return nil
}

// backwardKernel emits a backward kernel (backward, backwardP): the
// gradient of the values is in xs (gs), of P in ps (gps).
func (k *kbuilder) backwardKernel(p *plan.Plan, kn netKernel, tab operand.Mem) error {
	T := k.goType()
	sig := "(gs *" + T
	if kn.withP {
		sig += ", gps *" + T
	}
	sig += ", tape *" + T
	if kn.withP {
		sig += ", diff *" + T
	}
	if kn.withWork {
		sig += ", work *" + T
	}
	sig += ")"
	doc := fmt.Sprintf("back-propagates one block of %d lanes through the network (lane-major scratch; see kernels_amd64.go).", k.lanes())
	k.function(kn.name, sig, doc)
	s := &kernelState{n: p.N(), tabAddr: tab}
	s.tape = k.loadArg("tape")
	k.addConst(s.tape, int64(p.TapeLen)*int64(k.rb()))
	if kn.withP {
		s.diff = k.loadArg("diff")
		k.addConst(s.diff, int64(p.DiffLen)*int64(k.rb()))
	}
	if kn.withWork {
		s.w = k.loadArg("work")
		k.addConst(s.w, int64(len(p.Steps))*int64(k.rb()))
	}
	k.stepLoop(s, func() {
		k.SUBQ(operand.U8(3*k.rb()), s.tape)
		w, omw := k.vreg(), k.vreg()
		k.v.MovU(mem(s.tape, nil, 0, k.rb()), w)
		k.v.MovU(k.v.Const(1), omw)
		k.v.Sub(w, omw, omw)
		var dot reg.VecVirtual
		if kn.withP {
			// rows of this step: those of the run's first step plus the
			// growth of the range since.
			rb := k.GP64()
			k.MOVL(mem(s.tab, nil, 0, runRows), rb.As32())
			k.ADDL(s.rsHi, rb.As32())
			k.SUBL(s.rsLo.As32(), rb.As32())
			k.SHLQ(k.rowShift(), rb)
			k.SUBQ(rb, s.diff)
			dc := k.GP64()
			k.MOVQ(s.diff, dc)
			acc := [2]reg.VecVirtual{k.vreg(), k.vreg()}
			k.v.Xor(acc[0], acc[0], acc[0])
			k.v.Xor(acc[1], acc[1], acc[1])
			k.ranges(s, "gps", func(cp, cq, rows reg.GPVirtual) {
				k.rowLoop(rows, []reg.GPVirtual{cp, cq, dc}, func(off, parity int) {
					a, b, t := k.vreg(), k.vreg(), k.vreg()
					k.v.MovU(mem(cp, nil, 0, off), a)
					k.v.MovU(mem(cq, nil, 0, off), b)
					k.v.Sub(b, a, t)
					k.v.FMAdd231(mem(dc, nil, 0, off), t, acc[parity])
					lo, hi := k.vreg(), k.vreg()
					k.v.Mul(b, omw, lo)
					k.v.FMAdd231(a, w, lo)
					k.v.Mul(a, omw, hi)
					k.v.FMAdd231(b, w, hi)
					k.v.MovU(lo, mem(cp, nil, 0, off))
					k.v.MovU(hi, mem(cq, nil, 0, off))
				})
			})
			dot = acc[0]
			k.v.Add(acc[1], dot, dot)
		}
		if kn.withWork {
			k.SUBQ(operand.U8(k.rb()), s.w)
			dot = k.vreg()
			k.v.MovU(mem(s.w, nil, 0, 0), dot)
		}
		ap, aq := k.wireAddrs("gs", s)
		gp, gq := k.vreg(), k.vreg()
		k.v.MovU(ap, gp)
		k.v.MovU(aq, gq)
		// dd = dalpha*slope = dot*slope - (gp - gq)*(d*slope), each product
		// rounded on its own as in the Go kernels.
		da := k.vreg()
		k.v.Sub(gp, gq, da)
		k.v.Mul(mem(s.tape, nil, 0, 0), da, da)
		if dot != nil {
			k.v.Mul(mem(s.tape, nil, 0, 2*k.rb()), dot, dot)
			k.v.Add(dot, da, da)
		}
		lo, hi, t := k.vreg(), k.vreg(), k.vreg()
		k.v.Mul(gp, w, lo)
		k.v.Mul(gq, omw, t)
		k.v.Add(t, lo, lo)
		k.v.Sub(da, lo, lo)
		k.v.Mul(gp, omw, hi)
		k.v.Mul(gq, w, t)
		k.v.Add(t, hi, hi)
		k.v.Add(da, hi, hi)
		k.v.MovU(lo, ap)
		k.v.MovU(hi, aq)
	})
	return nil
}

// addConst adds a possibly large constant to a register.
func (k *kbuilder) addConst(r reg.GPVirtual, c int64) {
	if c == 0 {
		return
	}
	if c < 1<<31 {
		k.ADDQ(operand.U32(uint32(c)), r)
		return
	}
	t := k.GP64()
	k.MOVQ(operand.U64(uint64(c)), t)
	k.ADDQ(t, r)
}
