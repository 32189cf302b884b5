package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/asm/vecmath"
	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
)

// Lanes is the number of batch rows an AVX2 kernel of element type e
// processes at once (one row per YMM lane).
func Lanes(e plan.Elem) int {
	if e == plan.Float32 {
		return 8
	}
	return 4
}

// kbuilder wraps an avo build context with the vector instructions and
// math of the element type being emitted (float64 while a float32 kernel
// computes its weights), on the context's one constant pool.
type kbuilder struct {
	*build.Context
	elem   plan.Elem
	v      *vecmath.Math // the current element type's
	maths  map[plan.Elem]*vecmath.Math
	consts *avx2.Pool
	labels int

	// beta and lambda are the broadcast run-time parameters of the current
	// function (memory operands in its frame), valid after params; beta64
	// and lambda64 are the same as float64 lanes (float32 kernels compute
	// their weights in float64).
	beta, lambda     operand.Mem
	beta64, lambda64 operand.Mem
}

func newBuilder(e plan.Elem) *kbuilder {
	ctx := build.NewContext()
	consts := avx2.NewPool(ctx)
	k := &kbuilder{Context: ctx, consts: consts, maths: map[plan.Elem]*vecmath.Math{
		plan.Float32: vecmath.New(ctx, consts, plan.Float32),
		plan.Float64: vecmath.New(ctx, consts, plan.Float64),
	}}
	k.setElem(e)
	return k
}

// setElem switches the element type being emitted.
func (k *kbuilder) setElem(e plan.Elem) {
	k.elem, k.v = e, k.maths[e]
}

// f32 reports whether the kernels are float32.
func (k *kbuilder) f32() bool { return k.elem == plan.Float32 }

// size is the element size in bytes.
func (k *kbuilder) size() int { return k.v.Size() }

// goType is the Go name of the element type.
func (k *kbuilder) goType() string { return k.elem.String() }

// label returns a fresh label name with the given stem.
func (k *kbuilder) label(stem string) string {
	k.labels++
	return fmt.Sprintf("%s_%d", stem, k.labels)
}

// params loads the float64 arguments beta and lambda, converts them to the
// element type, broadcasts them and keeps them in 64 bytes of the frame:
// k.beta and k.lambda are memory operands usable by any vector instruction.
func (k *kbuilder) params(betaArg, lambdaArg string) {
	slots := 2
	if k.f32() {
		slots = 4
	}
	local := k.AllocLocal(slots * avx2.LaneBytes)
	k.beta, k.lambda = local, local.Offset(avx2.LaneBytes)
	k.beta64, k.lambda64 = k.beta, k.lambda
	if k.f32() {
		k.beta64, k.lambda64 = local.Offset(2*avx2.LaneBytes), local.Offset(3*avx2.LaneBytes)
	}
	for i, name := range []string{betaArg, lambdaArg} {
		src := k.argAddr(name)
		y := k.YMM()
		k.VBROADCASTSD(src, y)
		if !k.f32() {
			k.VMOVUPD(y, local.Offset(i*avx2.LaneBytes))
			continue
		}
		k.VMOVUPD(y, local.Offset((2+i)*avx2.LaneBytes))
		x := k.XMM()
		k.VMOVSD(src, x)
		k.VCVTSD2SS(x, x, x)
		k.VBROADCASTSS(x, y)
		k.VMOVUPS(y, local.Offset(i*avx2.LaneBytes))
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
