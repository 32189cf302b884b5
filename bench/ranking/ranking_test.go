package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/sortgen/sortgen/bench/internal/mnist"
	"github.com/sortgen/sortgen/runtime"
	"github.com/sortgen/sortgen/runtime/train"
)

func synthOptions(t *testing.T, swap, scorer string, steps int) options {
	return options{Data: "synthetic", N: 4, Network: "odd_even", Swap: swap, Steepness: 10, Scorer: scorer,
		Hidden: 16, D: 8, Heads: 2, Layers: 1, FeatureWeight: 1, Batch: 50, LR: 0.01, Seed: 3,
		ValidSize: 300, TestSize: 500, Steps: steps, EvalEvery: 50, Out: t.TempDir()}
}

// The smoke run of the issue: on random items with a hidden linear score,
// training from orderings alone lowers the loss and lifts acc_em far above
// chance (1/4! ~ 0.04), for both swap functions.
func TestSyntheticSmoke(t *testing.T) {
	cases := []struct{ swap, scorer string }{
		{"cauchy", train.ScorerLinear},
		{"errorfree", train.ScorerLinear},
		{"cauchy", train.ScorerMLP},
		{"errorfree", train.ScorerTransformer},
	}
	for _, tc := range cases {
		t.Run(tc.swap+"/"+tc.scorer, func(t *testing.T) {
			o := synthOptions(t, tc.swap, tc.scorer, 300)
			res, err := runTraining(o, newSynthetic(o.N, 16, o.Seed, o.ValidSize, o.TestSize))
			require.NoError(t, err)
			require.Len(t, res.Curve, 6)
			first, last := res.Curve[0], res.Curve[len(res.Curve)-1]
			require.Less(t, last.Loss, 0.7*first.Loss, "loss falls")
			require.Greater(t, res.Test.EM, 0.6, "acc_em far above chance")
			require.Greater(t, res.Test.EW, res.Test.EM)
			for _, f := range []string{lastCkpt, bestCkpt, logCSV, curvePNG, resultJS} {
				_, err := os.Stat(filepath.Join(o.Out, f))
				require.NoError(t, err, f)
			}
		})
	}
}

// A run stopped and resumed ends exactly where an uninterrupted run ends:
// weights, optimiser state and data stream all continue.
func TestResumeIsExact(t *testing.T) {
	data := func(o options) dataSource { return newSynthetic(o.N, 16, o.Seed, o.ValidSize, o.TestSize) }
	whole := synthOptions(t, "errorfree", train.ScorerMLP, 100)
	rw, err := runTraining(whole, data(whole))
	require.NoError(t, err)

	part := synthOptions(t, "errorfree", train.ScorerMLP, 50)
	_, err = runTraining(part, data(part))
	require.NoError(t, err)
	part.Steps, part.Resume = 100, true
	rp, err := runTraining(part, data(part))
	require.NoError(t, err)

	require.Equal(t, rw.Test, rp.Test)
	require.Equal(t, len(rw.Curve), len(rp.Curve))
	for i := range rw.Curve {
		require.Equal(t, rw.Curve[i].Loss, rp.Curve[i].Loss)
		require.Equal(t, rw.Curve[i].ValidEM, rp.Curve[i].ValidEM)
	}
	a, err := train.LoadCheckpoint(filepath.Join(whole.Out, lastCkpt))
	require.NoError(t, err)
	b, err := train.LoadCheckpoint(filepath.Join(part.Out, lastCkpt))
	require.NoError(t, err)
	for i := range a.Params {
		require.Equal(t, a.Params[i].Value, b.Params[i].Value)
		require.Equal(t, a.M[i], b.M[i])
	}
	require.Equal(t, a.AdamStep, b.AdamStep)
}

