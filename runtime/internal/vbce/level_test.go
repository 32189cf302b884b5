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
	prev := current.Swap(int32(lv))
	t.Cleanup(func() { current.Store(prev) })
}

// TestSetLevel: the exported switch takes the names of Levels, "" for the
// fastest, and refuses others without changing the level.
func TestSetLevel(t *testing.T) {
	prev, err := SetLevel("")
	if err != nil {
		t.Fatal(err)
	}
	defer SetLevel(prev)
	for _, name := range Levels() {
		if _, err := SetLevel(name); err != nil || Level() != name {
			t.Fatalf("SetLevel(%q): %v, Level() = %q", name, err, Level())
		}
	}
	before := Level()
	if _, err := SetLevel("sse2"); err == nil || Level() != before {
		t.Errorf("SetLevel(\"sse2\"): %v, level %q, want an error and %q", err, Level(), before)
	}
	if got, err := SetLevel(""); err != nil || got != before || Level() != bestLevel.String() {
		t.Errorf("SetLevel(\"\") = %q, %v; level %q, want %q", got, err, Level(), bestLevel)
	}
}
