package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
)

// refTopKLoss is difftopk's loss written out from its definition on the
// full P path: pre-selection by a stable sort, S_k' summed from P's
// columns, dL/dP through Backward, the softmax terms on their own.
func refTopKLoss(t *testing.T, l *TopKCrossEntropy[float64], logits []float64, labels []int) (float64, []float64) {
	cfg := l.cfg
	c, n, k := cfg.Classes, l.S.N(), len(cfg.PK)
	batch := len(labels)
	sel := make([]int, 0, batch*n)
	for b := range batch {
		if cfg.M == 0 {
			for i := range c {
				sel = append(sel, i)
			}
			continue
		}
		var others []int
		for i := range c {
			if i != labels[b] {
				others = append(others, i)
			}
		}
		row := logits[b*c : (b+1)*c]
		sort.SliceStable(others, func(i, j int) bool { return row[others[i]] > row[others[j]] })
		sel = append(sel, labels[b])
		sel = append(sel, others[:cfg.M-1]...)
	}
	x := make([]float64, batch*n)
	for b := range batch {
		for j := range n {
			x[b*n+j] = logits[b*c+sel[b*n+j]]
		}
	}
	f, err := l.S.Forward(x, WantP|WantGrad)
	require.NoError(t, err)
	p := f.P()
	mode := cfg.Top1Mode
	if mode == "" {
		mode = "sm"
	}
	gP := make([]float64, batch*n*n)
	gsoft := make([]float64, batch*n)
	var loss float64
	for b := range batch {
		label := labels[b]
		if cfg.M > 0 {
			label = 0
		}
		pl := p[b*n*n+label*n : b*n*n+(label+1)*n]
		sk := func(kp int) float64 { // S_k'[label]
			s := 0.0
			for j := n - kp; j < n; j++ {
				s += pl[j]
			}
			return s
		}
		from := 2
		if mode == "sort" {
			from = 1
		}
		q, rest := 0.0, 0.0
		for kp := from; kp <= k; kp++ {
			q += cfg.PK[kp-1] * sk(kp)
			rest += cfg.PK[kp-1]
		}
		row := x[b*n : (b+1)*n]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		z := 0.0
		for _, v := range row {
			z += math.Exp(v - mx)
		}
		sm := func(i int) float64 { return math.Exp(row[i]-mx) / z }
		if mode == "sm" {
			q += cfg.PK[0] * sm(label)
		}
		dq := -(1 - 2e-7) / (q*(1-2e-7) + 1e-7) / float64(batch)
		switch mode {
		case "sm", "sort":
			loss -= math.Log(q*(1-2e-7) + 1e-7)
		case "smce":
			loss += cfg.PK[0]*-math.Log(sm(label)) - rest*math.Log(q*(1-2e-7)+1e-7)
			dq *= rest
		}
		for kp := from; kp <= k; kp++ {
			for j := n - kp; j < n; j++ {
				gP[b*n*n+label*n+j] += dq * cfg.PK[kp-1]
			}
		}
		for i := range n {
			delta := 0.0
			if i == label {
				delta = 1
			}
			switch mode {
			case "sm":
				gsoft[b*n+i] = dq * cfg.PK[0] * sm(label) * (delta - sm(i))
			case "smce":
				gsoft[b*n+i] = cfg.PK[0] * (sm(i) - delta) / float64(batch)
			}
		}
	}
	g, err := l.S.Backward(f, nil, gP)
	require.NoError(t, err)
	grad := make([]float64, batch*c)
	for b := range batch {
		for j := range n {
			grad[b*c+sel[b*n+j]] += g[b*n+j] + gsoft[b*n+j]
		}
	}
	return loss / float64(batch), grad
}

var topKLossCases = []struct {
	network string
	classes int
	pk      []float64
	m       int
}{
	{"odd_even", 6, []float64{0.5, 0.3, 0.2}, 0},
	{"odd_even", 5, []float64{1}, 0},
	{plan.SplitterSelection, 10, []float64{0.8, 0, 0.2}, 6},
	{"bitonic", 9, []float64{0.5, 0.5}, 5},
}

