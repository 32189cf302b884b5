package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/sortgen/sortgen/asm/avx2"
)

// transposeKernel emits the block transposes between the caller's
// row-major rows and the lane-major scratch:
//
//	in:  dst[i*L + l] = src[l*stride + i]   (i < m, l < L)
//	out: dst[l*stride + i] = src[i*L + l]
//
// with L = Lanes and stride, m in elements. Whole groups of L elements are
// transposed L x L in registers, the remaining m % L elements one by one.
func (k *kbuilder) transposeKernel(stem string, in bool) {
	T := k.goType()
	k.function(stem, "(dst, src *"+T+", stride, m int)",
		fmt.Sprintf("transposes between %d row-major rows (stride elements apart) and m lane-major rows of the scratch.", k.lanes()))
	size := k.size()
	dst, src := k.loadArg("dst"), k.loadArg("src")
	stride := k.loadArg("stride")
	m := k.loadArg("m")
	// The row side (src for in, dst for out) is addressed through rows,
	// the scratch side through scr.
	rows, scr := src, dst
	if !in {
		rows, scr = dst, src
	}
	sh := uint8(2)
	if size == 8 {
		sh = 3
	}
	k.SHLQ(operand.U8(sh), stride) // bytes
	k.transposeRows(in, rows, scr, stride, m, avx2.LaneBytes)
	k.VZEROUPPER()
	k.RET()
}

// transposeRows emits the transpose of Lanes rows at rows (stride bytes
// apart) with m lane-major rows at scr (rowBytes apart); it clobbers rows,
// scr and m.
func (k *kbuilder) transposeRows(in bool, rows, scr, stride, m reg.GPVirtual, rowBytes int) {
	L := Lanes(k.elem)
	size := k.size()
	r3 := k.GP64()
	k.LEAQ(mem(stride, stride, 2, 0), r3)
	var rows4 reg.GPVirtual
	if L == 8 {
		rows4 = k.GP64()
		k.LEAQ(mem(rows, stride, 4, 0), rows4)
	}
	// rowAddr is the address of lane l's row at byte offset off.
	rowAddr := func(l, off int) operand.Mem {
		b := rows
		if l >= 4 {
			b, l = rows4, l-4
		}
		switch l {
		case 0:
			return mem(b, nil, 0, off)
		case 1:
			return mem(b, stride, 1, off)
		case 2:
			return mem(b, stride, 2, off)
		}
		return mem(b, r3, 1, off)
	}
	scrAddr := func(e, off int) operand.Mem { return mem(scr, nil, 0, e*rowBytes+off) }
	// A(k, off) is row k of the matrix being transposed, B(c) where its
	// column c goes.
	A, B := rowAddr, func(c int) operand.Mem { return scrAddr(c, 0) }
	if !in {
		A, B = scrAddr, func(c int) operand.Mem { return rowAddr(c, 0) }
	}
	cnt := k.GP64()
	k.MOVQ(m, cnt)
	if L == 8 {
		k.SHRQ(operand.U8(3), cnt)
	} else {
		k.SHRQ(operand.U8(2), cnt)
	}
	blockL, tailL, tailLoopL, doneL := k.label("tblock"), k.label("ttail"), k.label("ttailloop"), k.label("tdone")
	k.TESTQ(cnt, cnt)
	k.JZ(operand.LabelRef(tailL))
	k.Label(blockL)
	if L == 8 {
		for half := 0; half < 2; half++ {
			var t [4]reg.VecVirtual
			for j := 0; j < 4; j++ {
				t[j] = k.YMM()
				k.VMOVUPS(A(j, 16*half), t[j].AsX())
				k.VINSERTF128(operand.U8(1), A(j+4, 16*half), t[j], t[j])
			}
			var u [4]reg.VecVirtual
			for j := range u {
				u[j] = k.YMM()
			}
			k.VUNPCKLPS(t[1], t[0], u[0])
			k.VUNPCKHPS(t[1], t[0], u[1])
			k.VUNPCKLPS(t[3], t[2], u[2])
			k.VUNPCKHPS(t[3], t[2], u[3])
			for c := 0; c < 4; c++ {
				o := k.YMM()
				imm := uint8(0x44)
				if c%2 == 1 {
					imm = 0xee
				}
				k.VSHUFPS(operand.U8(imm), u[2+c/2], u[c/2], o)
				k.VMOVUPS(o, B(4*half+c))
			}
		}
	} else {
		var t [4]reg.VecVirtual
		for j := 0; j < 4; j++ {
			t[j] = k.YMM()
			// t0 = [A0[0:2] A2[0:2]], t1 = [A1[0:2] A3[0:2]], t2, t3 the same for [2:4].
			r, off := j%2, 16*(j/2)
			k.VMOVUPD(A(r, off), t[j].AsX())
			k.VINSERTF128(operand.U8(1), A(r+2, off), t[j], t[j])
		}
		for c := 0; c < 4; c++ {
			o := k.YMM()
			x, y := t[2*(c/2)], t[2*(c/2)+1]
			if c%2 == 0 {
				k.VUNPCKLPD(y, x, o)
			} else {
				k.VUNPCKHPD(y, x, o)
			}
			k.VMOVUPD(o, B(c))
		}
	}
	k.ADDQ(operand.U8(avx2.LaneBytes), rows)
	if rows4 != nil {
		k.ADDQ(operand.U8(avx2.LaneBytes), rows4)
	}
	k.ADDQ(operand.U32(uint32(L*rowBytes)), scr)
	k.DECQ(cnt)
	k.JNZ(operand.LabelRef(blockL))
	k.Label(tailL)
	k.ANDQ(operand.U8(uint8(L-1)), m)
	k.JZ(operand.LabelRef(doneL))
	k.Label(tailLoopL)
	v := k.GP64()
	for l := 0; l < L; l++ {
		from, to := rowAddr(l, 0), scrAddr(0, l*size)
		if !in {
			from, to = to, from
		}
		if size == 4 {
			k.MOVL(from, v.As32())
			k.MOVL(v.As32(), to)
		} else {
			k.MOVQ(from, v)
			k.MOVQ(v, to)
		}
	}
	k.ADDQ(operand.U8(uint8(size)), rows)
	if rows4 != nil {
		k.ADDQ(operand.U8(uint8(size)), rows4)
	}
	k.ADDQ(operand.U8(uint8(rowBytes)), scr)
	k.DECQ(m)
	k.JNZ(operand.LabelRef(tailLoopL))
	k.Label(doneL)
}

