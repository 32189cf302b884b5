package vbce

import (
	"fmt"
	"math"
	"sync/atomic"
	"unsafe"
)

// Float is the element type of the kernels.
type Float interface{ ~float32 | ~float64 }

// Log1m writes grad[i] = q/max(q(1-q), 1e-12)*inv for q = min(max(p[i],0),1)
// and returns the sum of max(log(1-q), -100). len(grad) must equal len(p).
func Log1m[T Float](grad, p []T, inv T) float64 { return run(grad, p, inv, false) }

// One is Log1m's correction for entries whose target is 1: it writes
// grad[i] = (q-1)/max(q(1-q), 1e-12)*inv and returns the sum of
// max(log(1-q), -100) - max(log(q), -100), so that adding it to Log1m's sum
// for those entries leaves their BCE term -max(log(q), -100) negated.
func One[T Float](grad, p []T, inv T) float64 { return run(grad, p, inv, true) }

// A level is an instruction set the kernels run on.
type level int

const (
	levelGo level = iota
	levelAVX2
	levelAVX512
)

func (lv level) String() string {
	return [...]string{"go", "avx2", "avx512"}[lv]
}

// regBytes is the width of the level's vector registers (0 for Go).
func (lv level) regBytes() int {
	return [...]int{0, 32, 64}[lv]
}

// current is the level Log1m, One and AllFinite run: the fastest the CPU
// and build have (bestLevel) unless SetLevel chose another. Every call
// reads it once.
var current atomic.Int32

func init() { current.Store(int32(bestLevel)) }

func useLevel() level { return level(current.Load()) }

// SetLevel selects the level of the package's kernels in the process and
// returns the previous one: "go", "avx2", "avx512", or "" for the fastest
// the CPU and build run. For benchmarks and tests; a level the CPU lacks
// is an error, and nothing changes.
func SetLevel(name string) (previous string, err error) {
	lv := bestLevel
	if name != "" {
		found := false
		for l := levelGo; l <= levelAVX512; l++ {
			if l.String() == name && supported(l) {
				lv, found = l, true
			}
		}
		if !found {
			return useLevel().String(), fmt.Errorf("vbce: level %q is not one of this CPU's %v", name, Levels())
		}
	}
	return level(current.Swap(int32(lv))).String(), nil
}

// Level names the level the kernels run.
func Level() string { return useLevel().String() }

// Levels lists the levels this CPU and build run, slowest ("go") first.
func Levels() []string {
	var names []string
	for l := levelGo; l <= levelAVX512; l++ {
		if supported(l) {
			names = append(names, l.String())
		}
	}
	return names
}

// run gives the whole vector blocks to the assembly and the rest to generic.
func run[T Float](grad, p []T, inv T, one bool) float64 {
	lv := useLevel()
	k := blockLen[T](lv, len(p))
	sum := 0.0
	if k > 0 {
		sum = blocks(lv, grad[:k], p[:k], inv, one)
	}
	return sum + generic(grad[k:len(p)], p[k:], inv, one)
}

// generic is Log1m (or, with one, One) in plain Go.
func generic[T Float](grad, p []T, inv T, one bool) float64 {
	grad = grad[:len(p)]
	target := 0.0
	if one {
		target = 1
	}
	sum := 0.0
	for i, v := range p {
		q := min(max(float64(v), 0), 1)
		if math.IsNaN(float64(v)) {
			q = 0
		}
		sum += max(math.Log(1-q), -100)
		if one {
			sum -= max(math.Log(q), -100)
		}
		grad[i] = T((q - target) / max(q*(1-q), 1e-12) * float64(inv))
	}
	return sum
}

// AllFinite reports whether no element of x is NaN or infinite. Named
// types derived from float32 or float64 are viewed as their underlying
// type (the branch on the size is resolved at compile time). On amd64 it
// runs the avo-generated kernel of asm.AllFiniteWide with AVX-512 (F, DQ),
// else that of asm.AllFinite with AVX2 and FMA; elsewhere and under the
// purego tag allFiniteGo32 or allFiniteGo64.
func AllFinite[T Float](x []T) bool {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return allFinite32(useLevel(), unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x)))
	}
	return allFinite64(useLevel(), unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x)))
}

// allFiniteGo32 is AllFinite in portable, branch-free Go: v - v is +0 for
// a finite v and NaN otherwise, so the OR of the bits of v - v over x is
// 0 exactly when every element is finite. Eight elements per iteration
// into four accumulators keep the loop free of branches and of
// dependencies between iterations (bench/README.md compares it with a
// loop testing v-v != 0); the exponent-bits test of the assembly is slower
// in Go, which moves every value from a vector to a general-purpose
// register first.
func allFiniteGo32(x []float32) bool {
	var a0, a1, a2, a3 uint32
	i := 0
	for ; i <= len(x)-8; i += 8 {
		v := x[i : i+8 : i+8]
		a0 |= math.Float32bits(v[0]-v[0]) | math.Float32bits(v[4]-v[4])
		a1 |= math.Float32bits(v[1]-v[1]) | math.Float32bits(v[5]-v[5])
		a2 |= math.Float32bits(v[2]-v[2]) | math.Float32bits(v[6]-v[6])
		a3 |= math.Float32bits(v[3]-v[3]) | math.Float32bits(v[7]-v[7])
	}
	for _, v := range x[i:] {
		a0 |= math.Float32bits(v - v)
	}
	return a0|a1|a2|a3 == 0
}

// allFiniteGo64 is allFiniteGo32 for float64.
func allFiniteGo64(x []float64) bool {
	var a0, a1, a2, a3 uint64
	i := 0
	for ; i <= len(x)-8; i += 8 {
		v := x[i : i+8 : i+8]
		a0 |= math.Float64bits(v[0]-v[0]) | math.Float64bits(v[4]-v[4])
		a1 |= math.Float64bits(v[1]-v[1]) | math.Float64bits(v[5]-v[5])
		a2 |= math.Float64bits(v[2]-v[2]) | math.Float64bits(v[6]-v[6])
		a3 |= math.Float64bits(v[3]-v[3]) | math.Float64bits(v[7]-v[7])
	}
	for _, v := range x[i:] {
		a0 |= math.Float64bits(v - v)
	}
	return a0|a1|a2|a3 == 0
}