func TestCheckpointSafety(t *testing.T) {
	o := synthOptions(t, "cauchy", train.ScorerLinear, 50)
	data := newSynthetic(o.N, 16, o.Seed, o.ValidSize, o.TestSize)
	_, err := runTraining(o, data)
	require.NoError(t, err)
	path := filepath.Join(o.Out, lastCkpt)
	saved, err := os.ReadFile(path)
	require.NoError(t, err)

	t.Run("existing run needs -resume or -force", func(t *testing.T) {
		_, err := runTraining(o, data)
		require.ErrorContains(t, err, "-resume")
	})
	t.Run("mismatched flags", func(t *testing.T) {
		m := o
		m.Resume, m.Steps, m.LR = true, 100, 0.02
		_, err := runTraining(m, data)
		require.ErrorIs(t, err, train.ErrCheckpointMismatch)
		require.ErrorContains(t, err, "lr")
		now, _ := os.ReadFile(path)
		require.Equal(t, saved, now, "never overwritten")
	})
	t.Run("corrupt checkpoint", func(t *testing.T) {
		bad := append([]byte(nil), saved...)
		bad[len(bad)/3] ^= 0x40
		require.NoError(t, os.WriteFile(path, bad, 0o644))
		m := o
		m.Resume, m.Steps = true, 100
		_, err := runTraining(m, data)
		require.ErrorIs(t, err, train.ErrCorruptCheckpoint)
		now, _ := os.ReadFile(path)
		require.Equal(t, bad, now, "never overwritten")
	})
	t.Run("resume without checkpoint", func(t *testing.T) {
		m := o
		m.Out, m.Resume = t.TempDir(), true
		_, err := runTraining(m, data)
		require.ErrorContains(t, err, "no checkpoint")
	})
	t.Run("force starts over", func(t *testing.T) {
		m := o
		m.Force = true
		_, err := runTraining(m, data)
		require.NoError(t, err)
	})
}

func TestRunFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-data", "cifar"}, "unknown -data"},
		{[]string{"-data", "synthetic", "-steps", "0", "-out", t.TempDir()}, "-steps"},
		{[]string{"-data", "synthetic", "-swap", "bogus", "-out", t.TempDir()}, "unknown swap"},
		{[]string{"-data", "synthetic", "-scorer", "cnn", "-out", t.TempDir()}, "unknown scorer"},
		{[]string{"extra"}, "unexpected"},
		{[]string{"-nope"}, "not defined"},
	}
	for _, tc := range cases {
		require.ErrorContains(t, run(tc.args), tc.want, "%q", tc.args)
	}
	require.NoError(t, run([]string{"-data", "synthetic", "-n", "3", "-swap", "cauchy", "-scorer", "linear", "-steps", "20",
		"-eval-every", "10", "-lr", "0.01", "-quiet", "-out", t.TempDir()}))
}

