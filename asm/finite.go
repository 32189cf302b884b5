package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen/plan"
)

// AllFinite emits into ctx the AVX2 function
//
//	func name(x []T) bool
//
// (T is float32 or float64 by e; NOSPLIT, //go:noescape) that reports
// whether no element of x is NaN or infinite, for every len(x) >= 0. It
// never reads past len(x) elements and does no floating-point arithmetic
// (no exception flags, no denormal assists; MXCSR does not matter).
//
// The test is on the bits of the 32-bit word that holds the exponent (a
// float32, or the high word of a float64): with the sign cleared, it is at
// least 0x7f800000 (0x7ff00000 for float64), the exponent all ones,
// exactly for NaN and ±Inf. The kernel keeps the unsigned maximum
// (VPMAXUD) of these words, the low words of float64 masked to 0, four YMM
// vectors per iteration, then one vector at a time, and finally adds the
// lowest exponent bit (0x00800000, 0x00100000), which carries into the
// sign bit exactly when the maximum is that large. The fewer than a
// vector's lanes left at the end take the same sum one element at a time
// in a general-purpose register (ORed). It takes no data-dependent branch.
// The maximum needs two instructions per vector (VPAND with the load,
// VPMAXUD) where ORing per-element sums needs three; with it the loop
// runs at about the speed of the loads. Its two constants come from
// consts, ctx's pool; every label starts with name. The caller runs avx2.Compile on the file as
// usual; the function uses 6 vector registers and needs AVX2 (no FMA).
func AllFinite(ctx *build.Context, consts *avx2.Pool, name string, e plan.Elem) {
	allFinite(ctx, consts, name, e, false)
}

// AllFiniteWide is AllFinite on ZMM registers (AVX-512F and DQ): the same
// test, four ZMM vectors per iteration, then one, then the same scalar
// tail of fewer than a ZMM's lanes. The final sign test moves the words'
// sign bits into an opmask register (VPMOVD2M). name must contain
// "avx512", the only functions the allocator gives Z and K registers; it
// panics otherwise.
func AllFiniteWide(ctx *build.Context, consts *avx2.Pool, name string, e plan.Elem) {
	if !avx2.IsAVX512Name(name) {
		panic(fmt.Sprintf("asm: AllFiniteWide: %q does not contain \"avx512\"", name))
	}
	allFinite(ctx, consts, name, e, true)
}

