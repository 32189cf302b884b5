package main

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/bench/internal/mnist"
)

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-losses", "ce,bce"}, `unknown loss "bce"`},
		{[]string{"-pk", "0.5,x"}, "-pk"},
		{[]string{"-epochs", "0"}, "-epochs"},
		{[]string{"-lr", "-1"}, "-lr"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		err := run(tc.args, &bytes.Buffer{})
		var usage *usageError
		require.ErrorAs(t, err, &usage, "%q", tc.args)
		require.ErrorContains(t, err, tc.want, "%q", tc.args)
	}
}

// The top-k loss rejects a P_K that is not a distribution before any
// training.
func TestTopKLossConfig(t *testing.T) {
	_, err := newTopKLoss(options{Network: "splitter_selection", Swap: "cauchy", Steepness: 10, PK: []float64{0.5, 0.6}, Top1Mode: "sm"})
	require.Error(t, err)
	l, err := newTopKLoss(options{Network: "splitter_selection", Swap: "cauchy", Steepness: 10, PK: []float64{0.5, 0, 0.5}, Top1Mode: "sm"})
	require.NoError(t, err)
	require.NotNil(t, l)
}

func TestCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 3
	logits := make([]float64, batch*classes)
	for i := range logits {
		logits[i] = 3 * rng.NormFloat64()
	}
	labels := []int{0, 7, 9}
	g := make([]float64, len(logits))
	v, err := crossEntropy{}.Loss(g, logits, labels)
	require.NoError(t, err)
	require.Greater(t, v, 0.0)
	scratch := make([]float64, len(logits))
	for i := range logits {
		const h = 1e-6
		old := logits[i]
		logits[i] = old + h
		up, _ := crossEntropy{}.Loss(scratch, logits, labels)
		logits[i] = old - h
		down, _ := crossEntropy{}.Loss(scratch, logits, labels)
		logits[i] = old
		require.InDelta(t, (up-down)/(2*h), g[i], 1e-7, "logit %d", i)
	}
	_, err = crossEntropy{}.Loss(g[:5], logits, labels)
	require.Error(t, err)
}

// A short run on real MNIST learns with both losses.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	if _, err := mnist.FindDir(); err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	var out bytes.Buffer
	require.NoError(t, run([]string{"-epochs", "1", "-limit", "3000", "-quiet"}, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4, out.String()) // header, rule, ce, topk
	for _, l := range lines[2:] {
		var top1, top5 float64
		f := strings.Split(l, "|")
		_, err := fmtSscan(f[2], &top1)
		require.NoError(t, err, l)
		_, err = fmtSscan(f[3], &top5)
		require.NoError(t, err, l)
		require.Greater(t, top1, 70.0, l)
		require.Greater(t, top5, 95.0, l)
		require.False(t, math.IsNaN(top1))
	}
}

// fmtSscan reads a percentage such as " 93.56% ".
func fmtSscan(s string, v *float64) (int, error) {
	return fmt.Sscanf(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), "%g", v)
}
