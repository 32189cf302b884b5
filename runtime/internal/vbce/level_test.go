package vbce

import "testing"

// levels are every level of the package, slowest first.
var levels = []level{levelGo, levelAVX2, levelAVX512}

// atLevel makes the package run lv until the end of the test, or skips
// the test where this CPU or build lacks lv.
func atLevel(t testing.TB, lv level) {
	t.Helper()
	if !supported(lv) {
		t.Skipf("level %s: not on this CPU or build", lv)
	}
	prev := useLevel
	useLevel = lv
	t.Cleanup(func() { useLevel = prev })
}
