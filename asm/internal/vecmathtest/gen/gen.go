// Package gen builds the test kernels of package vecmathtest with the
// vector-math emitters of package asm: one assembly function per routine
// and element type, looping over its slices a YMM register at a time
// (lengths must be multiples of 4 float64 or 8 float32 lanes).
//
//	expF64(dst, src []float64)          exp, log, atan, erf, sigmoid; F32 too
//	alphaLogisticF64(alpha, slope, d []float64, beta, lambda float64)
//	alphaOnlyLogisticF64(alpha, d []float64, beta, lambda float64)
//
// The alpha kernels pass beta to asm.Math.Alpha as a memory operand (a
// broadcast in the frame) and lambda as a register, the two forms callers
// use.
package gen

import (
	"fmt"
	"strings"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/buildtags"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm"
	"github.com/sortgen/sortgen/gen/plan"
)

// Names of the generated files.
const (
	FileAsm   = "kernels_amd64.s"
	FileStubs = "kernels_amd64.go"
)

// Unary lists the one-argument routines, in kernel-name form.
var Unary = []string{"exp", "log", "atan", "erf", "sigmoid"}

// Suffix is the kernel-name suffix of an element type.
func Suffix(e plan.Elem) string {
	if e == plan.Float32 {
		return "F32"
	}
	return "F64"
}

