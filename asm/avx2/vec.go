package avx2

import (
	"fmt"
	"strings"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
	"github.com/mmcloughlin/avo/x86"

	"github.com/sortgen/sortgen/gen/plan"
)

// LaneBytes is the width of a YMM register, ZMMBytes of a ZMM register.
const (
	LaneBytes = 32
	ZMMBytes  = 64
)

// A Vec emits the vector instructions of one element type (float32: 8
// lanes, VxxxPS; float64: 4 lanes, VxxxPD) into an avo build context, with
// the constants of a Pool. Operands are in Go assembler order, sources
// first and destination last: Sub(s2, s1, d) sets d = s1 - s2; s2 may be
// memory. A Vec panics on operands avo rejects and on any instruction that
// needs AVX-512: both are errors of the emitting code, not of its input.
//
// A wide Vec (NewWide) emits the same operations on ZMM registers (16
// float32 or 8 float64 lanes) with AVX-512F and DQ, for functions whose
// names contain "avx512" (the only ones the allocator gives Z and K
// registers). Its comparisons write an opmask register, which blends use
// directly; the vector form of a mask is materialised only where other
// instructions read it.
type Vec struct {
	ctx    *build.Context
	elem   plan.Elem
	op     *ops
	consts *Pool
	wide   bool
	// masks maps a comparison's destination (wide only) to the opmask it
	// was computed into, and whether the vector form has been written.
	masks map[reg.ID]*wideMask
}

type wideMask struct {
	k      reg.Virtual
	vector reg.Register
	done   bool
}

// New returns the emitter of element type e into ctx, taking its
// constants from consts (which must belong to ctx).
func New(ctx *build.Context, consts *Pool, e plan.Elem) *Vec {
	return newVec(ctx, consts, e, false)
}

// NewWide is New for ZMM registers (AVX-512).
func NewWide(ctx *build.Context, consts *Pool, e plan.Elem) *Vec {
	return newVec(ctx, consts, e, true)
}

func newVec(ctx *build.Context, consts *Pool, e plan.Elem, wide bool) *Vec {
	v := &Vec{ctx: ctx, elem: e, consts: consts, wide: wide, masks: map[reg.ID]*wideMask{}}
	switch e {
	case plan.Float64:
		v.op = &opsPD
	case plan.Float32:
		v.op = &opsPS
	default:
		panic(fmt.Sprintf("avx2: New: unknown element type %v", e))
	}
	return v
}

// Elem is the element type of v.
func (v *Vec) Elem() plan.Elem { return v.elem }

// Wide reports whether v emits ZMM (AVX-512) code.
func (v *Vec) Wide() bool { return v.wide }

// RegBytes is the width of v's registers: LaneBytes or ZMMBytes.
func (v *Vec) RegBytes() int {
	if v.wide {
		return ZMMBytes
	}
	return LaneBytes
}

// Lanes is the number of elements per register.
func (v *Vec) Lanes() int { return v.RegBytes() / v.Size() }

// Size is the element size in bytes.
func (v *Vec) Size() int {
	if v.elem == plan.Float32 {
		return 4
	}
	return 8
}

// Reg returns a fresh virtual register: YMM, or ZMM for a wide Vec.
func (v *Vec) Reg() reg.VecVirtual {
	if v.wide {
		return v.ctx.ZMM()
	}
	return v.ctx.YMM()
}

// Comment adds comment lines to the code.
func (v *Vec) Comment(lines ...string) { v.ctx.Comment(lines...) }

// Const returns the vector constant with every lane v (rounded to the
// element type): a memory operand.
func (v *Vec) Const(x float64) operand.Mem { return v.consts.Float(v.elem, x) }

// Bits returns the vector constant with every lane the bit pattern bits
// (the low 32 bits for float32).
func (v *Vec) Bits(bits uint64) operand.Mem { return v.consts.Bits(v.elem, bits) }

// AbsMask clears the sign bit of every lane when and-ed.
func (v *Vec) AbsMask() operand.Mem {
	if v.elem == plan.Float32 {
		return v.Bits(0x7fffffff)
	}
	return v.Bits(0x7fffffffffffffff)
}

// SignMask keeps only the sign bit of every lane when and-ed.
func (v *Vec) SignMask() operand.Mem {
	if v.elem == plan.Float32 {
		return v.Bits(0x80000000)
	}
	return v.Bits(0x8000000000000000)
}

// A Predicate is a comparison of Cmp: ordered and non-signalling, so a NaN
// operand makes it false and raises no exception.
type Predicate uint8

// The predicates the module's kernels use.
const (
	LT Predicate = 0x11 // LT_OQ
	LE Predicate = 0x12 // LE_OQ
	GT Predicate = 0x1e // GT_OQ
)

