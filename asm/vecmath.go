package asm

// Vectorised math for the AVX2 kernels: emitters of exp, log, atan, erf,
// sigmoid and the swap-function layer (Alpha) on YMM registers, one sample
// per lane (8 float32 or 4 float64 lanes), AVX2 and FMA instructions only
// (no AVX-512 instruction, no X16-X31/Y16-Y31, Z or K register).
//
// Every routine takes its inputs in registers (virtual or physical; never
// modified), returns its results in fresh virtual registers, and uses
// constants as memory operands of 32-byte read-only vectors, so it needs
// few registers. The table gives the peak number of YMM values live inside
// each routine (its input, kept live by the caller, and its results
// included; beta and lambda in memory), measured by TestVecmathLiveness on
// avo's liveness analysis: a caller keeping c other values live across the
// call needs c + live <= 16 to stay within Y0-Y15 (AlphaLive returns the
// Alpha column). Instructions are those emitted, constant loads and
// register copies included (PruneVectorSelfMoves drops the copies that
// register allocation turns into self-moves), divisions counted apart.
//
//	                       float64            float32
//	routine                live instr div     live instr div
//	Exp                      6    29   0        4    22   0
//	Log (x > 0)              7    25   1        7    21   1
//	Atan                     8    34   1        7    26   1
//	Erf                      9    68   1        7    45   1
//	Sigmoid                  6    35   1        4    28   1
//	Alpha logistic           7    38   1        5    31   1
//	Alpha logistic_phi       9   108   3        8    90   3
//	Alpha gaussian          10    80   1        8    57   1
//	Alpha reciprocal         4     9   1        4     9   1
//	Alpha cauchy            10    38   2        8    30   2
//	Alpha optimal            5    15   1        5    15   1
//
// (Alpha with wantSlope; without it, 2 to 7 instructions and one division
// (cauchy, logistic_phi) fewer.)
//
// Accuracy, measured by asm/internal/vecmathtest over dense grids, random
// and log-uniform points and the special points of each routine (0, ±0,
// subnormals, ±1, the branch points of the reductions, the clamps, ±1e30,
// ±MaxFloat32, ±MaxFloat64, ±Inf) against double-double references (exp,
// log, sigmoid) or package math (atan, erf); float32 against the float64
// result rounded to float32. Maximum errors in ulps:
//
//	routine   float64                          float32
//	Exp       1     (subnormal results too)    1  (subnormal results too)
//	Log       0.82                             1
//	Atan      2     (against math.Atan)        2
//	Erf       1     (against math.Erf; |error| <= 1.2e-16)   1
//	Sigmoid   1.44                             1
//
// Alpha's errors against plan.Alpha are listed with Alpha.

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
	"github.com/mmcloughlin/avo/x86"

	"github.com/sortgen/sortgen/gen/plan"
)

// A Builder is the part of an avo build context the vector-math emitters
// use. *build.Context implements it; Global adapts avo's global context
// (build.TEXT, build.Generate, ...). A Builder must be comparable (the
// constants are shared per Builder).
type Builder interface {
	Instruction(*ir.Instruction)
	YMM() reg.VecVirtual
	StaticGlobal(name string) operand.Mem
	DataAttributes(attr.Attribute)
	AddDatum(offset int, v operand.Constant)
	Comment(lines ...string)
}

// Global is the Builder of avo's global build context.
var Global Builder = vmGlobal{}

var _ Builder = (*build.Context)(nil)

type vmGlobal struct{}

func (vmGlobal) Instruction(i *ir.Instruction) { build.Instruction(i) }
func (vmGlobal) YMM() reg.VecVirtual           { return build.YMM() }
func (vmGlobal) StaticGlobal(name string) operand.Mem {
	return build.GLOBL(name, attr.RODATA|attr.NOPTR)
}
func (vmGlobal) DataAttributes(attr.Attribute)           {}
func (vmGlobal) AddDatum(offset int, v operand.Constant) { build.DATA(offset, v) }
func (vmGlobal) Comment(lines ...string)                 { build.Comment(lines...) }

// Math emits vectorised math of one element type (float64: 4 lanes,
// VxxxPD; float32: 8 lanes, VxxxPS) into a Builder. Create one per element
// type and build context; several Maths on the same Builder share their
// constants. It panics on operands avo rejects (a programming error of the
// caller) and never emits AVX-512 instructions.
type Math struct {
	b   Builder
	e   plan.Elem
	f32 bool
	op  *vmOps
	par *vmParams
}

// NewMath returns the emitter of element type e into b.
func NewMath(b Builder, e plan.Elem) *Math {
	m := &Math{b: b, e: e}
	switch e {
	case plan.Float64:
		m.op, m.par = &vmOpsPD, &vmParamsF64
	case plan.Float32:
		m.f32 = true
		m.op, m.par = &vmOpsPS, &vmParamsF32
	default:
		panic(fmt.Sprintf("asm: NewMath: unknown element type %v", e))
	}
	return m
}

