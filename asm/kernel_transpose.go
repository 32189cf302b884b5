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
// The AVX-512 layout (2L lanes, 64-byte rows) is two such transposes, of
// rows 0..L-1 into the first half of each scratch row and of rows L..2L-1
// into the second: AVX2 instructions suffice, at the speed of the memory.
// scrRow is the scratch row's width in bytes (avx2.LaneBytes, or
// avx2.ZMMBytes for the AVX-512 layout); the function is AVX2 code.
func (k *kbuilder) transposeKernel(stem string, in bool, scrRow int) {
	T := k.goType()
	lanes := scrRow / k.size()
	k.function(stem, "(dst, src *"+T+", stride, m int)",
		fmt.Sprintf("transposes between %d row-major rows (stride elements apart) and m lane-major rows of the scratch.", lanes))
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
	if scrRow == avx2.LaneBytes {
		k.transposeHalf(in, rows, scr, stride, m, scrRow)
	} else {
		// Two passes of one loop (the same registers): rows 0..L-1, then
		// rows L..2L-1 into the second half of each scratch row.
		left := k.GP64()
		k.MOVQ(operand.U32(2), left)
		next := k.GP64()
		k.IMUL3Q(operand.U8(uint8(Lanes(k.elem))), stride, next)
		passL := k.label("tpass")
		k.Label(passL)
		r, c, n := k.GP64(), k.GP64(), k.GP64()
		k.MOVQ(rows, r)
		k.MOVQ(scr, c)
		k.MOVQ(m, n)
		k.transposeHalf(in, r, c, stride, n, scrRow)
		k.ADDQ(next, rows)
		k.ADDQ(operand.U8(avx2.LaneBytes), scr)
		k.DECQ(left)
		k.JNZ(operand.LabelRef(passL))
	}
	k.VZEROUPPER()
	k.RET()
}

// transposeHalf emits the transpose of Lanes rows at rows (stride bytes
// apart) with m lane-major half rows at scr (rowBytes apart); it clobbers
// rows, scr and m.
func (k *kbuilder) transposeHalf(in bool, rows, scr, stride, m reg.GPVirtual, rowBytes int) {
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
