package asm

import (
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
)

// laneBytes is the width of one lane-major row: a YMM register, 8 float32
// or 4 float64 lanes.
const laneBytes = 32

// Lanes is the number of batch rows an AVX2 kernel of element type e
// processes at once (one row per YMM lane).
func Lanes(e plan.Elem) int {
	if e == plan.Float32 {
		return 8
	}
	return 4
}

// kbuilder wraps an avo build context with the element type of the kernels
// being built, a pool of vector constants and type-generic vector helpers.
type kbuilder struct {
	*build.Context
	elem   plan.Elem
	consts map[uint64]operand.Mem
	labels int

	// beta and lambda are the broadcast run-time parameters of the current
	// function (memory operands in its frame), valid after params; beta64
	// and lambda64 are the same as float64 lanes (float32 kernels compute
	// their weights in float64).
	beta, lambda     operand.Mem
	beta64, lambda64 operand.Mem

	maths map[plan.Elem]*Math // vecmath emitters, per element type
}

// math returns the vecmath emitter of the current element type.
func (k *kbuilder) math() *Math {
	if k.maths == nil {
		k.maths = map[plan.Elem]*Math{}
	}
	m, ok := k.maths[k.elem]
	if !ok {
		m = NewMath(k.Context, k.elem)
		k.maths[k.elem] = m
	}
	return m
}

func newBuilder(e plan.Elem) *kbuilder {
	return &kbuilder{Context: build.NewContext(), elem: e, consts: map[uint64]operand.Mem{}}
}

// f32 reports whether the kernels are float32.
func (k *kbuilder) f32() bool { return k.elem == plan.Float32 }

// size is the element size in bytes.
func (k *kbuilder) size() int {
	if k.f32() {
		return 4
	}
	return 8
}

// goType is the Go name of the element type.
func (k *kbuilder) goType() string { return k.elem.String() }

// label returns a fresh label name with the given stem.
func (k *kbuilder) label(stem string) string {
	k.labels++
	return fmt.Sprintf("%s_%d", stem, k.labels)
}

// vconst returns a 32-byte read-only vector constant with every lane v
// (rounded to the element type). Constants are shared within a file.
func (k *kbuilder) vconst(v float64) operand.Mem {
	var bits uint64
	if k.f32() {
		bits = uint64(math.Float32bits(float32(v)))
	} else {
		bits = math.Float64bits(v)
	}
	return k.vconstBits(bits)
}

// vconstBits is vconst of a raw lane bit pattern (for masks).
func (k *kbuilder) vconstBits(bits uint64) operand.Mem {
	if m, ok := k.consts[bits]; ok {
		return m
	}
	name := fmt.Sprintf("sgk_%s_%x", k.goType(), bits)
	m := k.StaticGlobal(name)
	k.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < laneBytes/8; i++ {
		if k.f32() {
			k.AppendDatum(operand.U64(bits | bits<<32))
		} else {
			k.AppendDatum(operand.U64(bits))
		}
	}
	k.consts[bits] = m
	return m
}

// absMask clears the sign bit of every lane when and-ed.
func (k *kbuilder) absMask() operand.Mem {
	if k.f32() {
		return k.vconstBits(0x7fffffff)
	}
	return k.vconstBits(0x7fffffffffffffff)
}

// Type-generic vector instructions, in Go assembler operand order
// (sources first, destination last; for three-operand forms "src2, src1, dst"
// computes dst = src1 op src2).

func (k *kbuilder) vload(m, r operand.Op) {
	if k.f32() {
		k.VMOVUPS(m, r)
	} else {
		k.VMOVUPD(m, r)
	}
}

func (k *kbuilder) vstore(r, m operand.Op) { k.vload(r, m) }

func (k *kbuilder) vadd(s2, s1, d operand.Op) {
	if k.f32() {
		k.VADDPS(s2, s1, d)
	} else {
		k.VADDPD(s2, s1, d)
	}
}

func (k *kbuilder) vsub(s2, s1, d operand.Op) {
	if k.f32() {
		k.VSUBPS(s2, s1, d)
	} else {
		k.VSUBPD(s2, s1, d)
	}
}

func (k *kbuilder) vmul(s2, s1, d operand.Op) {
	if k.f32() {
		k.VMULPS(s2, s1, d)
	} else {
		k.VMULPD(s2, s1, d)
	}
}

func (k *kbuilder) vdiv(s2, s1, d operand.Op) {
	if k.f32() {
		k.VDIVPS(s2, s1, d)
	} else {
		k.VDIVPD(s2, s1, d)
	}
}

