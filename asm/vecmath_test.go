package asm

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	cb := &vmCountingBuilder{Builder: ctx}
	m := NewMath(cb, e)
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
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	fn := f.Functions()[0]
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
	return f, fn, cb.n
}

// vmCountingBuilder counts the instructions emitted through it.
type vmCountingBuilder struct {
	Builder
	n int
}

func (b *vmCountingBuilder) Instruction(i *ir.Instruction) {
	b.n++
	b.Builder.Instruction(i)
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

// TestVecmathLiveness checks the documented peak of live YMM values of
// every routine, and that with 16 - peak other values live across it the
// function still allocates within Y0-Y15.
func TestVecmathLiveness(t *testing.T) {
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
			checkNoAVX512(t, r.name, printAsm(t, f))
		}
	}
}

// TestVecmathReport logs each routine's instruction count and peak
// liveness (the table in vecmath.go).
func TestVecmathReport(t *testing.T) {
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

// AVX-512 in Go assembly: registers only EVEX can encode (X16-X31,
// Y16-Y31, Z0-Z31, K0-K7), EVEX suffixes (.BCST, .Z, rounding and SAE),
// and mnemonics of EVEX-only instructions.
var (
	vmAVX512Reg      = regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z([0-9]|[12][0-9]|3[01])|K[0-7])\b`)
	vmAVX512Suffix   = regexp.MustCompile(`^[A-Z0-9]+\.(BCST|Z|SAE|RN_SAE|RD_SAE|RU_SAE|RZ_SAE)\b`)
	vmAVX512Mnemonic = regexp.MustCompile(`^(` + strings.Join([]string{
		`K[A-Z]+[BWDQ]?`, // mask instructions
		`VPERM[IT]2[A-Z]+`, `VPERMW`, `VPERMB`,
		`VRNDSCALE[PS][SD]`, `VGETEXP[PS][SD]`, `VGETMANT[PS][SD]`, `VSCALEF[PS][SD]`,
		`VFIXUPIMM[PS][SD]`, `VRANGE[PS][SD]`, `VREDUCE[PS][SD]`, `VFPCLASS[PS][SD][XYZ]?`,
		`VRCP14[PS][SD]`, `VRSQRT14[PS][SD]`, `VRCP28[PS][SD]`, `VRSQRT28[PS][SD]`, `VEXP2P[SD]`,
		`VPTERNLOG[DQ]`, `VPRO[LR]V?[DQ]`, `VPSRAV?Q`, `VPSRAVW`, `VPS[LR]LVW`,
		`VP(MAX|MIN)[SU]Q`, `VPABSQ`, `VPMULLQ`, `VPMADD52[LH]UQ`,
		`VCVT[TU]*P[SD]2U?QQ[XY]?`, `VCVTU?QQ2P[SD][XY]?`, `VCVTT?P[SD]2UDQ[XY]?`, `VCVTUDQ2P[SD]`,
		`VCVTT?S[SD]2USI[LQ]?`, `VCVTUSI2S[SD][LQ]?`, `VCVTNE2PS2BF16`, `VCVTNEPS2BF16[XY]?`,
		`VPCMPU?[BWDQ]`, `VPTESTN?M[BWDQ]`, `VPMOV[BWDQ]2M`, `VPMOVM2[BWDQ]`,
		`VPMOVU?S?[WDQ][BWD]`, // down-converting moves (VPMOVQD, VPMOVSDB, ...)
		`VPBLENDM[BWDQ]`, `VBLENDMP[SD]`, `VALIGN[DQ]`, `VDBPSADBW`,
		`VP?COMPRESS[A-Z]*`, `VP?EXPAND[A-Z]*`, `VPCONFLICT[DQ]`, `VPLZCNT[DQ]`,
		`VPBROADCASTM[A-Z0-9]+`, `VPSHLDV?[WDQ]`, `VPSHRDV?[WDQ]`, `VPSHUFBITQMB`,
		`VPOPCNT[BWDQ]`, `VPMULTISHIFTQB`, `VP2INTERSECT[DQ]`, `VDPBF16PS`,
		`VMOVDQ[AU](8|16|32|64)`, `V(EXTRACT|INSERT)[FI](32|64)X[248]`,
		`VBROADCAST[FI](32|64)X[248]`, `VBROADCASTI32X2`, `VSHUF[FI](32|64)X[24]`,
		`VP?SCATTER[A-Z]+`, `VGATHERPF[01][A-Z]+`, `VSCATTERPF[01][A-Z]+`,
	}, "|") + `)\b`)
)

// checkNoAVX512 reports every AVX-512 register, suffix or instruction of
// the Go assembly src.
func checkNoAVX512(t testing.TB, name, src string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if i := strings.Index(s, "//"); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "TEXT") ||
			strings.HasPrefix(s, "DATA") || strings.HasPrefix(s, "GLOBL") || strings.HasSuffix(s, ":") {
			continue
		}
		if m := vmAVX512Reg.FindString(s); m != "" {
			t.Errorf("%s:%d: AVX-512 register %s: %s", name, line, m, s)
		}
		if vmAVX512Suffix.MatchString(s) || vmAVX512Mnemonic.MatchString(s) {
			t.Errorf("%s:%d: AVX-512 instruction: %s", name, line, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestNoAVX512 scans every assembly file of the module for AVX-512
// registers and instructions: the kernels must run on every AVX2+FMA CPU.
func TestNoAVX512(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", root, err)
	}
	n := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".s") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		checkNoAVX512(t, rel, string(src))
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d assembly files checked", n)
}

// TestNoAVX512Detects makes sure the scan finds what it should.
func TestNoAVX512Detects(t *testing.T) {
	for _, bad := range []string{
		"\tVADDPD Y16, Y1, Y2",
		"\tVMOVUPD Z1, (AX)",
		"\tVADDPD Y1, Y2, K1, Y3",
		"\tVPSRAQ $3, Y1, Y2",
		"\tVRNDSCALEPD $1, Y1, Y2",
		"\tVADDPD.BCST (AX), Y1, Y2",
		"\tVPERMT2PD Y1, Y2, Y3",
		"\tVGETEXPPD Y1, Y2",
		"\tVSCALEFPD Y1, Y2, Y3",
		"\tKMOVW AX, K1",
		"\tVMOVDQU64 (AX), Y1",
		"\tVPTERNLOGD $0x96, Y1, Y2, Y3",
	} {
		ft := &fakeT{}
		checkNoAVX512(ft, "bad", bad)
		if !ft.failed {
			t.Errorf("not detected: %q", bad)
		}
	}
	for _, good := range []string{
		"\tVADDPD Y15, Y1, Y2",
		"\tVFMADD231PD vecmath_f64_3ff0000000000000<>+0(SB), Y1, Y2",
		"\tVPSRAD $1, Y1, Y2",
		"\tVPSLLQ $0x34, Y1, Y2",
		"\tVBLENDVPD Y1, Y2, Y3, Y4",
		"\tVCMPPD $0x1e, Y1, Y2, Y3",
		"\tVPCMPEQD Y1, Y2, Y3",
		"\tVPCMPGTQ Y1, Y2, Y3",
		"\tVPMOVSXDQ X1, Y2",
		"\tVCVTPD2DQY Y1, X2",
		"\tVMOVDQU (AX), Y1",
		"\tVROUNDPD $0x01, Y1, Y2",
		"\tVPERMPD $0x4e, Y1, Y2",
		"\tVEXTRACTF128 $0x01, Y1, X2",
		"\tVZEROUPPER",
		"\tMOVQ p+0(FP), AX",
	} {
		ft := &fakeT{}
		checkNoAVX512(ft, "good", good)
		if ft.failed {
			t.Errorf("false positive: %q", good)
		}
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }

// TestVecmathSharedConsts checks that Maths on the same context share
// their constants (one symbol each) and that contexts do not share them.
func TestVecmathSharedConsts(t *testing.T) {
	ctx := build.NewContext()
	a, b := NewMath(ctx, plan.Float64), NewMath(ctx, plan.Float64)
	if a.Const(1.5) != b.Const(1.5) {
		t.Error("two Maths on one context made two constants")
	}
	if a.Const(1.5) == NewMath(ctx, plan.Float32).Const(1.5) {
		t.Error("float32 and float64 constants shared")
	}
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Sections); n != 2 {
		t.Errorf("%d data sections, want 2", n)
	}
	other := build.NewContext()
	NewMath(other, plan.Float64).Const(1.5)
	g, _ := other.Result()
	if len(g.Sections) != 1 {
		t.Error("a new context did not get its own constant")
	}
}