type ctor func(ops ...operand.Op) (*ir.Instruction, error)

type ops struct {
	add, sub, mul, div, min, max, and, or, xor, movu, mova, cmp   ctor
	fmadd213, fmadd231, fnmadd213, fnmadd231, fnmsub231, fmsub231 ctor
	blendv                                                        func(a, b, c, d operand.Op) (*ir.Instruction, error)
	iadd, isub, isrl, isll                                        ctor
	// AVX-512: blend under an opmask, opmask to and from lane masks.
	blendm    ctor
	maskToVec func(k, v operand.Op) (*ir.Instruction, error)
	vecToMask func(v, k operand.Op) (*ir.Instruction, error)
}

var opsPD = ops{
	add: x86.VADDPD, sub: x86.VSUBPD, mul: x86.VMULPD, div: x86.VDIVPD,
	min: x86.VMINPD, max: x86.VMAXPD, and: x86.VANDPD, or: x86.VORPD, xor: x86.VXORPD,
	movu: x86.VMOVUPD, mova: x86.VMOVAPD, cmp: x86.VCMPPD,
	fmadd213: x86.VFMADD213PD, fmadd231: x86.VFMADD231PD, fnmadd213: x86.VFNMADD213PD, fnmadd231: x86.VFNMADD231PD,
	fnmsub231: x86.VFNMSUB231PD, fmsub231: x86.VFMSUB231PD,
	blendv: x86.VBLENDVPD,
	iadd:   x86.VPADDQ, isub: x86.VPSUBQ, isrl: x86.VPSRLQ, isll: x86.VPSLLQ,
	blendm: x86.VBLENDMPD, maskToVec: x86.VPMOVM2Q, vecToMask: x86.VPMOVQ2M,
}

var opsPS = ops{
	add: x86.VADDPS, sub: x86.VSUBPS, mul: x86.VMULPS, div: x86.VDIVPS,
	min: x86.VMINPS, max: x86.VMAXPS, and: x86.VANDPS, or: x86.VORPS, xor: x86.VXORPS,
	movu: x86.VMOVUPS, mova: x86.VMOVAPS, cmp: x86.VCMPPS,
	fmadd213: x86.VFMADD213PS, fmadd231: x86.VFMADD231PS, fnmadd213: x86.VFNMADD213PS, fnmadd231: x86.VFNMADD231PS,
	fnmsub231: x86.VFNMSUB231PS, fmsub231: x86.VFMSUB231PS,
	blendv: x86.VBLENDVPS,
	iadd:   x86.VPADDD, isub: x86.VPSUBD, isrl: x86.VPSRLD, isll: x86.VPSLLD,
	blendm: x86.VBLENDMPS, maskToVec: x86.VPMOVM2D, vecToMask: x86.VPMOVD2M,
}

// emit adds an instruction, refusing anything that needs AVX-512 unless
// v is wide. A wide Vec first writes the vector form of any comparison
// result the instruction reads, and forgets the opmask of any it
// overwrites.
func (v *Vec) emit(i *ir.Instruction, err error) {
	i = must(i, err)
	if !v.wide {
		for _, isa := range i.ISA {
			if strings.HasPrefix(isa, "AVX512") {
				panic(fmt.Sprintf("avx2: %s needs %s", i.Opcode, isa))
			}
		}
	} else {
		for _, r := range i.InputRegisters() {
			if m, ok := v.masks[r.ID()]; ok && !m.done {
				m.done = true
				v.ctx.Instruction(must(v.op.maskToVec(m.k, m.vector)))
			}
		}
		for _, r := range i.OutputRegisters() {
			delete(v.masks, r.ID())
		}
	}
	v.ctx.Instruction(i)
}

func must(i *ir.Instruction, err error) *ir.Instruction {
	if err != nil {
		panic("avx2: " + err.Error())
	}
	return i
}

// opmask returns the opmask register holding the lane mask m (wide only):
// the comparison's own, or m's sign bits moved into a fresh one.
func (v *Vec) opmask(m operand.Op) reg.Virtual {
	if r, ok := m.(reg.Register); ok {
		if wm, ok := v.masks[r.ID()]; ok {
			return wm.k
		}
	}
	k := v.ctx.K()
	v.emit(v.op.vecToMask(m, k))
	return k
}

// MovU copies a register or a register's width of memory to a register or memory
// (VMOVUPS/VMOVUPD).
func (v *Vec) MovU(src, dst operand.Op) { v.emit(v.op.movu(src, dst)) }

// MovA copies a register to a register (VMOVAPS/VMOVAPD).
func (v *Vec) MovA(src, dst operand.Op) { v.emit(v.op.mova(src, dst)) }