// transposeWideKernel emits the AVX-512 level's block transposes, the same
// functions as transposeKernel's for 2L lanes (16 float32 or 8 float64,
// 64-byte scratch rows), in registers: a 16x16 (8x8) transpose is an
// unpack of element pairs (and, for float32, of pairs of pairs) within
// 128-bit lanes, then a 4x4 transpose of the 128-bit lanes in two rounds
// of VSHUFF32X4/VSHUFF64X2: 64 (24) shuffles a block where two AVX2
// passes take 96 (32) narrower ones and twice the loads.
func (k *kbuilder) transposeWideKernel(stem string, in bool) {
	T := k.goType()
	L := k.lanes()
	k.function(stem, "(dst, src *"+T+", stride, m int)",
		fmt.Sprintf("transposes between %d row-major rows (stride elements apart) and m lane-major rows of the scratch.", L))
	size := k.size()
	dst, src := k.loadArg("dst"), k.loadArg("src")
	stride := k.loadArg("stride")
	m := k.loadArg("m")
	rows, scr := src, dst
	if !in {
		rows, scr = dst, src
	}
	sh := uint8(2)
	if size == 8 {
		sh = 3
	}
	k.SHLQ(operand.U8(sh), stride) // bytes
	r3 := k.GP64()
	k.LEAQ(mem(stride, stride, 2, 0), r3)
	// bases[g] is the row of lane 4g.
	bases := []reg.GPVirtual{rows}
	for g := 1; g < L/4; g++ {
		b := k.GP64()
		k.LEAQ(mem(bases[g-1], stride, 4, 0), b)
		bases = append(bases, b)
	}
	rowAddr := func(l, off int) operand.Mem {
		b := bases[l/4]
		switch l % 4 {
		case 0:
			return mem(b, nil, 0, off)
		case 1:
			return mem(b, stride, 1, off)
		case 2:
			return mem(b, stride, 2, off)
		}
		return mem(b, r3, 1, off)
	}
	scrAddr := func(e int) operand.Mem { return mem(scr, nil, 0, e*avx2.ZMMBytes) }
	load, store := rowAddr, scrAddr
	if !in {
		load, store = func(l, _ int) operand.Mem { return scrAddr(l) }, func(c int) operand.Mem { return rowAddr(c, 0) }
	}
	cnt := k.GP64()
	k.MOVQ(m, cnt)
	k.SHRQ(operand.U8(uint8(bits(L))), cnt)
	blockL, tailL, tailLoopL, doneL := k.label("wblock"), k.label("wtail"), k.label("wtailloop"), k.label("wdone")
	k.TESTQ(cnt, cnt)
	k.JZ(operand.LabelRef(tailL))
	k.Label(blockL)
	v := make([]reg.VecVirtual, L)
	for l := range v {
		v[l] = k.ZMM()
		k.v.MovU(load(l, 0), v[l])
	}
	// a[2i+c], lane j: column 2j+c (float64) or, after the second unpack,
	// b[4i+c], lane j: column 4j+c (float32) of 2 (4) consecutive rows.
	unpack := func(lo, hi func(...operand.Op), x []reg.VecVirtual, pairStride int) []reg.VecVirtual {
		out := make([]reg.VecVirtual, len(x))
		for i := 0; i < len(x); i += 2 * pairStride {
			for c := range pairStride {
				p, q := x[i+c], x[i+c+pairStride]
				out[i+2*c], out[i+2*c+1] = k.ZMM(), k.ZMM()
				lo(q, p, out[i+2*c])
				hi(q, p, out[i+2*c+1])
			}
		}
		return out
	}
	var chunks []reg.VecVirtual // chunks[g*per+c]: column offset c of row group g
	per := 0
	shuf := k.VSHUFF64X2
	if size == 4 {
		a := unpack(k.VUNPCKLPS, k.VUNPCKHPS, v, 1)
		b := unpack(k.VUNPCKLPD, k.VUNPCKHPD, a, 2)
		// b[4i+0..3] from a[4i], a[4i+2] (lo, hi) and a[4i+1], a[4i+3]:
		// reorder to columns 4j+0, 4j+1, 4j+2, 4j+3.
		chunks = make([]reg.VecVirtual, L)
		for i := 0; i < L; i += 4 {
			chunks[i], chunks[i+1], chunks[i+2], chunks[i+3] = b[i], b[i+1], b[i+2], b[i+3]
		}
		per, shuf = 4, k.VSHUFF32X4
	} else {
		chunks = unpack(k.VUNPCKLPD, k.VUNPCKHPD, v, 1)
		per = 2
	}
	// For each column offset c, the four row groups' chunks X0..X3 hold
	// column per*j+c in their lane j: a 4x4 transpose of 128-bit lanes.
	for c := range per {
		x := [4]reg.VecVirtual{chunks[c], chunks[per+c], chunks[2*per+c], chunks[3*per+c]}
		y := [4]reg.VecVirtual{k.ZMM(), k.ZMM(), k.ZMM(), k.ZMM()}
		shuf(operand.U8(0x44), x[1], x[0], y[0])
		shuf(operand.U8(0xee), x[1], x[0], y[1])
		shuf(operand.U8(0x44), x[3], x[2], y[2])
		shuf(operand.U8(0xee), x[3], x[2], y[3])
		for j := range 4 {
			o := k.ZMM()
			imm := uint8(0x88)
			if j%2 == 1 {
				imm = 0xdd
			}
			shuf(operand.U8(imm), y[2+j/2], y[j/2], o)
			k.v.MovU(o, store(per*j+c))
		}
	}
	for g := range bases {
		k.ADDQ(operand.U8(uint8(L*size)), bases[g])
	}
	k.ADDQ(operand.U32(uint32(L*avx2.ZMMBytes)), scr)
	k.DECQ(cnt)
	k.JNZ(operand.LabelRef(blockL))
	k.Label(tailL)
	k.ANDQ(operand.U8(uint8(L-1)), m)
	k.JZ(operand.LabelRef(doneL))
	k.Label(tailLoopL)
	t := k.GP64()
	for l := 0; l < L; l++ {
		from, to := rowAddr(l, 0), mem(scr, nil, 0, l*size)
		if !in {
			from, to = to, from
		}
		if size == 4 {
			k.MOVL(from, t.As32())
			k.MOVL(t.As32(), to)
		} else {
			k.MOVQ(from, t)
			k.MOVQ(t, to)
		}
	}
	for g := range bases {
		k.ADDQ(operand.U8(uint8(size)), bases[g])
	}
	k.ADDQ(operand.U8(avx2.ZMMBytes), scr)
	k.DECQ(m)
	k.JNZ(operand.LabelRef(tailLoopL))
	k.Label(doneL)
	k.VZEROUPPER()
	k.RET()
}

// bits is log2 of a power of two.
func bits(n int) int {
	b := 0
	for n > 1 {
		n >>= 1
		b++
	}
	return b
}
