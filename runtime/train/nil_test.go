package train

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// Nil pointers and nil slices given to the public entry points are errors
// that say what is missing, never a panic.
func TestNilArguments(t *testing.T) {
	const n = 4
	ranks := []int{3, 1, 2, 0, 1, 0, 2, 3}
	rng := rand.New(rand.NewPCG(1, 2))
	scfg := ScorerConfig{Kind: ScorerLinear, In: 3}
	scorer, err := NewScorer(scfg, rng)
	require.NoError(t, err)
	model, err := NewModel(ModelConfig{Scorer: scfg, Network: "odd_even", N: n, Swap: "cauchy", Steepness: 10}, rng)
	require.NoError(t, err)
	p := NewParam("w", 1, 2)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	require.NoError(t, SaveCheckpoint(path, nil, nil, []*Param{p}, nil))
	ck, err := LoadCheckpoint(path)
	require.NoError(t, err)

	const nilRand = "train: rng is nil (initial weights need a random source)"
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"RankAccuracy nil scores", func() error { _, err := RankAccuracy(nil, ranks, n); return err }, "train: 0 scores but 8 ranks"},
		{"NewScorer nil rng", func() error { _, err := NewScorer(scfg, nil); return err }, nilRand},
		{"NewModel nil rng", func() error { _, err := NewModel(model.Config, nil); return err }, nilRand},
		{"NewSelfAttention nil rng", func() error { _, err := NewSelfAttention("a", 2, 4, 2, nil); return err }, nilRand},
		{"NewEncoderLayer nil rng", func() error { _, err := NewEncoderLayer("e", 2, 4, 2, 8, nil); return err }, nilRand},
		{"Scorer.Forward nil x", func() error { _, err := scorer.Forward(nil); return err }, "train: scorer input x is nil"},
		{"Scorer.Backward before Forward", func() error { return scorer.Backward(nil) }, "train: scorer backward needs a forward pass first"},
		{"Model.Scores nil x", func() error { _, err := model.Scores(nil); return err }, "train: scorer input x is nil"},
		{"Model.Train nil x", func() error { _, err := model.Train(nil, ranks); return err }, "train: model input x is nil"},
		{"Model.Train nil ranks", func() error { _, err := model.Train(mat.NewDense(8, 3, nil), nil); return err }, "train: 8 items but 0 ranks"},
		{"NewAdam nil param", func() error { _, err := NewAdam([]*Param{p, nil}, DefaultAdam()); return err }, "train: parameter 1 is nil"},
		{"SaveCheckpoint nil param", func() error { return SaveCheckpoint(path, nil, nil, []*Param{nil}, nil) }, "train: parameter 0 is nil"},
		{"Restore nil param", func() error { return ck.Restore([]*Param{nil}, nil) }, "train: parameter 0 is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			require.EqualError(t, err, tc.want)
		})
	}
}