func allFinite(ctx *build.Context, consts *avx2.Pool, name string, e plan.Elem, wide bool) {
	// mask clears the sign (and the low word of a float64) of a lane; bump
	// is the lowest exponent bit in the word that holds the exponent, at
	// byte offset hi of an element.
	var (
		size, hi   int
		mask, bump uint64
	)
	switch e {
	case plan.Float32:
		size, hi, mask, bump = 4, 0, 0x7fffffff, 0x00800000
	case plan.Float64:
		size, hi, mask, bump = 8, 4, 0x7fffffff00000000, 0x0010000000000000
	default:
		panic(fmt.Sprintf("asm: AllFinite: unknown element type %v", e))
	}
	m := avx2.New(ctx, consts, e)
	vec := ctx.YMM
	and := func(s2, s1, d operand.Op) { ctx.VPAND(s2, s1, d) }
	xor := func(s2, s1, d operand.Op) { ctx.VPXOR(s2, s1, d) }
	mov := func(s, d operand.Op) { ctx.VMOVDQU(s, d) }
	if wide {
		// The integer instructions on ZMM exist only with an element size.
		m = avx2.NewWide(ctx, consts, e)
		vec = ctx.ZMM
		and = func(s2, s1, d operand.Op) { ctx.VPANDD(s2, s1, d) }
		xor = func(s2, s1, d operand.Op) { ctx.VPXORD(s2, s1, d) }
		mov = func(s, d operand.Op) { ctx.VMOVDQU32(s, d) }
	}
	width := m.RegBytes()
	lanes := width / size
	const unroll = 4

	ctx.Function(name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(fmt.Sprintf("func(x []%s) bool", e))
	ctx.Pragma("noescape")
	ctx.Doc(name + " reports whether no element of x is NaN or infinite (see asm.AllFinite).")

	p := ctx.Load(ctx.Param("x").Base(), ctx.GP64()).(reg.GPVirtual)
	n := ctx.Load(ctx.Param("x").Len(), ctx.GP64()).(reg.GPVirtual)
	abs, acc := vec(), vec()
	mov(m.Bits(mask), abs)
	xor(acc, acc, acc)
	at := func(i int) operand.Mem { return operand.Mem{Base: p, Disp: i * width} }

	// Four vectors per iteration.
	loop4, loop1, tail, tailLoop, done := name+"_loop4", name+"_loop1", name+"_tail", name+"_tail_loop", name+"_done"
	ctx.CMPQ(n, operand.Imm(uint64(unroll*lanes)))
	ctx.JL(operand.LabelRef(loop1))
	ctx.Label(loop4)
	var t [unroll]reg.VecVirtual
	for i := range t {
		t[i] = vec()
		and(at(i), abs, t[i])
	}
	ctx.VPMAXUD(t[1], t[0], t[0])
	ctx.VPMAXUD(t[3], t[2], t[2])
	ctx.VPMAXUD(t[2], t[0], t[0])
	ctx.VPMAXUD(t[0], acc, acc)
	var step operand.Constant = operand.Imm(uint64(unroll * width))
	if unroll*width > 0xff {
		step = operand.U32(unroll * width) // Imm would be 16 bits, which ADDQ lacks
	}
	ctx.ADDQ(step, p)
	ctx.SUBQ(operand.Imm(uint64(unroll*lanes)), n)
	ctx.CMPQ(n, operand.Imm(uint64(unroll*lanes)))
	ctx.JGE(operand.LabelRef(loop4))

	// Whole vectors (at most unroll-1).
	ctx.Label(loop1)
	ctx.CMPQ(n, operand.Imm(uint64(lanes)))
	ctx.JL(operand.LabelRef(tail))
	v := vec()
	and(at(0), abs, v)
	ctx.VPMAXUD(v, acc, acc)
	ctx.ADDQ(operand.Imm(uint64(width)), p)
	ctx.SUBQ(operand.Imm(uint64(lanes)), n)
	ctx.JMP(operand.LabelRef(loop1))

	// The last elements, one at a time: the sum in a GP register, ORed.
	ctx.Label(tail)
	s, w := ctx.GP32(), ctx.GP32()
	ctx.XORL(s, s)
	ctx.Label(tailLoop)
	ctx.TESTQ(n, n)
	ctx.JE(operand.LabelRef(done))
	ctx.MOVL(operand.Mem{Base: p, Disp: hi}, w)
	ctx.ANDL(operand.U32(0x7fffffff), w)
	ctx.ADDL(operand.U32(bump>>(8*hi)), w)
	ctx.ORL(w, s)
	ctx.ADDQ(operand.Imm(uint64(size)), p)
	ctx.DECQ(n)
	ctx.JMP(operand.LabelRef(tailLoop))

	// Finite iff no sign bit is set: in acc's words after the sum, or in s.
	ctx.Label(done)
	ctx.VPADDD(m.Bits(bump), acc, acc)
	bits := ctx.GP32()
	if wide {
		k := ctx.K()
		ctx.VPMOVD2M(acc, k)
		ctx.KMOVW(k, bits)
	} else {
		ctx.VMOVMSKPS(acc, bits)
	}
	ctx.SHRL(operand.Imm(31), s)
	ctx.ORL(s, bits)
	ok := ctx.GP8()
	ctx.SETEQ(ok)
	ctx.VZEROUPPER()
	ctx.Store(ok, ctx.ReturnIndex(0))
	ctx.RET()
}
