package avx2

import (
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/build"

	"github.com/sortgen/sortgen/gen/plan"
)

// TestPoolShared checks that the Vecs of a context share one symbol per
// constant, that float32 and float64 constants differ, that a new context
// gets its own, and the data of a constant.
func TestPoolShared(t *testing.T) {
	ctx := build.NewContext()
	pool := NewPool(ctx)
	a, b := New(ctx, pool, plan.Float64), New(ctx, pool, plan.Float64)
	if a.Const(1.5) != b.Const(1.5) {
		t.Error("two Vecs on one pool made two constants")
	}
	c := New(ctx, pool, plan.Float32).Const(1.5)
	if a.Const(1.5) == c {
		t.Error("float32 and float64 constants shared")
	}
	if got, want := c.Symbol.Name, "const_f32_3fc00000"; got != want {
		t.Errorf("float32 1.5 is %s, want %s", got, want)
	}
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Sections); n != 2 {
		t.Errorf("%d data sections, want 2", n)
	}
	other := build.NewContext()
	New(other, NewPool(other), plan.Float64).Const(1.5)
	g, err := other.Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Sections) != 1 {
		t.Error("a new context did not get its own constant")
	}
}

// TestPoolData checks the printed data of a float32 and a float64
// constant: four 8-byte words, every lane the value.
func TestPoolData(t *testing.T) {
	ctx := build.NewContext()
	pool := NewPool(ctx)
	ctx.Function("f")
	ctx.SignatureExpr("func()")
	v32, v64 := New(ctx, pool, plan.Float32), New(ctx, pool, plan.Float64)
	y := ctx.YMM()
	v32.MovU(v32.Const(1), y)
	v64.MovU(v64.SignMask(), y)
	ctx.RET()
	src, _, err := Assemble(ctx, "p", "// header")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"DATA const_f32_3f800000<>+0(SB)/8, $0x3f8000003f800000",
		"DATA const_f32_3f800000<>+56(SB)/8, $0x3f8000003f800000",
		"DATA const_f64_8000000000000000<>+8(SB)/8, $0x8000000000000000",
		"GLOBL const_f64_8000000000000000<>(SB), RODATA|NOPTR, $64",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in\n%s", want, src)
		}
	}
}