// FuncName is the kernel-name form of a swap function (LogisticPhi for
// logistic_phi).
func FuncName(f plan.Func) string {
	var b strings.Builder
	for _, w := range strings.Split(f.String(), "_") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// Files returns the generated files by name.
func Files() (map[string][]byte, error) {
	ctx := build.NewContext()
	ctx.Package("github.com/sortgen/sortgen/asm/internal/vecmathtest")
	c, err := buildtags.ParseConstraint("!purego")
	if err != nil {
		return nil, err
	}
	ctx.Constraint(c)
	for _, e := range []plan.Elem{plan.Float64, plan.Float32} {
		m := asm.NewMath(ctx, e)
		k := kernels{ctx: ctx, m: m, e: e}
		for _, name := range Unary {
			k.unary(name)
		}
		for _, f := range plan.SoftFuncs {
			k.alpha(f, true)
			k.alpha(f, false)
		}
	}
	f, err := ctx.Result()
	if err != nil {
		return nil, err
	}
	if err := asm.CompileAVX2(f); err != nil {
		return nil, err
	}
	cfg := printer.Config{Argv: []string{"go", "run", "generate.go"}, Pkg: "vecmathtest"}
	src, err := printer.NewGoAsm(cfg).Print(f)
	if err != nil {
		return nil, err
	}
	stubs, err := printer.NewStubs(cfg).Print(f)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{FileAsm: src, FileStubs: stubs}, nil
}

type kernels struct {
	ctx *build.Context
	m   *asm.Math
	e   plan.Elem
}

func (k *kernels) typ() string { return k.e.String() }

func (k *kernels) load(src, dst operand.Op) {
	if k.e == plan.Float32 {
		k.ctx.VMOVUPS(src, dst)
	} else {
		k.ctx.VMOVUPD(src, dst)
	}
}

func (k *kernels) broadcast(src, dst operand.Op) {
	if k.e == plan.Float32 {
		k.ctx.VBROADCASTSS(src, dst)
	} else {
		k.ctx.VBROADCASTSD(src, dst)
	}
}

// loop emits the loop over n elements (a multiple of the lanes) of the
// slices at ptrs, calling body with the current pointers.
func (k *kernels) loop(name string, n reg.GPVirtual, ptrs []reg.GPVirtual, body func()) {
	ctx := k.ctx
	ctx.Label(name + "_loop")
	ctx.CMPQ(n, operand.Imm(0))
	ctx.JE(operand.LabelRef(name + "_done"))
	body()
	for _, p := range ptrs {
		ctx.ADDQ(operand.Imm(32), p)
	}
	ctx.SUBQ(operand.Imm(uint64(k.m.Lanes())), n)
	ctx.JMP(operand.LabelRef(name + "_loop"))
	ctx.Label(name + "_done")
	ctx.VZEROUPPER()
	ctx.RET()
}

func (k *kernels) unary(routine string) {
	ctx := k.ctx
	name := routine + Suffix(k.e)
	ctx.Function(name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(fmt.Sprintf("func(dst, src []%s)", k.typ()))
	ctx.Pragma("noescape")
	ctx.Doc(fmt.Sprintf("%s sets dst[i] = %s(src[i]) (len(src) a multiple of %d, len(dst) >= len(src)).", name, routine, k.m.Lanes()))
	dst := ctx.Load(ctx.Param("dst").Base(), ctx.GP64()).(reg.GPVirtual)
	src := ctx.Load(ctx.Param("src").Base(), ctx.GP64()).(reg.GPVirtual)
	n := ctx.Load(ctx.Param("src").Len(), ctx.GP64()).(reg.GPVirtual)
	k.loop(name, n, []reg.GPVirtual{dst, src}, func() {
		x := ctx.YMM()
		k.load(operand.Mem{Base: src}, x)
		var y reg.VecVirtual
		switch routine {
		case "exp":
			y = k.m.Exp(x)
		case "log":
			y = k.m.Log(x)
		case "atan":
			y = k.m.Atan(x)
		case "erf":
			y = k.m.Erf(x)
		case "sigmoid":
			y = k.m.Sigmoid(x)
		default:
			panic("unknown routine " + routine)
		}
		k.load(y, operand.Mem{Base: dst})
	})
}

func (k *kernels) alpha(f plan.Func, withSlope bool) {
	ctx := k.ctx
	T := k.typ()
	var name, sig string
	if withSlope {
		name = "alpha" + FuncName(f) + Suffix(k.e)
		sig = fmt.Sprintf("func(alpha, slope, d []%s, beta, lambda %s)", T, T)
	} else {
		name = "alphaOnly" + FuncName(f) + Suffix(k.e)
		sig = fmt.Sprintf("func(alpha, d []%s, beta, lambda %s)", T, T)
	}
	ctx.Function(name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(sig)
	ctx.Pragma("noescape")
	ctx.Doc(fmt.Sprintf("%s computes the %s swap weights of d (len(d) a multiple of %d).", name, f, k.m.Lanes()))
	pa := ctx.Load(ctx.Param("alpha").Base(), ctx.GP64()).(reg.GPVirtual)
	pd := ctx.Load(ctx.Param("d").Base(), ctx.GP64()).(reg.GPVirtual)
	n := ctx.Load(ctx.Param("d").Len(), ctx.GP64()).(reg.GPVirtual)
	ptrs := []reg.GPVirtual{pa, pd}
	var ps reg.GPVirtual
	if withSlope {
		ps = ctx.Load(ctx.Param("slope").Base(), ctx.GP64()).(reg.GPVirtual)
		ptrs = append(ptrs, ps)
	}
	// beta: a broadcast in the frame; lambda: a register.
	b, err := ctx.Param("beta").Resolve()
	if err != nil {
		panic(err)
	}
	l, err := ctx.Param("lambda").Resolve()
	if err != nil {
		panic(err)
	}
	beta := ctx.AllocLocal(32)
	t := ctx.YMM()
	k.broadcast(b.Addr, t)
	k.load(t, beta)
	lambda := ctx.YMM()
	k.broadcast(l.Addr, lambda)
	k.loop(name, n, ptrs, func() {
		d := ctx.YMM()
		k.load(operand.Mem{Base: pd}, d)
		a, s := k.m.Alpha(f, d, beta, lambda, withSlope)
		k.load(a, operand.Mem{Base: pa})
		if withSlope {
			k.load(s, operand.Mem{Base: ps})
		}
	})
}
