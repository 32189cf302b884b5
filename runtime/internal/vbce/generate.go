//go:build ignore

// Command generate writes the AVX2 kernels of package vbce (go generate):
// BCE's and, from asm.AllFinite, the finiteness check.
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/buildtags"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm"
	"github.com/sortgen/sortgen/gen/plan"
)

func main() {
	ctx := build.NewContext()
	ctx.Package("github.com/sortgen/sortgen/runtime/internal/vbce")
	c, err := buildtags.ParseConstraint("!purego")
	if err != nil {
		log.Fatal(err)
	}
	ctx.Constraint(c)
	for _, e := range []plan.Elem{plan.Float32, plan.Float64} {
		kernel(ctx, e, false)
		kernel(ctx, e, true)
	}
	asm.AllFinite(ctx, "allFiniteAVX2F32", plan.Float32)
	asm.AllFinite(ctx, "allFiniteAVX2F64", plan.Float64)
	f, err := ctx.Result()
	if err != nil {
		log.Fatal(err)
	}
	if err := asm.CompileAVX2(f); err != nil {
		log.Fatal(err)
	}
	cfg := printer.Config{Argv: []string{"go", "run", "generate.go"}, Pkg: "vbce"}
	src, err := printer.NewGoAsm(cfg).Print(f)
	if err != nil {
		log.Fatal(err)
	}
	stubs, err := printer.NewStubs(cfg).Print(f)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("vbce_amd64.s", src, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("stubs_amd64.go", stubs, 0o644); err != nil {
		log.Fatal(err)
	}
}

// kernel emits log1mAVX2F32/F64(grad, p []T, inv T, sums *[4]float64): for
// every element, with q = min(max(p, 0), 1), sums += max(log(1-q), -100)
// (four float64 partial sums) and grad = q / max(q*(1-q), 1e-12) * inv.
// len(p) must be a multiple of the lanes and len(grad) >= len(p).
//
// With one, it emits oneAVX2F32/F64 instead, the correction for entries
// whose target is 1: sums += max(log(1-q), -100) - max(log(q), -100) and
// grad = (q-1) / max(q*(1-q), 1e-12) * inv.
func kernel(ctx *build.Context, e plan.Elem, one bool) {
	m := asm.NewMath(ctx, e)
	f32 := e == plan.Float32
	suffix, typ := "F64", "float64"
	if f32 {
		suffix, typ = "F32", "float32"
	}
	name := "log1mAVX2" + suffix
	if one {
		name = "oneAVX2" + suffix
	}
	ctx.Function(name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(fmt.Sprintf("func(grad, p []%s, inv %s, sums *[4]float64)", typ, typ))
	ctx.Pragma("noescape")
	if one {
		ctx.Doc(name + " is BCE's correction for entries whose target is 1: see Log1m and One.")
	} else {
		ctx.Doc(name + " is BCE's all-zero-target part on a block: see Log1m.")
	}
	g := ctx.Load(ctx.Param("grad").Base(), ctx.GP64()).(reg.GPVirtual)
	p := ctx.Load(ctx.Param("p").Base(), ctx.GP64()).(reg.GPVirtual)
	n := ctx.Load(ctx.Param("p").Len(), ctx.GP64()).(reg.GPVirtual)
	sums := ctx.Load(ctx.Param("sums"), ctx.GP64()).(reg.GPVirtual)
	acc := ctx.YMM()
	ctx.VXORPD(acc, acc, acc)
	invParam, err := ctx.Param("inv").Resolve()
	if err != nil {
		log.Fatal(err)
	}
	inv := ctx.YMM()
	if f32 {
		ctx.VBROADCASTSS(invParam.Addr, inv)
	} else {
		ctx.VBROADCASTSD(invParam.Addr, inv)
	}
	var tiny float64 = 2.2250738585072014e-308
	if f32 {
		tiny = 1.1754943508222875e-38
	}
	ops := struct {
		mov, max, min, sub, mul, div func(...operand.Op)
		cmp, blend                   func(...operand.Op)
	}{}
	if f32 {
		ops.max, ops.min, ops.sub, ops.mul, ops.div = ctx.VMAXPS, ctx.VMINPS, ctx.VSUBPS, ctx.VMULPS, ctx.VDIVPS
	} else {
		ops.max, ops.min, ops.sub, ops.mul, ops.div = ctx.VMAXPD, ctx.VMINPD, ctx.VSUBPD, ctx.VMULPD, ctx.VDIVPD
	}
	_ = ops.mov
	loop, done := name+"_loop", name+"_done"
	ctx.Label(loop)
	ctx.CMPQ(n, operand.Imm(0))
	ctx.JE(operand.LabelRef(done))
	q := ctx.YMM()
	zero := ctx.YMM()
	ctx.VXORPD(zero, zero, zero)
	ops.max(operand.Mem{Base: p}, zero, q) // max(p, 0); a NaN p becomes 0
	ops.min(m.Const(1), q, q)
	omq := ctx.YMM()
	if f32 {
		ctx.VMOVUPS(m.Const(1), omq)
	} else {
		ctx.VMOVUPD(m.Const(1), omq)
	}
	ops.sub(q, omq, omq) // 1 - q
	// log is only defined for normal arguments: clamp, then replace the
	// clamped lanes by the floor, as log(0) = -Inf would be.
	arg := ctx.YMM()
	ops.max(m.Const(tiny), omq, arg)
	l := m.Log(arg)
	small := ctx.YMM()
	floor := ctx.YMM()
	if f32 {
		ctx.VCMPPS(operand.Imm(1), m.Const(tiny), omq, small) // omq < tiny
		ctx.VMOVUPS(m.Const(-100), floor)
		ctx.VBLENDVPS(small, floor, l, l)
		ctx.VMAXPS(floor, l, l)
	} else {
		ctx.VCMPPD(operand.Imm(1), m.Const(tiny), omq, small)
		ctx.VMOVUPD(m.Const(-100), floor)
		ctx.VBLENDVPD(small, floor, l, l)
		ctx.VMAXPD(floor, l, l)
	}
	if one {
		// subtract max(log(q), -100), clamped the same way
		argq := ctx.YMM()
		ops.max(m.Const(tiny), q, argq)
		lq := m.Log(argq)
		smallq := ctx.YMM()
		if f32 {
			ctx.VCMPPS(operand.Imm(1), m.Const(tiny), q, smallq)
			ctx.VBLENDVPS(smallq, floor, lq, lq)
			ctx.VMAXPS(floor, lq, lq)
			ctx.VSUBPS(lq, l, l)
		} else {
			ctx.VCMPPD(operand.Imm(1), m.Const(tiny), q, smallq)
			ctx.VBLENDVPD(smallq, floor, lq, lq)
			ctx.VMAXPD(floor, lq, lq)
			ctx.VSUBPD(lq, l, l)
		}
	}
	if f32 {
		lo, hi := ctx.YMM(), ctx.YMM()
		ctx.VCVTPS2PD(l.AsX(), lo)
		ctx.VEXTRACTF128(operand.Imm(1), l, hi.AsX())
		ctx.VCVTPS2PD(hi.AsX(), hi)
		ctx.VADDPD(lo, acc, acc)
		ctx.VADDPD(hi, acc, acc)
	} else {
		ctx.VADDPD(l, acc, acc)
	}
	den := ctx.YMM()
	ops.mul(omq, q, den)
	ops.max(m.Const(1e-12), den, den)
	if one {
		if f32 {
			ctx.VSUBPS(m.Const(1), q, q) // q - 1
		} else {
			ctx.VSUBPD(m.Const(1), q, q)
		}
	}
	ops.div(den, q, q)
	ops.mul(inv, q, q)
	if f32 {
		ctx.VMOVUPS(q, operand.Mem{Base: g})
	} else {
		ctx.VMOVUPD(q, operand.Mem{Base: g})
	}
	ctx.ADDQ(operand.Imm(32), p)
	ctx.ADDQ(operand.Imm(32), g)
	ctx.SUBQ(operand.Imm(uint64(m.Lanes())), n)
	ctx.JMP(operand.LabelRef(loop))
	ctx.Label(done)
	ctx.VMOVUPD(acc, operand.Mem{Base: sums})
	ctx.VZEROUPPER()
	ctx.RET()
}