// Add sets d = s1 + s2.
func (v *Vec) Add(s2, s1, d operand.Op) { v.emit(v.op.add(s2, s1, d)) }

// Sub sets d = s1 - s2.
func (v *Vec) Sub(s2, s1, d operand.Op) { v.emit(v.op.sub(s2, s1, d)) }

// Mul sets d = s1 * s2.
func (v *Vec) Mul(s2, s1, d operand.Op) { v.emit(v.op.mul(s2, s1, d)) }

// Div sets d = s1 / s2.
func (v *Vec) Div(s2, s1, d operand.Op) { v.emit(v.op.div(s2, s1, d)) }

// Min sets d = min(s1, s2): s2 where either is NaN or both are zeros.
func (v *Vec) Min(s2, s1, d operand.Op) { v.emit(v.op.min(s2, s1, d)) }

// Max sets d = max(s1, s2): s2 where either is NaN or both are zeros.
func (v *Vec) Max(s2, s1, d operand.Op) { v.emit(v.op.max(s2, s1, d)) }

// And sets d = s1 & s2 bitwise.
func (v *Vec) And(s2, s1, d operand.Op) { v.emit(v.op.and(s2, s1, d)) }

// Or sets d = s1 | s2 bitwise.
func (v *Vec) Or(s2, s1, d operand.Op) { v.emit(v.op.or(s2, s1, d)) }

// Xor sets d = s1 ^ s2 bitwise.
func (v *Vec) Xor(s2, s1, d operand.Op) { v.emit(v.op.xor(s2, s1, d)) }

// FMAdd231 sets d = s1*s2 + d, rounded once.
func (v *Vec) FMAdd231(s2, s1, d operand.Op) { v.emit(v.op.fmadd231(s2, s1, d)) }

// FMAdd213 sets d = s1*d + s2, rounded once.
func (v *Vec) FMAdd213(s2, s1, d operand.Op) { v.emit(v.op.fmadd213(s2, s1, d)) }

// FNMAdd231 sets d = d - s1*s2, rounded once.
func (v *Vec) FNMAdd231(s2, s1, d operand.Op) { v.emit(v.op.fnmadd231(s2, s1, d)) }

// FNMAdd213 sets d = s2 - s1*d, rounded once.
func (v *Vec) FNMAdd213(s2, s1, d operand.Op) { v.emit(v.op.fnmadd213(s2, s1, d)) }

// FMSub231 sets d = s1*s2 - d, rounded once.
func (v *Vec) FMSub231(s2, s1, d operand.Op) { v.emit(v.op.fmsub231(s2, s1, d)) }

// FNMSub231 sets d = -(s1*s2) - d, rounded once.
func (v *Vec) FNMSub231(s2, s1, d operand.Op) { v.emit(v.op.fnmsub231(s2, s1, d)) }

// Cmp sets every bit of a lane of d where s1 pred s2 holds, and clears it
// elsewhere.
func (v *Vec) Cmp(pred Predicate, s2, s1, d operand.Op) {
	if !v.wide {
		v.emit(v.op.cmp(operand.Imm(uint64(pred)), s2, s1, d))
		return
	}
	dr, ok := d.(reg.Register)
	if !ok {
		panic("avx2: Cmp into memory")
	}
	k := v.ctx.K()
	v.emit(v.op.cmp(operand.Imm(uint64(pred)), s2, s1, k))
	v.masks[dr.ID()] = &wideMask{k: k, vector: dr}
}

// BlendV sets d = s2 where the sign bit of mask's lane is set, s1
// elsewhere.
func (v *Vec) BlendV(mask, s2, s1, d operand.Op) {
	if !v.wide {
		v.emit(v.op.blendv(mask, s2, s1, d))
		return
	}
	v.emit(v.op.blendm(s2, s1, v.opmask(mask), d))
}

// IAdd sets d = s1 + s2 on the lanes as integers of the element size.
func (v *Vec) IAdd(s2, s1, d operand.Op) { v.emit(v.op.iadd(s2, s1, d)) }

// ISub sets d = s1 - s2 on the lanes as integers of the element size.
func (v *Vec) ISub(s2, s1, d operand.Op) { v.emit(v.op.isub(s2, s1, d)) }

// IShiftRight sets d = s >> n (logical) on the lanes as integers.
func (v *Vec) IShiftRight(n uint64, s, d operand.Op) { v.emit(v.op.isrl(operand.Imm(n), s, d)) }

// IShiftLeft sets d = s << n on the lanes as integers.
func (v *Vec) IShiftLeft(n uint64, s, d operand.Op) { v.emit(v.op.isll(operand.Imm(n), s, d)) }
