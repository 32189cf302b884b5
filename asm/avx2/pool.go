package avx2

import (
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"

	"github.com/sortgen/sortgen/gen/plan"
)

// A Pool holds the vector constants of one build context: 64-byte
// read-only vectors (read whole by ZMM code, their first half by YMM code) with every lane the same, one symbol (static to the
// file) per element type and bit pattern, emitted on first use and shared
// by every Vec of the context.
type Pool struct {
	ctx  *build.Context
	syms map[poolKey]operand.Mem
}

type poolKey struct {
	elem plan.Elem
	bits uint64
}

// NewPool returns the empty pool of ctx.
func NewPool(ctx *build.Context) *Pool {
	return &Pool{ctx: ctx, syms: map[poolKey]operand.Mem{}}
}

// Float returns the constant with every lane x rounded to e.
func (p *Pool) Float(e plan.Elem, x float64) operand.Mem {
	if e == plan.Float32 {
		return p.Bits(e, uint64(math.Float32bits(float32(x))))
	}
	return p.Bits(e, math.Float64bits(x))
}

// Bits returns the constant with every lane of e the bit pattern bits (its
// low 32 bits for float32).
func (p *Pool) Bits(e plan.Elem, bits uint64) operand.Mem {
	f32 := e == plan.Float32
	if f32 {
		bits &= 0xffffffff
	}
	k := poolKey{e, bits}
	if c, ok := p.syms[k]; ok {
		return c
	}
	name := fmt.Sprintf("const_f64_%016x", bits)
	word := bits
	if f32 {
		name = fmt.Sprintf("const_f32_%08x", bits)
		word |= bits << 32
	}
	c := p.ctx.StaticGlobal(name)
	p.ctx.DataAttributes(attr.RODATA | attr.NOPTR)
	for off := 0; off < ZMMBytes; off += 8 {
		p.ctx.AddDatum(off, operand.U64(word))
	}
	p.syms[k] = c
	return c
}
