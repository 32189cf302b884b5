package vecmath

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen/plan"
)

// A vmRoutine is one vector-math routine under test: it emits its code for
// inputs (loaded from memory) and returns its results.
type vmRoutine struct {
	name string
	ins  int // number of vector inputs
	emit func(m *Math, in []reg.VecVirtual, beta, lambda operand.Mem) []reg.VecVirtual
	// maxLive is the documented peak of live YMM values (inputs and
	// results included), per element type.
	maxLive [2]int // float64, float32
}

func vmRoutines() []vmRoutine {
	one := func(f func(m *Math, x reg.Register) reg.VecVirtual) func(*Math, []reg.VecVirtual, operand.Mem, operand.Mem) []reg.VecVirtual {
		return func(m *Math, in []reg.VecVirtual, _, _ operand.Mem) []reg.VecVirtual {
			return []reg.VecVirtual{f(m, in[0])}
		}
	}
	rs := []vmRoutine{
		{"Exp", 1, one((*Math).Exp), [2]int{6, 4}},
		{"Log", 1, one((*Math).Log), [2]int{7, 7}},
		{"Atan", 1, one((*Math).Atan), [2]int{8, 7}},
		{"Erf", 1, one((*Math).Erf), [2]int{9, 7}},
		{"Sigmoid", 1, one((*Math).Sigmoid), [2]int{6, 4}},
	}
	for _, f := range plan.SoftFuncs {
		for _, slope := range []bool{false, true} {
			name := "Alpha " + f.String()
			if slope {
				name += "+slope"
			}
			rs = append(rs, vmRoutine{name, 1, func(m *Math, in []reg.VecVirtual, beta, lambda operand.Mem) []reg.VecVirtual {
				a, s := m.Alpha(f, in[0], beta, lambda, slope)
				if s == nil {
					return []reg.VecVirtual{a}
				}
				return []reg.VecVirtual{a, s}
			}, [2]int{AlphaLive(f, plan.Float64), AlphaLive(f, plan.Float32)}})
		}
	}
	return rs
}

// vmBuild emits a function running r between loads of its inputs (and of
// extra values kept live across it) and stores of its results and inputs
// (so that the inputs stay live throughout, as in the kernels), and returns
// the compiled file (liveness computed; allocated when alloc).
func vmBuild(t testing.TB, r vmRoutine, e plan.Elem, extra int, alloc bool) (*ir.File, *ir.Function, int) {
	t.Helper()
	ctx := build.NewContext()
	ctx.Function("f")
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr("func(p *[64]float64)")
	base := ctx.Load(ctx.Param("p"), ctx.GP64())
	m := New(ctx, avx2.NewPool(ctx), e)
	at := func(i int) operand.Mem { return operand.Mem{Base: base, Disp: 32 * i} }
	var keep []reg.VecVirtual
	for i := 0; i < extra; i++ {
		y := ctx.YMM()
		ctx.VMOVUPD(at(8+i), y)
		keep = append(keep, y)
	}
	var in []reg.VecVirtual
	for i := 0; i < r.ins; i++ {
		y := ctx.YMM()
		ctx.VMOVUPD(at(i), y)
		in = append(in, y)
	}
	fixed := 1 + extra + r.ins // instructions not r's: the loads so far
	out := r.emit(m, in, at(4), at(5))
	for i, y := range out {
		ctx.VMOVUPD(y, at(i))
	}
	for i, y := range in { // the caller keeps the inputs
		ctx.VMOVUPD(y, at(6+i))
	}
	for i, y := range keep {
		ctx.VMOVUPD(y, at(8+i))
	}
	ctx.RET()
	fixed += len(out) + r.ins + extra + 1
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	fn := f.Functions()[0]
	n := len(fn.Instructions()) - fixed
	ps := []pass.Interface{
		pass.FunctionPass(pass.LabelTarget),
		pass.FunctionPass(pass.CFG),
		pass.FunctionPass(pass.Liveness),
	}
	if alloc {
		ps = []pass.Interface{pass.Func(avx2.Compile)}
	}
	if err := pass.Concat(ps...).Execute(f); err != nil {
		t.Fatalf("%s %v with %d extra live: %v", r.name, e, extra, err)
	}
	return f, fn, n
}

// peakLive is the largest number of vector values live at once in fn:
// before each instruction, and after it counting its outputs.
func peakLive(fn *ir.Function) int {
	peak := 0
	for _, i := range fn.Instructions() {
		in := i.LiveIn.OfKind(reg.KindVector)
		out := i.LiveOut.OfKind(reg.KindVector)
		for _, d := range i.OutputRegisters() {
			if d.Kind() == reg.KindVector {
				out.AddRegister(d)
			}
		}
		peak = max(peak, len(in), len(out))
	}
	return peak
}

func vmElems() []plan.Elem { return []plan.Elem{plan.Float64, plan.Float32} }

// TestLiveness checks the documented peak of live YMM values of
// every routine, and that with 16 - peak other values live across it the
// function still allocates within Y0-Y15.
func TestLiveness(t *testing.T) {
	for _, r := range vmRoutines() {
		for ei, e := range vmElems() {
			_, fn, _ := vmBuild(t, r, e, 0, false)
			peak := peakLive(fn)
			// Exact for the documented cases, at most that without slope.
			noSlope := strings.HasPrefix(r.name, "Alpha") && !strings.HasSuffix(r.name, "+slope")
			if peak > r.maxLive[ei] || !noSlope && peak != r.maxLive[ei] {
				t.Errorf("%s %v: %d YMM values live, documented %d", r.name, e, peak, r.maxLive[ei])
			}
			f, _, _ := vmBuild(t, r, e, 16-r.maxLive[ei], true)
			for _, bad := range avx2.FindAVX512([]byte(printAsm(t, f))) {
				t.Errorf("%s %v: %s", r.name, e, bad)
			}
		}
	}
}

// TestReport logs each routine's peak liveness and instruction count
// (constant loads and register copies included, before allocation drops
// the copies that become self-moves).
func TestReport(t *testing.T) {
	var b strings.Builder
	for _, r := range vmRoutines() {
		fmt.Fprintf(&b, "%-24s", r.name)
		for _, e := range vmElems() {
			_, fn, n := vmBuild(t, r, e, 0, false)
			fmt.Fprintf(&b, "  %v: live %2d instr %3d", e, peakLive(fn), n)
		}
		b.WriteByte('\n')
	}
	t.Log("\n" + b.String())
}

func printAsm(t testing.TB, f *ir.File) string {
	t.Helper()
	src, err := printer.NewGoAsm(printer.Config{Name: "test", Pkg: "vm"}).Print(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}