// Elem is the element type of m.
func (m *Math) Elem() plan.Elem { return m.e }

// Lanes is the number of elements per YMM register.
func (m *Math) Lanes() int {
	if m.f32 {
		return 8
	}
	return 4
}

// Constants. Each is a 32-byte read-only vector (every lane the same) named
// vecmath_f64_<bits> or vecmath_f32_<bits>, static to the file, emitted on
// first use.

type vmConstKey struct {
	f32  bool
	bits uint64
}

// vmConsts holds the constants emitted per Builder; a *build.Context is
// held weakly (its entry goes with it), other Builders for good.
var (
	vmConstMu sync.Mutex
	vmConsts  = map[any]map[vmConstKey]operand.Mem{}
)

func vmConstTable(b Builder) map[vmConstKey]operand.Mem {
	var key any = b
	ctx, isCtx := b.(*build.Context)
	if isCtx {
		key = weak.Make(ctx)
	}
	if t, ok := vmConsts[key]; ok {
		return t
	}
	t := map[vmConstKey]operand.Mem{}
	vmConsts[key] = t
	if isCtx {
		runtime.AddCleanup(ctx, func(k any) {
			vmConstMu.Lock()
			delete(vmConsts, k)
			vmConstMu.Unlock()
		}, key)
	}
	return t
}

// Const returns a 32-byte vector constant with every lane v (rounded to the
// element type), for use as a memory operand (mxy) or with VMOVUPS/VMOVUPD.
func (m *Math) Const(v float64) operand.Mem {
	if m.f32 {
		return m.Bits(uint64(math.Float32bits(float32(v))))
	}
	return m.Bits(math.Float64bits(v))
}

// Bits returns a 32-byte vector constant with every lane the bit pattern
// bits (the low 32 bits for float32).
func (m *Math) Bits(bits uint64) operand.Mem {
	if m.f32 {
		bits &= 0xffffffff
	}
	k := vmConstKey{m.f32, bits}
	vmConstMu.Lock()
	defer vmConstMu.Unlock()
	table := vmConstTable(m.b)
	if c, ok := table[k]; ok {
		return c
	}
	var name string
	if m.f32 {
		name = fmt.Sprintf("vecmath_f32_%08x", bits)
	} else {
		name = fmt.Sprintf("vecmath_f64_%016x", bits)
	}
	c := m.b.StaticGlobal(name)
	m.b.DataAttributes(attr.RODATA | attr.NOPTR)
	w := bits
	if m.f32 {
		w |= bits << 32
	}
	for off := 0; off < 32; off += 8 {
		m.b.AddDatum(off, operand.U64(w))
	}
	table[k] = c
	return c
}

func (m *Math) absMask() operand.Mem {
	if m.f32 {
		return m.Bits(0x7fffffff)
	}
	return m.Bits(0x7fffffffffffffff)
}

func (m *Math) signMask() operand.Mem {
	if m.f32 {
		return m.Bits(0x80000000)
	}
	return m.Bits(0x8000000000000000)
}

// Instruction tables.

type vmCtor func(ops ...operand.Op) (*ir.Instruction, error)

type vmOps struct {
	add, sub, mul, div, min, max, and, or, xor, movu, mova, cmp   vmCtor
	fmadd213, fmadd231, fnmadd213, fnmadd231, fnmsub231, fmsub231 vmCtor
	blendv                                                        func(a, b, c, d operand.Op) (*ir.Instruction, error)
	iadd, isub, isrl, isll                                        vmCtor
}

var vmOpsPD = vmOps{
	add: x86.VADDPD, sub: x86.VSUBPD, mul: x86.VMULPD, div: x86.VDIVPD,
	min: x86.VMINPD, max: x86.VMAXPD, and: x86.VANDPD, or: x86.VORPD, xor: x86.VXORPD,
	movu: x86.VMOVUPD, mova: x86.VMOVAPD, cmp: x86.VCMPPD,
	fmadd213: x86.VFMADD213PD, fmadd231: x86.VFMADD231PD, fnmadd213: x86.VFNMADD213PD, fnmadd231: x86.VFNMADD231PD,
	fnmsub231: x86.VFNMSUB231PD, fmsub231: x86.VFMSUB231PD,
	blendv: x86.VBLENDVPD,
	iadd:   x86.VPADDQ, isub: x86.VPSUBQ, isrl: x86.VPSRLQ, isll: x86.VPSLLQ,
}