// The task builder on the real MNIST files, which the GoMNIST module ships.
func TestMNISTTask(t *testing.T) {
	if testing.Short() {
		t.Skip("reads MNIST")
	}
	dir, err := mnist.FindDir()
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	m, err := mnist.Load(dir)
	require.NoError(t, err)
	require.Len(t, m.Train.Images, 55000)
	require.Len(t, m.Valid.Images, 5000)
	require.Len(t, m.Test.Images, 10000)
	require.Len(t, m.Valid.Labels, 5000)

	const n, k = 5, 4
	d, err := newMNISTData(m, n, k, 7, 0, 0)
	require.NoError(t, err)
	require.Equal(t, 5000, d.Valid().Len(), "one validation sample per image, as diffsort")
	require.Equal(t, 10000, d.Test().Len())
	require.Equal(t, k*784, d.Features())

	small, err := newMNISTData(m, n, k, 7, 50, 60)
	require.NoError(t, err)
	require.Equal(t, 50, small.Valid().Len())
	require.Equal(t, d.valid.idx[:50*n*k], small.valid.idx, "a smaller set is a prefix: same seed, same draws")

	other, err := newMNISTData(m, n, k, 8, 50, 60)
	require.NoError(t, err)
	require.NotEqual(t, small.valid.idx, other.valid.idx, "seed changes the draws")

	// Training batches depend on (seed, step) only.
	const batch = 8
	x1, x2 := mat.NewDense(batch*n, k*784, nil), mat.NewDense(batch*n, k*784, nil)
	r1, r2 := make([]int, batch*n), make([]int, batch*n)
	d.TrainBatch(3, batch, x1, r1)
	small.TrainBatch(3, batch, x2, r2)
	require.True(t, mat.Equal(x1, x2))
	require.Equal(t, r1, r2)
	small.TrainBatch(4, batch, x2, r2)
	require.False(t, mat.Equal(x1, x2))
	require.NoError(t, runtime.CheckRanks(r1, n))

	// Features are the digit images, digit-major, in [0, 1]; ranks order
	// the numbers the digits' labels spell, with no ties.
	xs := mat.NewDense(small.Valid().Len()*n, k*784, nil)
	ranks := make([]int, small.Valid().Len()*n)
	small.Valid().Batch(0, small.Valid().Len(), xs, ranks)
	require.NoError(t, runtime.CheckRanks(ranks, n))
	for s := 0; s < small.Valid().Len(); s++ {
		vals := small.valid.values(s)
		for i := range vals {
			require.GreaterOrEqual(t, vals[i], 0)
			require.Less(t, vals[i], 10000)
			for j := range vals {
				if i != j {
					require.NotEqual(t, vals[i], vals[j], "no ties")
					require.Equal(t, vals[i] < vals[j], ranks[s*n+i] < ranks[s*n+j])
				}
			}
			row := xs.RawRowView(s*n + i)
			for dg := 0; dg < k; dg++ {
				img := m.Valid.Images[small.valid.idx[(s*n+i)*k+dg]]
				for p := 0; p < 784; p += 97 {
					require.Equal(t, float64(img[p])/255, row[dg*784+p])
				}
			}
		}
		// Spot-check the number against the labels directly.
		idx := small.valid.idx[s*n*k : s*n*k+k]
		v := 0
		for _, j := range idx {
			v = 10*v + int(m.Valid.Labels[j])
		}
		require.Equal(t, vals[0], v)
	}
	for _, v := range xs.RawMatrix().Data {
		require.False(t, v < 0 || v > 1 || math.IsNaN(v))
	}

	_, err = newMNISTData(m, 1, k, 0, 0, 0)
	require.Error(t, err)
	_, err = mnist.Load(t.TempDir())
	require.ErrorContains(t, err, "reading MNIST")
}

// -resume with -force is a usage error, from the command line and from
// train, and leaves the run in -out alone rather than resuming it.
func TestResumeAndForce(t *testing.T) {
	out := t.TempDir()
	args := []string{"-data", "synthetic", "-n", "3", "-swap", "cauchy", "-scorer", "linear", "-steps", "20",
		"-eval-every", "10", "-lr", "0.01", "-quiet", "-out", out}
	require.NoError(t, run(args))
	saved, err := os.ReadFile(filepath.Join(out, lastCkpt))
	require.NoError(t, err)

	err = run(append(args, "-steps", "40", "-resume", "-force"))
	var usage *usageError
	require.ErrorAs(t, err, &usage)
	require.EqualError(t, err, "ranking: -resume continues the run in -out and -force starts it over: give one, not both")
	now, err := os.ReadFile(filepath.Join(out, lastCkpt))
	require.NoError(t, err)
	require.Equal(t, saved, now, "the run is untouched")

	o := synthOptions(t, "cauchy", train.ScorerLinear, 20)
	o.Resume, o.Force = true, true
	_, err = runTraining(o, newSynthetic(o.N, 16, o.Seed, o.ValidSize, o.TestSize))
	require.ErrorAs(t, err, &usage)

	// Other command-line mistakes are usage errors too; -h is not an error.
	require.ErrorAs(t, run([]string{"-nope"}), &usage)
	require.ErrorAs(t, run([]string{"extra"}), &usage)
	require.NoError(t, run([]string{"-h"}))
}
