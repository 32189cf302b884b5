package registry

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func funcs32() *Funcs[float32] {
	return &Funcs[float32]{
		Sort:      func(y, x []float32, beta, lambda float64) error { copy(y, x); return nil },
		Forward:   func(y, tape, x []float32, beta, lambda float64) error { return nil },
		ForwardP:  func(y, pt, tape, diff, x []float32, beta, lambda float64) error { return nil },
		Backward:  func(gx, gy, tape []float32) error { return nil },
		BackwardP: func(gx, gy, gpt, tape, diff []float32) error { return nil },
	}
}

func kernel(pkg string, fp uint64) *Kernel {
	return &Kernel{
		Package: pkg, Network: "odd_even", N: 4, Swap: "cauchy", Elem: "float32",
		Fingerprint: fp, TapeLen: 6, DiffLen: 6,
		SetLevel: func(string) (string, error) { return "go", nil }, Level: func() string { return "go" },
		Levels:  func() []string { return []string{"go"} },
		Float32: funcs32(),
	}
}

// topK makes k a top-2 kernel.
func topK(k *Kernel) {
	k.TopK, k.XTapeLen = 2, 8
	k.Float32.ForwardTopK = func(top, xk, tape, xtape, x []float32, beta, lambda float64) error { return nil }
	k.Float32.BackwardTopK = func(gx, gtop, gxk, tape, xtape []float32) error { return nil }
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(k *Kernel)
		wants string // "" for valid
	}{
		{"valid", func(k *Kernel) {}, ""},
		{"no package", func(k *Kernel) { k.Package = "" }, "without a package path"},
		{"n < 2", func(k *Kernel) { k.N = 1 }, "N is 1"},
		{"no swap", func(k *Kernel) { k.Swap = "" }, "no network or swap"},
		{"negative tape", func(k *Kernel) { k.TapeLen = -1 }, "negative"},
		{"no SetLevel", func(k *Kernel) { k.SetLevel = nil }, "no SetLevel"},
		{"no Levels", func(k *Kernel) { k.Levels = nil }, "no SetLevel, Level or Levels"},
		{"unknown elem", func(k *Kernel) { k.Elem = "float16" }, `"float16"`},
		{"elem mismatch", func(k *Kernel) { k.Elem = "float64" }, "float32 entry points in a float64"},
		{"no funcs", func(k *Kernel) { k.Float32 = nil }, "no entry points"},
		{"no sort", func(k *Kernel) { k.Float32.Sort = nil }, "no Sort"},
		{"soft without backward", func(k *Kernel) { k.Float32.Backward = nil }, "without Forward, Backward"},
		{"top-k", topK, ""},
		{"top-k without X tape", func(k *Kernel) { topK(k); k.XTapeLen = 0 }, "top-k 2 with X tape length 0"},
		{"top-k of every wire", func(k *Kernel) { topK(k); k.TopK = 4 }, "top-k 4"},
		{"X tape without top-k", func(k *Kernel) { k.XTapeLen = 3 }, "top-k 0 with X tape length 3"},
		{"top-k without ForwardTopK", func(k *Kernel) { topK(k); k.Float32.ForwardTopK = nil }, "without ForwardTopK"},
		{"soft top-k without BackwardTopK", func(k *Kernel) { topK(k); k.Float32.BackwardTopK = nil }, "without ForwardTopK or BackwardTopK"},
		{"sorting kernel with top-k entry points", func(k *Kernel) { topK(k); k.TopK, k.XTapeLen = 0, 0 }, "sorting kernel with top-k"},
		{"hard without backward", func(k *Kernel) {
			k.Swap = "hard"
			k.Float32.Backward, k.Float32.Forward, k.Float32.BackwardP = nil, nil, nil
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := kernel("example.com/k", 1)
			tc.edit(k)
			err := k.Validate()
			if tc.wants == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wants)
		})
	}
	require.Error(t, (*Kernel)(nil).Validate())
}

func TestRegister(t *testing.T) {
	first := kernel("example.com/first", 0xfeed)
	require.NoError(t, Register(first))

	got, ok := Lookup(0xfeed, 0, "cauchy", "", "float32")
	require.True(t, ok)
	require.Same(t, first, got)
	for _, miss := range []struct {
		fp               uint64
		swap, base, elem string
	}{{0xfeee, "cauchy", "", "float32"}, {0xfeed, "logistic", "", "float32"}, {0xfeed, "cauchy", "cauchy", "float32"}, {0xfeed, "cauchy", "", "float64"}} {
		_, ok := Lookup(miss.fp, 0, miss.swap, miss.base, miss.elem)
		require.False(t, ok, "%+v", miss)
	}

	// The first registration of a configuration wins.
	second := kernel("example.com/second", 0xfeed)
	err := Register(second)
	require.ErrorIs(t, err, ErrConflict)
	require.ErrorContains(t, err, "example.com/first")
	got, _ = Lookup(0xfeed, 0, "cauchy", "", "float32")
	require.Same(t, first, got)

	// A top-k kernel of the same network is another configuration.
	top := kernel("example.com/top", 0xfeed)
	topK(top)
	require.NoError(t, Register(top))
	got, _ = Lookup(0xfeed, 2, "cauchy", "", "float32")
	require.Same(t, top, got)
	_, ok = Lookup(0xfeed, 3, "cauchy", "", "float32")
	require.False(t, ok)

	bad := kernel("example.com/bad", 0xbad)
	bad.N = 0
	require.Error(t, Register(bad))
	_, ok = Lookup(0xbad, 0, "cauchy", "", "float32")
	require.False(t, ok)

	rej := Rejected()
	require.Len(t, rej, 2)
	require.True(t, errors.Is(rej[0], ErrConflict))
	require.Contains(t, All(), first)
	require.NotContains(t, All(), second)
}
