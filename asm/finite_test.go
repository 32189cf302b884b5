package asm

import (
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/printer"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen/plan"
)

// TestAllFiniteEmit emits the kernel of both element types (twice each,
// under other names, into a context that has vecmath constants already)
// and checks what the build needs: it compiles within Y0-Y15, needs AVX2
// but neither FMA nor AVX-512, and has the frame go vet's asmdecl expects
// of func(x []T) bool. The kernels run in runtime/internal/vbce's tests and
// in every generated package's TestAllFinite.
func TestAllFiniteEmit(t *testing.T) {
	ctx := build.NewContext()
	consts := avx2.NewPool(ctx)
	m := avx2.New(ctx, consts, plan.Float32)
	_ = m.Const(1)
	_ = m.Bits(0x00800000) // the bump of float32, as Log's clamp uses it
	names := []string{"a32", "b32", "a64", "b64"}
	for i, e := range []plan.Elem{plan.Float32, plan.Float32, plan.Float64, plan.Float64} {
		AllFinite(ctx, consts, names[i], e)
	}
	s := compileFinite(t, ctx)
	for _, name := range names {
		if !strings.Contains(s, "TEXT ·"+name+"(SB), NOSPLIT, $0-25\n") {
			t.Errorf("%s: no TEXT line with frame $0-25", name)
		}
	}
	if n := strings.Count(s, "// Requires: AVX, AVX2\n"); n != len(names) {
		t.Errorf("%d functions require exactly AVX and AVX2, want %d:\n%s", n, len(names), s)
	}
	if strings.Contains(s, "FMA") {
		t.Error("the kernel uses FMA")
	}
}

// TestAllFiniteWideEmit is TestAllFiniteEmit for AllFiniteWide, beside the
// AVX2 kernels in one file: the wide functions use ZMM and opmask
// registers and need AVX-512F and DQ (and neither FMA nor anything else),
// the AVX2 ones still none of it (the scan exempts only names containing
// "avx512"), and every frame is that of func(x []T) bool. A name without
// "avx512" panics.
func TestAllFiniteWideEmit(t *testing.T) {
	ctx := build.NewContext()
	consts := avx2.NewPool(ctx)
	AllFinite(ctx, consts, "narrow32", plan.Float32)
	AllFinite(ctx, consts, "narrow64", plan.Float64)
	wide := []string{"avx512A32", "avx512A64"}
	AllFiniteWide(ctx, consts, wide[0], plan.Float32)
	AllFiniteWide(ctx, consts, wide[1], plan.Float64)
	s := compileFinite(t, ctx)
	for _, name := range append([]string{"narrow32", "narrow64"}, wide...) {
		if !strings.Contains(s, "TEXT ·"+name+"(SB), NOSPLIT, $0-25\n") {
			t.Errorf("%s: no TEXT line with frame $0-25", name)
		}
	}
	if n := strings.Count(s, "// Requires: AVX, AVX2\n"); n != 2 {
		t.Errorf("%d functions require exactly AVX and AVX2, want 2:\n%s", n, s)
	}
	if n := strings.Count(s, "// Requires: AVX, AVX512DQ, AVX512F\n"); n != len(wide) {
		t.Errorf("%d functions require exactly AVX, AVX512DQ and AVX512F, want %d:\n%s", n, len(wide), s)
	}
	for _, name := range wide {
		_, body, _ := strings.Cut(s, "TEXT ·"+name+"(SB)")
		body, _, _ = strings.Cut(body, "\nTEXT ")
		for _, want := range []string{"VPMAXUD Z", "VPMOVD2M", "KMOVW"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %q", name, want)
			}
		}
	}
	if strings.Contains(s, "FMA") {
		t.Error("the kernel uses FMA")
	}
	defer func() {
		if recover() == nil {
			t.Error("AllFiniteWide accepts a name without avx512")
		}
	}()
	AllFiniteWide(build.NewContext(), consts, "allFiniteWide", plan.Float32)
}

// compileFinite compiles and prints ctx's functions, checks the assembly
// with checkAsm and returns it.
func compileFinite(t *testing.T, ctx *build.Context) string {
	t.Helper()
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := avx2.Compile(f); err != nil {
		t.Fatal(err)
	}
	src, err := printer.NewGoAsm(printer.Config{Name: "test", Pkg: "finite"}).Print(f)
	if err != nil {
		t.Fatal(err)
	}
	checkAsm(t, "finite.s", src)
	return string(src)
}
