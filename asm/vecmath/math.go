package vecmath

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen/plan"
)

// Math emits vectorised math of one element type (float64: 4 lanes,
// VxxxPD; float32: 8 lanes, VxxxPS): the routines below, on the
// instructions and constants of its avx2.Vec. Create one per element type
// and build context, all with the context's constant pool. It panics on
// operands avo rejects (a programming error of the caller) and never
// emits AVX-512 instructions.
type Math struct {
	*avx2.Vec
	par *params
}

// New returns the emitter of element type e into ctx, with the constants
// of consts (ctx's pool).
func New(ctx *build.Context, consts *avx2.Pool, e plan.Elem) *Math {
	return newMath(avx2.New(ctx, consts, e))
}

// NewWide is New on ZMM registers (avx2.NewWide), for AVX-512 functions.
func NewWide(ctx *build.Context, consts *avx2.Pool, e plan.Elem) *Math {
	return newMath(avx2.NewWide(ctx, consts, e))
}

func newMath(v *avx2.Vec) *Math {
	m := &Math{Vec: v, par: &paramsF64}
	if v.Elem() == plan.Float32 {
		m.par = &paramsF32
	}
	return m
}

// The lower-case forms below return their result in a fresh register:
// m.add(x, y) is x + y (y may be memory).

// load returns a fresh register holding src (a register or memory).
func (m *Math) load(src operand.Op) reg.VecVirtual {
	d := m.Reg()
	if _, ok := src.(operand.Mem); ok {
		m.MovU(src, d)
	} else {
		m.MovA(src, d)
	}
	return d
}

// bin returns x op y (y may be memory) in a fresh register.
func (m *Math) bin(op func(s2, s1, d operand.Op), x, y operand.Op) reg.VecVirtual {
	d := m.Reg()
	op(y, x, d)
	return d
}

func (m *Math) add(x, y operand.Op) reg.VecVirtual { return m.bin(m.Add, x, y) }
func (m *Math) sub(x, y operand.Op) reg.VecVirtual { return m.bin(m.Sub, x, y) }
func (m *Math) mul(x, y operand.Op) reg.VecVirtual { return m.bin(m.Mul, x, y) }
func (m *Math) div(x, y operand.Op) reg.VecVirtual { return m.bin(m.Div, x, y) }
func (m *Math) min(x, y operand.Op) reg.VecVirtual { return m.bin(m.Min, x, y) }
func (m *Math) max(x, y operand.Op) reg.VecVirtual { return m.bin(m.Max, x, y) }
func (m *Math) and(x, y operand.Op) reg.VecVirtual { return m.bin(m.And, x, y) }
func (m *Math) xor(x, y operand.Op) reg.VecVirtual { return m.bin(m.Xor, x, y) }

// cmp returns the lane mask x pred y.
func (m *Math) cmp(pred avx2.Predicate, x, y operand.Op) reg.VecVirtual {
	d := m.Reg()
	m.Cmp(pred, y, x, d)
	return d
}

// blend returns mask ? a : b lane-wise (by the sign bit of mask's lanes); a
// may be memory.
func (m *Math) blend(mask, a, b operand.Op) reg.VecVirtual {
	d := m.Reg()
	m.BlendV(mask, a, b, d)
	return d
}

// fmaAcc sets acc = a*b + acc (a may be memory).
func (m *Math) fmaAcc(a, b operand.Op, acc reg.Register) { m.FMAdd231(a, b, acc) }

// fnmaAcc sets acc = acc - a*b (a may be memory).
func (m *Math) fnmaAcc(a, b operand.Op, acc reg.Register) { m.FNMAdd231(a, b, acc) }

// hornerStep sets p = x*p + c (c may be memory).
func (m *Math) hornerStep(c, x operand.Op, p reg.Register) { m.FMAdd213(c, x, p) }

// Abs returns |x|.
func (m *Math) Abs(x reg.Register) reg.VecVirtual { return m.and(x, m.AbsMask()) }

// poly returns c[0] + c[1]*x + ... + c[n-1]*x^(n-1), n >= 2: Horner's rule,
// or for n >= splitPoly the sum of two Horner chains in x^2 (even and odd
// coefficients), which halves the latency for two more instructions and
// two more live registers.
func (m *Math) poly(x reg.Register, c []float64) reg.VecVirtual {
	if len(c) < splitPoly {
		return m.horner(x, c)
	}
	x2 := m.mul(x, x)
	var even, odd []float64
	for i, v := range c {
		if i%2 == 0 {
			even = append(even, v)
		} else {
			odd = append(odd, v)
		}
	}
	e := m.horner(x2, even)
	o := m.horner(x2, odd)
	m.fmaAcc(o, x, e)
	return e
}

// splitPoly is the length from which poly evaluates two chains.
const splitPoly = 9

func (m *Math) horner(x reg.Register, c []float64) reg.VecVirtual {
	n := len(c)
	if n == 1 {
		return m.load(m.Const(c[0]))
	}
	p := m.load(m.Const(c[n-2]))
	m.fmaAcc(m.Const(c[n-1]), x, p)
	for k := n - 3; k >= 0; k-- {
		m.hornerStep(m.Const(c[k]), x, p)
	}
	return p
}