var vmOpsPS = vmOps{
	add: x86.VADDPS, sub: x86.VSUBPS, mul: x86.VMULPS, div: x86.VDIVPS,
	min: x86.VMINPS, max: x86.VMAXPS, and: x86.VANDPS, or: x86.VORPS, xor: x86.VXORPS,
	movu: x86.VMOVUPS, mova: x86.VMOVAPS, cmp: x86.VCMPPS,
	fmadd213: x86.VFMADD213PS, fmadd231: x86.VFMADD231PS, fnmadd213: x86.VFNMADD213PS, fnmadd231: x86.VFNMADD231PS,
	fnmsub231: x86.VFNMSUB231PS, fmsub231: x86.VFMSUB231PS,
	blendv: x86.VBLENDVPS,
	iadd:   x86.VPADDD, isub: x86.VPSUBD, isrl: x86.VPSRLD, isll: x86.VPSLLD,
}

// Comparison predicates (ordered, non-signalling).
const (
	vmCmpLT = 0x11 // LT_OQ
	vmCmpLE = 0x12 // LE_OQ
	vmCmpGT = 0x1e // GT_OQ
)

// emit adds an instruction, refusing anything that needs AVX-512.
func (m *Math) emit(i *ir.Instruction, err error) {
	if err != nil {
		panic("asm: vecmath: " + err.Error())
	}
	for _, isa := range i.ISA {
		if strings.HasPrefix(isa, "AVX512") {
			panic(fmt.Sprintf("asm: vecmath: %s needs %s", i.Opcode, isa))
		}
	}
	m.b.Instruction(i)
}

func (m *Math) newv() reg.VecVirtual { return m.b.YMM() }

// load returns a fresh register holding src (a register or 32-byte memory).
func (m *Math) load(src operand.Op) reg.VecVirtual {
	d := m.newv()
	if _, ok := src.(operand.Mem); ok {
		m.emit(m.op.movu(src, d))
	} else {
		m.emit(m.op.mova(src, d))
	}
	return d
}

// bin returns x op y (y may be memory) in a fresh register.
func (m *Math) bin(c vmCtor, x, y operand.Op) reg.VecVirtual {
	d := m.newv()
	m.emit(c(y, x, d))
	return d
}

func (m *Math) add(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.add, x, y) }
func (m *Math) sub(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.sub, x, y) }
func (m *Math) mul(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.mul, x, y) }
func (m *Math) div(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.div, x, y) }
func (m *Math) min(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.min, x, y) }
func (m *Math) max(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.max, x, y) }
func (m *Math) and(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.and, x, y) }
func (m *Math) xor(x, y operand.Op) reg.VecVirtual { return m.bin(m.op.xor, x, y) }

// cmp returns the lane mask x pred y.
func (m *Math) cmp(pred int, x, y operand.Op) reg.VecVirtual {
	d := m.newv()
	m.emit(m.op.cmp(operand.Imm(uint64(pred)), y, x, d))
	return d
}

// blend returns mask ? a : b lane-wise (by the sign bit of mask's lanes); a
// may be memory.
func (m *Math) blend(mask, a, b operand.Op) reg.VecVirtual {
	d := m.newv()
	m.emit(m.op.blendv(mask, a, b, d))
	return d
}

// fmaAcc sets acc = a*b + acc (a may be memory).
func (m *Math) fmaAcc(a, b operand.Op, acc reg.Register) { m.emit(m.op.fmadd231(a, b, acc)) }

// fnmaAcc sets acc = acc - a*b (a may be memory).
func (m *Math) fnmaAcc(a, b operand.Op, acc reg.Register) { m.emit(m.op.fnmadd231(a, b, acc)) }

// horner sets p = x*p + c (c may be memory).
func (m *Math) hornerStep(c, x operand.Op, p reg.Register) { m.emit(m.op.fmadd213(c, x, p)) }

// Abs returns |x|.
func (m *Math) Abs(x reg.Register) reg.VecVirtual { return m.and(x, m.absMask()) }

// poly returns c[0] + c[1]*x + ... + c[n-1]*x^(n-1), n >= 2: Horner's rule,
// or for n >= vmSplitPoly the sum of two Horner chains in x^2 (even and odd
// coefficients), which halves the latency for two more instructions and
// two more live registers.
func (m *Math) poly(x reg.Register, c []float64) reg.VecVirtual {
	if len(c) < vmSplitPoly {
		return m.horner(x, c)
	}
	x2 := m.mul(x, x)
	var even, odd []float64
	for i, v := range c {
		if i%2 == 0 {
			even = append(even, v)
		} else {
			odd = append(odd, v)
		}
	}
	e := m.horner(x2, even)
	o := m.horner(x2, odd)
	m.fmaAcc(o, x, e)
	return e
}

// vmSplitPoly is the length from which poly evaluates two chains.
const vmSplitPoly = 9

func (m *Math) horner(x reg.Register, c []float64) reg.VecVirtual {
	n := len(c)
	if n == 1 {
		return m.load(m.Const(c[0]))
	}
	p := m.load(m.Const(c[n-2]))
	m.fmaAcc(m.Const(c[n-1]), x, p)
	for k := n - 3; k >= 0; k-- {
		m.hornerStep(m.Const(c[k]), x, p)
	}
	return p
}
