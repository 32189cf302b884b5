package train

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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

// Parameters and optimiser state that Adam and checkpoints would index out
// of range (nil, values or gradients that do not match the shape, moments
// that do not match the values) are errors that change nothing.
func TestParamsChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	ps, opt := trainedParams(t, 1)
	require.NoError(t, SaveCheckpoint(path, testMeta{"mlp", 1}, nil, ps, opt))
	ck, err := LoadCheckpoint(path)
	require.NoError(t, err)
	fresh, opt2 := trainedParams(t, 2)
	before := slices.Clone(fresh[0].Value)

	short := NewParam("short", 2, 3)
	short.Value = short.Value[:5]
	noGrad := NewParam("nograd", 2, 3)
	noGrad.Grad = nil
	for _, tc := range []struct {
		name string
		ps   []*Param
		want string
	}{
		{"nil", []*Param{fresh[0], nil}, "train: parameter 1 is nil"},
		{"short values", []*Param{short}, "train: parameter 0 (short) is 2x3 with 5 values and 6 gradients"},
		{"no gradients", []*Param{noGrad}, "train: parameter 0 (nograd) is 2x3 with 6 values and 0 gradients"},
		{"duplicate", []*Param{fresh[0], fresh[0]}, `train: duplicate parameter name "mlp0.W"`},
	} {
		_, err := NewAdam(tc.ps, DefaultAdam())
		require.EqualError(t, err, tc.want, "NewAdam %s", tc.name)
		require.EqualError(t, SaveCheckpoint(path, nil, nil, tc.ps, nil), tc.want, "SaveCheckpoint %s", tc.name)
		require.EqualError(t, ck.Restore(tc.ps, nil), tc.want, "Restore %s", tc.name)
	}

	// An optimiser whose exported fields were changed after NewAdam.
	opt2.Params[1] = nil
	require.EqualError(t, opt2.Update(), "train: optimiser parameter 1 is nil")
	require.EqualError(t, SaveCheckpoint(path, nil, nil, fresh, opt2), "train: optimiser parameter 1 is nil")
	opt2.Params[1] = fresh[1]
	opt2.M[2] = opt2.M[2][:1]
	require.EqualError(t, opt2.Update(), "train: optimiser moments of mlp1.W have 1 and 4 entries, want 4")
	require.EqualError(t, ck.Restore(fresh, opt2), "train: optimiser moments of mlp1.W have 1 and 4 entries, want 4")
	require.EqualError(t, SaveCheckpoint(path, nil, nil, fresh[:3], opt2), "train: optimiser has 4 parameters, the model 3")
	require.Equal(t, before, fresh[0].Value, "a refused call changes nothing")

	// A Checkpoint built by hand.
	bad := &Checkpoint{Params: []*Param{nil}}
	require.ErrorIs(t, bad.Restore([]*Param{NewParam("w", 1, 1)}, nil), ErrCorruptCheckpoint)
	bad = &Checkpoint{Params: []*Param{{Name: "w", Rows: 1, Cols: 2, Value: []float64{1}}}}
	require.EqualError(t, bad.Restore([]*Param{NewParam("w", 1, 2)}, nil), "train: corrupt checkpoint: parameter 0 (w) is 1x2 with 1 values")
}

// craftCheckpoint writes a file in the checkpoint format, with a valid
// CRC, from a header and data given as they are.
func craftCheckpoint(t *testing.T, header string, data []byte) string {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	require.NoError(t, binary.Write(&buf, binary.LittleEndian, uint64(len(header))))
	buf.WriteString(header)
	buf.Write(data)
	require.NoError(t, binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes())))
	path := filepath.Join(t.TempDir(), "crafted.ckpt")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path
}

// A header whose shapes the data cannot hold is corrupt, also where the
// byte count overflows to what the file has (2^31 x 2^30 float64s are
// 2^64 bytes, i.e. 0), instead of a huge allocation.
func TestCheckpointForgedShape(t *testing.T) {
	for _, tc := range []struct {
		name, params string
		adam         bool
		data         int
		want         string
	}{
		{"2^31 x 2^30, no data", `{"name":"w","rows":2147483648,"cols":1073741824}`, false, 0,
			"parameter w has shape 2147483648x1073741824, more than the 0 bytes of data hold"},
		{"2^31 x 2^30 with Adam", `{"name":"w","rows":2147483648,"cols":1073741824}`, true, 0,
			"parameter w has shape 2147483648x1073741824, more than the 0 bytes of data hold"},
		{"2^61+1 x 1, 8 bytes", `{"name":"w","rows":2305843009213693953,"cols":1}`, false, 8,
			"parameter w has shape 2305843009213693953x1, more than the 8 bytes of data hold"},
		{"second parameter past the data", `{"name":"a","rows":1,"cols":1},{"name":"b","rows":1,"cols":4611686018427387904}`, false, 8,
			"parameter b has shape 1x4611686018427387904, more than the 8 bytes of data hold"},
		{"a little short", `{"name":"w","rows":2,"cols":2}`, false, 24,
			"parameter w has shape 2x2, more than the 24 bytes of data hold"},
		{"a little long", `{"name":"w","rows":2,"cols":2}`, false, 40,
			"data is 40 bytes, header wants 32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := fmt.Sprintf(`{"meta":{},"params":[%s],"has_adam":%v,"adam_step":0}`, tc.params, tc.adam)
			path := craftCheckpoint(t, header, make([]byte, tc.data))
			var err error
			require.NotPanics(t, func() { _, err = LoadCheckpoint(path) })
			require.ErrorIs(t, err, ErrCorruptCheckpoint)
			require.EqualError(t, err, "train: corrupt checkpoint "+path+": "+tc.want)
		})
	}
	// The same crafting gives a loadable file when the shape is honest.
	path := craftCheckpoint(t, `{"meta":{},"params":[{"name":"w","rows":1,"cols":2}],"has_adam":false,"adam_step":0}`,
		binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, math.Float64bits(1.5)), math.Float64bits(-2)))
	ck, err := LoadCheckpoint(path)
	require.NoError(t, err)
	require.Equal(t, []float64{1.5, -2}, ck.Params[0].Value)
}
