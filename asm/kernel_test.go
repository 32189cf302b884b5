package asm

import (
	"bytes"
	"go/format"
	"strings"
	"testing"

	"github.com/sortgen/sortgen/asm/avx2"
	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

func testPlan(t testing.TB, network string, n int, swap, base string, e plan.Elem) *plan.Plan {
	t.Helper()
	nw, err := networks.ByName(network, n)
	if err != nil {
		t.Fatal(err)
	}
	s, err := plan.ParseSwap(swap, base)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(network, nw, s, e)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkAsm fails on AVX-512 registers and instructions in an emitted
// assembly file.
func checkAsm(t *testing.T, name string, src []byte) {
	t.Helper()
	for _, bad := range avx2.FindAVX512(src) {
		t.Errorf("%s: %s", name, bad)
	}
}

// TestGenerateAll emits every swap and element type and checks the files:
// no AVX-512 register or instruction, gofmt-ed Go files, the header and
// the build constraints.
func TestGenerateAll(t *testing.T) {
	type sw struct{ swap, base string }
	swaps := []sw{{"hard", ""}}
	for _, f := range plan.SoftFuncs {
		swaps = append(swaps, sw{f.String(), ""}, sw{"errorfree", f.String()})
	}
	for _, s := range swaps {
		for _, e := range []plan.Elem{plan.Float32, plan.Float64} {
			for _, nw := range []struct {
				name string
				n    int
			}{{"odd_even", 5}, {"bitonic", 16}} {
				p := testPlan(t, nw.name, nw.n, s.swap, s.base, e)
				files, err := Generate(p, "kernel")
				if err != nil {
					t.Fatalf("%v %v: %v", s, e, err)
				}
				checkFiles(t, files)
			}
		}
	}
}

func checkFiles(t *testing.T, files map[string][]byte) {
	t.Helper()
	if len(files) != 3 {
		t.Errorf("got %d files, want 3", len(files))
	}
	for name, src := range files {
		if !bytes.HasPrefix(src, []byte(gen.Header+"\n\n//go:build !purego\n")) {
			t.Errorf("%s does not start with the header and the build constraint:\n%.200s", name, src)
		}
		switch {
		case strings.HasSuffix(name, ".s"):
			checkAsm(t, name, src)
		case strings.HasSuffix(name, ".go"):
			if !strings.HasSuffix(name, "_amd64.go") {
				t.Errorf("%s is not an amd64 file", name)
			}
			out, err := format.Source(src)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			} else if !bytes.Equal(out, src) {
				t.Errorf("%s is not gofmt-ed", name)
			}
		default:
			t.Errorf("unexpected file %s", name)
		}
	}
}

// TestLargeNetworks: the code does not grow with the network, and the step
// table of regular networks stays small.
func TestLargeNetworks(t *testing.T) {
	if testing.Short() {
		t.Skip("large networks")
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"bitonic", 128}, {"odd_even", 128}, {"bitonic", 1024}, {"odd_even", 1024}} {
		p := testPlan(t, c.name, c.n, "cauchy", "", plan.Float32)
		files, err := Generate(p, "kernel")
		if err != nil {
			t.Fatal(err)
		}
		checkFiles(t, files)
		src := string(files[FileAsm])
		text := strings.Count(src, "\n\t") - strings.Count(src, "\tDATA ")
		t.Logf("%s n=%d: %d comparators, %d runs, %d instruction lines, %d bytes of assembly",
			c.name, c.n, len(p.Steps), len(p.Runs()), text, len(src))
		if text > 4000 {
			t.Errorf("%d instruction lines", text)
		}
	}
}
