package runtime

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type testMeta struct {
	Model string  `json:"model"`
	LR    float64 `json:"lr"`
}

func trainedParams(t *testing.T, seed uint64) ([]*Param, *Adam) {
	t.Helper()
	s, err := NewScorer(ScorerConfig{Kind: ScorerMLP, In: 3, Hidden: []int{4}}, rand.New(rand.NewPCG(seed, 1)))
	require.NoError(t, err)
	a, err := NewAdam(s.Params(), DefaultAdam())
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		for _, p := range s.Params() {
			for k := range p.Grad {
				p.Grad[k] = float64(k+i) - 1.5
			}
		}
		require.NoError(t, a.Update())
	}
	return s.Params(), a
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt")
	ps, opt := trainedParams(t, 1)
	meta := testMeta{"mlp", 0.001}
	require.NoError(t, SaveCheckpoint(path, meta, map[string]int{"step": 3}, ps, opt))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	ck, err := LoadCheckpoint(path)
	require.NoError(t, err)
	require.NoError(t, ck.MatchMeta(meta))
	require.JSONEq(t, `{"step":3}`, string(ck.State))

	fresh, opt2 := trainedParams(t, 2) // other values
	opt2.Step = 0
	require.NoError(t, ck.Restore(fresh, opt2))
	for i, p := range ps {
		require.Equal(t, p.Value, fresh[i].Value)
		require.Equal(t, opt.M[i], opt2.M[i])
		require.Equal(t, opt.V[i], opt2.V[i])
	}
	require.Equal(t, opt.Step, opt2.Step)

	// Without optimiser state, only the weights.
	require.NoError(t, SaveCheckpoint(path, meta, nil, ps, nil))
	ck, err = LoadCheckpoint(path)
	require.NoError(t, err)
	require.NoError(t, ck.Restore(fresh, nil))
	require.ErrorIs(t, ck.Restore(fresh, opt2), ErrCheckpointMismatch)
}

func TestCheckpointCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt")
	ps, opt := trainedParams(t, 1)
	require.NoError(t, SaveCheckpoint(path, testMeta{"mlp", 1}, nil, ps, opt))
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not a checkpoint", []byte("hello, world, this is not a checkpoint file at all")},
		{"truncated", good[:len(good)/2]},
		{"flipped bit", func() []byte {
			b := append([]byte(nil), good...)
			b[len(b)/2] ^= 1
			return b
		}()},
		{"trailing garbage", append(append([]byte(nil), good...), 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.ckpt")
			require.NoError(t, os.WriteFile(p, tc.data, 0o644))
			_, err := LoadCheckpoint(p)
			require.ErrorIs(t, err, ErrCorruptCheckpoint)
		})
	}
	_, err = LoadCheckpoint(filepath.Join(dir, "missing.ckpt"))
	require.Error(t, err)
}

func TestCheckpointMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	ps, opt := trainedParams(t, 1)
	require.NoError(t, SaveCheckpoint(path, testMeta{"mlp", 0.001}, nil, ps, opt))
	ck, err := LoadCheckpoint(path)
	require.NoError(t, err)

	err = ck.MatchMeta(testMeta{"mlp", 0.01})
	require.ErrorIs(t, err, ErrCheckpointMismatch)
	require.ErrorContains(t, err, "lr: saved 0.001, now 0.01")

	other, err := NewScorer(ScorerConfig{Kind: ScorerMLP, In: 3, Hidden: []int{5}}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	before := append([]float64(nil), other.Params()[0].Value...)
	err = ck.Restore(other.Params(), nil)
	require.ErrorIs(t, err, ErrCheckpointMismatch)
	require.ErrorContains(t, err, "mlp0.W 3x4")
	require.Equal(t, before, other.Params()[0].Value, "a failed restore changes nothing")

	require.ErrorIs(t, ck.Restore(ps[:1], nil), ErrCheckpointMismatch)
}
