package avx2

import (
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/gen/plan"
)

// liveFunction builds a function of the given name that keeps live vector
// values live at once, with a comparison and a blend (an opmask register
// in wide code), and compiles it.
func liveFunction(t *testing.T, name string, live int, wide bool) (string, error) {
	t.Helper()
	ctx := build.NewContext()
	consts := NewPool(ctx)
	v := New(ctx, consts, plan.Float64)
	if wide {
		v = NewWide(ctx, consts, plan.Float64)
	}
	ctx.Function(name)
	ctx.SignatureExpr("func(p *float64)")
	ptr := ctx.Load(ctx.Param("p"), ctx.GP64())
	var rs []reg.VecVirtual
	for i := range live {
		r := v.Reg()
		v.MovU(v.Const(float64(i)), r)
		rs = append(rs, r)
	}
	mask := v.Reg()
	v.Cmp(LE, rs[1], rs[0], mask)
	sum := v.Reg()
	v.BlendV(mask, rs[0], rs[1], sum)
	for _, r := range rs[2:] {
		v.Add(r, sum, sum)
	}
	v.MovU(sum, operand.Mem{Base: ptr})
	ctx.RET()
	asm, _, err := Assemble(ctx, "p", "// header")
	return string(asm), err
}

// TestAllocateWide: a function named avx512 gets 32 vector registers and
// opmask registers; any other gets 16 and fails rather than reach further.
func TestAllocateWide(t *testing.T) {
	if _, err := liveFunction(t, "avx2Many", 17, false); err == nil || !strings.Contains(err.Error(), "more than 16") {
		t.Errorf("17 live YMM values in an AVX2 function: %v, want an error", err)
	}
	asm, err := liveFunction(t, "avx512Many", 30, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Z29", "K1", "VBLENDMPD", "VCMPPD"} {
		if !strings.Contains(asm, want) {
			t.Errorf("no %s in the AVX-512 function:\n%s", want, asm)
		}
	}
	if strings.Contains(asm, "VPMOVM2Q") {
		t.Errorf("a blend of a comparison materialised its mask:\n%s", asm)
	}
	if _, err := liveFunction(t, "avx2Wide", 3, true); err == nil || !strings.Contains(err.Error(), "in AVX2 code") {
		t.Errorf("ZMM code in a function not named avx512: %v, want an error", err)
	}
}