// The loss and its gradient equal the full-P formulation for every mode,
// with and without pre-selection, for soft swaps and errorfree; for the
// soft swaps the gradient is also checked by central finite differences
// (errorfree's gradient is the straight-through one, not the derivative of
// its hard forward pass).
func TestTopKCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	for _, tc := range topKLossCases {
		for _, mode := range []string{"sm", "smce", "sort", ""} {
			for _, swap := range []string{"cauchy", "logistic", "errorfree"} {
				name := fmt.Sprintf("%s c=%d k=%d m=%d %q %s", tc.network, tc.classes, len(tc.pk), tc.m, mode, swap)
				t.Run(name, func(t *testing.T) {
					cfg := TopKLossConfig{Network: tc.network, Swap: swap, Steepness: 2, ARTLambda: 0.25,
						Classes: tc.classes, PK: tc.pk, M: tc.m, Top1Mode: mode, Backend: Interpreter}
					l, err := NewTopKCrossEntropy[float64](cfg)
					require.NoError(t, err)
					require.Equal(t, len(tc.pk), l.K())
					const batch = 4
					logits := randRows(rng, batch, tc.classes, 1)
					labels := make([]int, batch)
					for b := range labels {
						labels[b] = rng.IntN(tc.classes)
					}
					g := make([]float64, len(logits))
					loss, err := l.Loss(g, logits, labels)
					require.NoError(t, err)
					wantLoss, wantG := refTopKLoss(t, l, logits, labels)
					require.InDelta(t, wantLoss, loss, 1e-12*math.Max(1, wantLoss), "loss")
					require.LessOrEqual(t, relErrT(g, wantG), 1e-12, "gradient\n got %v\nwant %v", g, wantG)
					only, err := l.Loss(nil, logits, labels)
					require.NoError(t, err)
					require.Equal(t, loss, only, "loss without the gradient")
					if tc.m > 0 {
						for b := range batch {
							zeros := 0
							for _, v := range g[b*tc.classes : (b+1)*tc.classes] {
								if v == 0 {
									zeros++
								}
							}
							require.GreaterOrEqual(t, zeros, tc.classes-tc.m, "unselected classes get no gradient")
						}
					}
					if swap == "errorfree" {
						return
					}
					const h = 1e-6
					for i := range logits {
						lp, lm := append([]float64(nil), logits...), append([]float64(nil), logits...)
						lp[i] += h
						lm[i] -= h
						fp, err := l.Loss(nil, lp, labels)
						require.NoError(t, err)
						fm, err := l.Loss(nil, lm, labels)
						require.NoError(t, err)
						fd := (fp - fm) / (2 * h)
						require.InDelta(t, fd, g[i], 1e-6*math.Max(1, math.Abs(fd)), "dL/dlogits[%d]", i)
					}
				})
			}
		}
	}
}

// In float32 the loss and gradient follow float64's.
func TestTopKCrossEntropyFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	cfg := TopKLossConfig{Network: plan.SplitterSelection, Swap: "cauchy", Steepness: 3, ARTLambda: 0.25,
		Classes: 12, PK: []float64{0.6, 0.2, 0.2}, M: 7, Top1Mode: "sm", Backend: Interpreter}
	l64, err := NewTopKCrossEntropy[float64](cfg)
	require.NoError(t, err)
	l32, err := NewTopKCrossEntropy[float32](cfg)
	require.NoError(t, err)
	const batch = 8
	logits := randRows(rng, batch, 12, 2)
	labels := make([]int, batch)
	for b := range labels {
		labels[b] = rng.IntN(12)
	}
	g64 := make([]float64, len(logits))
	loss64, err := l64.Loss(g64, logits, labels)
	require.NoError(t, err)
	g32 := make([]float32, len(logits))
	loss32, err := l32.Loss(g32, convert([]float32(nil), logits), labels)
	require.NoError(t, err)
	require.InDelta(t, loss64, loss32, 1e-5*loss64)
	require.LessOrEqual(t, relErrT(convert([]float64(nil), g32), g64), 1e-5)
}

