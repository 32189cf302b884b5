package vbce

import (
	"math"
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns a page of memory followed by an inaccessible page: a
// read past the end of the first page faults.
func guarded(t *testing.T) []byte {
	t.Helper()
	ps := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[ps:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return mem[:ps:ps]
}

// The kernels never read past the last element: slices that end where an
// inaccessible page starts.
func TestAllFiniteGuardPage(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			checkGuardPage(t, finiteImpls32(lv), finiteImpls64(lv))
		})
	}
}

func checkGuardPage(t *testing.T, impls32 []finiteImpl[float32], impls64 []finiteImpl[float64]) {
	page := guarded(t)
	f32 := unsafe.Slice((*float32)(unsafe.Pointer(&page[0])), len(page)/4)
	f64 := unsafe.Slice((*float64)(unsafe.Pointer(&page[0])), len(page)/8)
	for _, n := range finiteLengths() {
		if n > len(f64) {
			continue
		}
		x := f32[len(f32)-n:]
		for i := range x {
			x[i] = 1
		}
		for _, im := range impls32 {
			if !im.f(x) {
				t.Fatalf("%s: n=%d: not finite", im.name, n)
			}
		}
		if n > 0 {
			x[n-1] = float32(math.Inf(1))
			for _, im := range impls32 {
				if im.f(x) {
					t.Fatalf("%s: n=%d: +Inf last is finite", im.name, n)
				}
			}
		}
		y := f64[len(f64)-n:]
		for i := range y {
			y[i] = 1
		}
		for _, im := range impls64 {
			if !im.f(y) {
				t.Fatalf("%s: n=%d: not finite", im.name, n)
			}
		}
		if n > 0 {
			y[n-1] = math.Inf(-1)
			for _, im := range impls64 {
				if im.f(y) {
					t.Fatalf("%s: n=%d: -Inf last is finite", im.name, n)
				}
			}
		}
	}
}