// vfma231 computes d = s1*s2 + d.
func (k *kbuilder) vfma231(s2, s1, d operand.Op) {
	if k.f32() {
		k.VFMADD231PS(s2, s1, d)
	} else {
		k.VFMADD231PD(s2, s1, d)
	}
}

func (k *kbuilder) vand(s2, s1, d operand.Op) {
	if k.f32() {
		k.VANDPS(s2, s1, d)
	} else {
		k.VANDPD(s2, s1, d)
	}
}

func (k *kbuilder) vxor(s2, s1, d operand.Op) {
	if k.f32() {
		k.VXORPS(s2, s1, d)
	} else {
		k.VXORPD(s2, s1, d)
	}
}

// Comparison predicates of VCMPPS/VCMPPD.
const (
	cmpLT = 0x01 // LT_OS
	cmpLE = 0x02 // LE_OS
	cmpGT = 0x0e // GT_OS
)

// vcmp sets every bit of a lane of d where s1 pred s2 holds.
func (k *kbuilder) vcmp(pred uint8, s2, s1, d operand.Op) {
	if k.f32() {
		k.VCMPPS(operand.U8(pred), s2, s1, d)
	} else {
		k.VCMPPD(operand.U8(pred), s2, s1, d)
	}
}

// vblend computes d = mask ? s2 : s1 lane-wise.
func (k *kbuilder) vblend(mask, s2, s1, d operand.Op) {
	if k.f32() {
		k.VBLENDVPS(mask, s2, s1, d)
	} else {
		k.VBLENDVPD(mask, s2, s1, d)
	}
}

// vclampMax clamps every lane of r to [-math.MaxFloat64, math.MaxFloat64]
// in float64 (an infinite difference of finite values becomes finite); the
// kernel must be emitting float64 (k.elem), as every weight layer does.
func (k *kbuilder) vclampMax(r reg.VecVirtual) {
	k.VMINPD(k.vconst(math.MaxFloat64), r, r)
	k.VMAXPD(k.vconst(-math.MaxFloat64), r, r)
}

// ymm allocates a virtual YMM register.
func (k *kbuilder) ymm() reg.VecVirtual { return k.YMM() }

// params loads the float64 arguments beta and lambda, converts them to the
// element type, broadcasts them and keeps them in 64 bytes of the frame:
// k.beta and k.lambda are memory operands usable by any vector instruction.
func (k *kbuilder) params(betaArg, lambdaArg string) {
	slots := 2
	if k.f32() {
		slots = 4
	}
	local := k.AllocLocal(slots * laneBytes)
	k.beta, k.lambda = local, local.Offset(laneBytes)
	k.beta64, k.lambda64 = k.beta, k.lambda
	if k.f32() {
		k.beta64, k.lambda64 = local.Offset(2*laneBytes), local.Offset(3*laneBytes)
	}
	for i, name := range []string{betaArg, lambdaArg} {
		src := k.argAddr(name)
		y := k.ymm()
		k.VBROADCASTSD(src, y)
		if !k.f32() {
			k.VMOVUPD(y, local.Offset(i*laneBytes))
			continue
		}
		k.VMOVUPD(y, local.Offset((2+i)*laneBytes))
		x := k.XMM()
		k.VMOVSD(src, x)
		k.VCVTSD2SS(x, x, x)
		k.VBROADCASTSS(x, y)
		k.VMOVUPS(y, local.Offset(i*laneBytes))
	}
}

// argAddr is the frame address of a scalar argument.
func (k *kbuilder) argAddr(name string) operand.Mem {
	b, err := k.Param(name).Resolve()
	if err != nil {
		panic(fmt.Sprintf("asm: argument %s: %v", name, err))
	}
	return b.Addr
}

// loadArg loads a pointer or integer argument into a new GP register.
func (k *kbuilder) loadArg(name string) reg.GPVirtual {
	r := k.GP64()
	k.MOVQ(k.argAddr(name), r)
	return r
}

// function starts an assembly function with the given Go signature
// (without the func keyword's name), no local frame beyond what the body
// allocates, NOSPLIT, and a //go:noescape stub.
func (k *kbuilder) function(name, sig string, doc ...string) {
	k.Function(name)
	k.Attributes(attr.NOSPLIT)
	k.SignatureExpr("func" + sig)
	k.Pragma("noescape")
	k.Doc(doc...)
}

// print compiles the built file and prints the assembly and the stubs.
func (k *kbuilder) print(pkg string) (asm, stubs []byte, err error) {
	return avx2.Assemble(k.Context, pkg, gen.Header)
}
