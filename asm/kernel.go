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
// processes at once (one row per YMM lane); an AVX-512 kernel takes twice
// as many (one per ZMM lane).
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
	wide   bool          // emitting AVX-512 (ZMM) functions
	v      *vecmath.Math // the current element type's and width's
	maths  map[mathKey]*vecmath.Math
	consts *avx2.Pool
	labels int

	// beta and lambda are the broadcast run-time parameters of the current
	// function (memory operands in its frame), valid after params; beta64
	// and lambda64 are the same as float64 lanes (float32 kernels compute
	// their weights in float64).
	beta, lambda     operand.Mem
	beta64, lambda64 operand.Mem
}

type mathKey struct {
	elem plan.Elem
	wide bool
}

func newBuilder(e plan.Elem) *kbuilder {
	ctx := build.NewContext()
	consts := avx2.NewPool(ctx)
	k := &kbuilder{Context: ctx, consts: consts, maths: map[mathKey]*vecmath.Math{}}
	for _, el := range []plan.Elem{plan.Float32, plan.Float64} {
		k.maths[mathKey{el, false}] = vecmath.New(ctx, consts, el)
		k.maths[mathKey{el, true}] = vecmath.NewWide(ctx, consts, el)
	}
	k.setElem(e)
	return k
}

// setElem switches the element type being emitted.
func (k *kbuilder) setElem(e plan.Elem) {
	k.elem, k.v = e, k.maths[mathKey{e, k.wide}]
}

// setWide switches between AVX2 (YMM) and AVX-512 (ZMM) functions.
func (k *kbuilder) setWide(wide bool) {
	k.wide = wide
	k.setElem(k.elem)
}

// prefix starts the names of the current level's functions.
func (k *kbuilder) prefix() string {
	if k.wide {
		return "avx512"
	}
	return "avx2"
}

// vreg returns a fresh vector register of the current width.
func (k *kbuilder) vreg() reg.VecVirtual { return k.v.Reg() }

// rb is the width of a vector register and so of a lane-major row.
func (k *kbuilder) rb() int { return k.v.RegBytes() }

// rowShift is log2(rb()), to turn row indices into byte offsets.
func (k *kbuilder) rowShift() operand.U8 {
	if k.wide {
		return 6
	}
	return 5
}

// lanes is the number of rows of a block at the current width.
func (k *kbuilder) lanes() int { return k.v.Lanes() }

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
// element type, broadcasts them and keeps them in registers' width of the frame each:
// k.beta and k.lambda are memory operands usable by any vector instruction.
func (k *kbuilder) params(betaArg, lambdaArg string) {
	slots := 2
	if k.f32() {
		slots = 4
	}
	local := k.AllocLocal(slots * k.rb())
	k.beta, k.lambda = local, local.Offset(k.rb())
	k.beta64, k.lambda64 = k.beta, k.lambda
	if k.f32() {
		k.beta64, k.lambda64 = local.Offset(2*k.rb()), local.Offset(3*k.rb())
	}
	for i, name := range []string{betaArg, lambdaArg} {
		src := k.argAddr(name)
		y := k.vreg()
		k.VBROADCASTSD(src, y)
		if !k.f32() {
			k.VMOVUPD(y, local.Offset(i*k.rb()))
			continue
		}
		k.VMOVUPD(y, local.Offset((2+i)*k.rb()))
		x := k.XMM()
		k.VMOVSD(src, x)
		k.VCVTSD2SS(x, x, x)
		k.VBROADCASTSS(x, y)
		k.VMOVUPS(y, local.Offset(i*k.rb()))
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

// function starts the assembly function of the current level named
// k.prefix()+stem, with the given Go signature (without the func keyword's
// name), no local frame beyond what the body allocates, NOSPLIT, and a
// //go:noescape stub; doc is its comment, after the name.
func (k *kbuilder) function(stem, sig, doc string) {
	name := k.prefix() + stem
	k.Function(name)
	k.Attributes(attr.NOSPLIT)
	k.SignatureExpr("func" + sig)
	k.Pragma("noescape")
	k.Doc(name + " " + doc)
}

// print compiles the built file and prints the assembly and the stubs.
func (k *kbuilder) print(pkg string) (asm, stubs []byte, err error) {
	return avx2.Assemble(k.Context, pkg, gen.Header)
}