func TestTopKCrossEntropyErrors(t *testing.T) {
	good := TopKLossConfig{Network: "odd_even", Swap: "cauchy", Steepness: 10, Classes: 6, PK: []float64{0.5, 0.5}}
	for _, tc := range []struct {
		name   string
		change func(c *TopKLossConfig)
		want   string
	}{
		{"mode", func(c *TopKLossConfig) { c.Top1Mode = "ce" }, `runtime: top-1 mode "ce", want "sm", "smce" or "sort"`},
		{"no PK", func(c *TopKLossConfig) { c.PK = nil }, "runtime: top-k loss needs PK, the distribution over k"},
		{"classes", func(c *TopKLossConfig) { c.Classes = 1 }, "runtime: top-k loss needs at least 2 classes, got 1"},
		{"M = k", func(c *TopKLossConfig) { c.M = 2 }, "runtime: pre-selection M=2, want 0 or k < M < classes (k=2, classes=6)"},
		{"M = c", func(c *TopKLossConfig) { c.M = 6 }, "runtime: pre-selection M=6, want 0 or k < M < classes (k=2, classes=6)"},
		{"M < 0", func(c *TopKLossConfig) { c.M = -1 }, "runtime: pre-selection M=-1, want 0 or k < M < classes (k=2, classes=6)"},
		{"k = c", func(c *TopKLossConfig) { c.Classes = 2 }, "runtime: k=2 (len(PK)) must be below the 2 classes"},
		{"negative PK", func(c *TopKLossConfig) { c.PK = []float64{1.5, -0.5} }, "runtime: PK[1] = -0.5, want a finite probability"},
		{"NaN PK", func(c *TopKLossConfig) { c.PK = []float64{math.NaN(), 1} }, "runtime: PK[0] = NaN, want a finite probability"},
		{"PK sum", func(c *TopKLossConfig) { c.PK = []float64{0.5, 0.4} }, "runtime: PK sums to 0.9, not 1 (within 1e-4)"},
		{"hard", func(c *TopKLossConfig) { c.Swap = "hard" }, "runtime: the top-k loss trains through the sorter, and swap hard is not differentiable"},
		{"network", func(c *TopKLossConfig) { c.Network = "nope" }, ""},
	} {
		cfg := good
		tc.change(&cfg)
		_, err := NewTopKCrossEntropy[float64](cfg)
		if tc.want == "" {
			require.Error(t, err, tc.name)
			continue
		}
		require.EqualError(t, err, tc.want, tc.name)
	}
	cfg := good
	cfg.PK = []float64{0.50004, 0.49999} // within 1e-4
	_, err := NewTopKCrossEntropy[float64](cfg)
	require.NoError(t, err)

	l, err := NewTopKCrossEntropy[float64](good)
	require.NoError(t, err)
	logits := []float64{1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1}
	nan := append([]float64(nil), logits...)
	nan[8] = math.NaN()
	g := make([]float64, len(logits))
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"nil logits", func() error { _, err := l.Loss(g, nil, nil); return err }, "runtime: logits have length 0, not a positive multiple of 6 classes"},
		{"short logits", func() error { _, err := l.Loss(nil, logits[:5], []int{0}); return err }, "runtime: logits have length 5, not a positive multiple of 6 classes"},
		{"labels", func() error { _, err := l.Loss(g, logits, []int{0}); return err }, "runtime: 1 labels for 2 rows of logits"},
		{"label range", func() error { _, err := l.Loss(g, logits, []int{0, 6}); return err }, "runtime: label 6 of row 1 is not in [0, 6)"},
		{"negative label", func() error { _, err := l.Loss(g, logits, []int{-1, 0}); return err }, "runtime: label -1 of row 0 is not in [0, 6)"},
		{"gradient length", func() error { _, err := l.Loss(g[:3], logits, []int{0, 1}); return err }, "runtime: gLogits has length 3, want 12"},
		{"NaN", func() error { _, err := l.Loss(g, nan, []int{0, 1}); return err }, "runtime: input is NaN or infinite: logits[8] (row 1) = NaN"},
	} {
		var err error
		require.NotPanics(t, func() { err = tc.call() }, tc.name)
		require.EqualError(t, err, tc.want, tc.name)
	}
}

// A steady training loop on the loss allocates nothing.
func TestTopKCrossEntropyAllocatesNothing(t *testing.T) {
	cfg := TopKLossConfig{Network: plan.SplitterSelection, Swap: "cauchy", Steepness: 3, Classes: 20,
		PK: []float64{0.5, 0.25, 0.25}, M: 9, Top1Mode: "sm", Workers: 1}
	l, err := NewTopKCrossEntropy[float32](cfg)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(4, 4))
	logits := genRows[float32](rng, 16, 20)
	labels := make([]int, 16)
	for b := range labels {
		labels[b] = rng.IntN(20)
	}
	g := make([]float32, len(logits))
	step := func() {
		_, err := l.Loss(g, logits, labels)
		require.NoError(t, err)
	}
	step()
	// The earlier tests' sorters are collected first, and the runs are
	// many, so that a pool refilled after a collection does not count.
	goruntime.GC()
	require.Zero(t, testing.AllocsPerRun(100, step))
}
