package asm

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// TestLocalOrder: the reordered steps are a permutation of the plan's that
// keeps every wire's comparators in network order, which is what makes the
// unrolled kernel compute the same values as the network.
func TestLocalOrder(t *testing.T) {
	for _, name := range networks.Names() {
		for _, n := range []int{2, 3, 5, 8, 13, 16, 32, 33, 64} {
			nw, err := networks.ByName(name, n)
			if err != nil {
				continue
			}
			p, err := plan.New(name, nw, plan.Swap{Func: plan.Hard}, plan.Float32)
			if err != nil {
				t.Fatal(err)
			}
			for _, capacity := range []int{15, 31} { // AVX2, AVX-512
				order := localOrder(p, capacity)
				if len(order) != len(p.Steps) {
					t.Fatalf("%s n=%d: %d steps, want %d", name, n, len(order), len(p.Steps))
				}
				seen := make([]bool, len(p.Steps))
				last := make([]int, n) // last step index seen on each wire
				for w := range last {
					last[w] = -1
				}
				for _, k := range order {
					if seen[k] {
						t.Fatalf("%s n=%d: step %d twice", name, n, k)
					}
					seen[k] = true
					for _, w := range []int{p.Steps[k].P, p.Steps[k].Q} {
						if last[w] > k {
							t.Fatalf("%s n=%d: step %d on wire %d after step %d", name, n, k, w, last[w])
						}
						last[w] = k
					}
				}
			}
		}
	}
}

var sortBody = map[string]*regexp.Regexp{
	"avx2":   regexp.MustCompile(`(?s)TEXT ·avx2Sort\(SB\).*?\n\tRET`),
	"avx512": regexp.MustCompile(`(?s)TEXT ·avx512Sort\(SB\).*?\n\tRET`),
}

// TestHardSortRegisters counts the instructions of unrolled hard sort
// kernels: one minimum and one maximum per comparator, and, thanks to the
// register cache and the reordering, few loads and stores (the table-driven
// kernel had four per comparator), fewer still in the AVX-512 kernel's 32
// registers. The bounds are today's counts.
func TestHardSortRegisters(t *testing.T) {
	for _, c := range []struct {
		network         string
		n               int
		swap            string
		e               plan.Elem
		maxMem, maxMem2 int // AVX2, AVX-512
	}{
		{"bitonic", 8, "hard", plan.Float32, 16, 16},
		{"bitonic", 32, "hard", plan.Float32, 204, 68},
		{"bitonic", 32, "errorfree", plan.Float64, 204, 68},
		{"odd_even", 32, "hard", plan.Float64, 268, 66},
		{"best", 32, "hard", plan.Float32, 144, 66},
		{"bitonic", 128, "hard", plan.Float32, 2428, 1624},
	} {
		p := testPlan(t, c.network, c.n, c.swap, "", c.e)
		files, err := Generate(p, "kernel")
		if err != nil {
			t.Fatal(err)
		}
		checkFiles(t, files)
		for level, re := range sortBody {
			maxMem := c.maxMem
			if level == "avx512" {
				maxMem = c.maxMem2
			}
			body := re.FindString(string(files[FileAsm]))
			suffix := "PS"
			if c.e == plan.Float64 {
				suffix = "PD"
			}
			mins := strings.Count(body, "\tVMIN"+suffix+" ")
			maxs := strings.Count(body, "\tVMAX"+suffix+" ")
			mem := strings.Count(body, "\tVMOVUP"+suffix[1:]+" ")
			if mins != len(p.Steps) || maxs != len(p.Steps) {
				t.Errorf("%s n=%d %s: %d minima and %d maxima for %d comparators", c.network, c.n, c.swap, mins, maxs, len(p.Steps))
			}
			if mem > maxMem || mem < 2*c.n {
				t.Errorf("%s %s n=%d %s: %d loads and stores, want %d..%d", level, c.network, c.n, c.swap, mem, 2*c.n, maxMem)
			}
			t.Logf("%s %s n=%d %s %v: %d comparators, %d loads and stores", level, c.network, c.n, c.swap, c.e, len(p.Steps), mem)
		}
	}
}
