package train_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/sortgen/sortgen/runtime/train"
)

// A linear scorer learns a hidden order from rankings alone: every sample
// is n items of d random features, ranked by a fixed linear function the
// model never sees. Adam trains it through an odd-even sorter on
// diffsort's BCE loss; the exact-match rate on fresh samples rises from
// chance.
func Example() {
	const n, d, batch = 4, 3, 64
	hidden := []float64{1, -2, 0.5}
	rng := rand.New(rand.NewPCG(1, 2))
	sample := func() (*mat.Dense, []int) {
		x := mat.NewDense(batch*n, d, nil)
		ranks := make([]int, batch*n)
		score := make([]float64, n)
		for b := range batch {
			for i := range n {
				score[i] = 0
				for k, w := range hidden {
					v := rng.NormFloat64()
					x.Set(b*n+i, k, v)
					score[i] += w * v
				}
			}
			for i := range n { // rank: how many items of the sample score lower
				for j := range n {
					if score[j] < score[i] {
						ranks[b*n+i]++
					}
				}
			}
		}
		return x, ranks
	}

	model, err := train.NewModel(train.ModelConfig{
		Scorer:  train.ScorerConfig{Kind: train.ScorerLinear, In: d},
		Network: "odd_even", N: n, Swap: "cauchy", Steepness: 10,
	}, rng)
	if err != nil {
		panic(err)
	}
	adam := train.DefaultAdam()
	adam.LR = 0.05
	opt, err := train.NewAdam(model.Params(), adam)
	if err != nil {
		panic(err)
	}
	accuracy := func() train.Accuracy {
		x, ranks := sample()
		scores, err := model.Scores(x)
		if err != nil {
			panic(err)
		}
		acc, err := train.RankAccuracy(scores, ranks, n)
		if err != nil {
			panic(err)
		}
		return acc
	}
	fmt.Printf("before: acc_em %.2f\n", accuracy().EM())
	for step := 1; step <= 100; step++ {
		x, ranks := sample()
		opt.ZeroGrad()
		loss, err := model.Train(x, ranks)
		if err != nil {
			panic(err)
		}
		if err := opt.Update(); err != nil {
			panic(err)
		}
		if step == 1 || step == 100 {
			fmt.Printf("step %d: loss %.3f\n", step, loss.Total)
		}
	}
	fmt.Printf("after: acc_em %.2f\n", accuracy().EM())

	// A checkpoint file holds the parameters (and, here, Adam's state).
	dir, err := os.MkdirTemp("", "train-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.ckpt")
	if err := train.SaveCheckpoint(path, model.Config, nil, model.Params(), opt); err != nil {
		panic(err)
	}
	ck, err := train.LoadCheckpoint(path)
	if err != nil {
		panic(err)
	}
	fmt.Println("checkpoint matches the model:", ck.MatchMeta(model.Config) == nil)
	// Output:
	// before: acc_em 0.19
	// step 1: loss 0.494
	// step 100: loss 0.084
	// after: acc_em 1.00
	// checkpoint matches the model: true
}

// RankAccuracy takes ranks, the sorted position of every item: an argsort
// passed instead is a different permutation, and a wrong target.
func ExampleRankAccuracy() {
	scores := []float64{0.3, 2, -1, 0.5}
	ranks := []int{1, 3, 0, 2}   // 0.3 is second smallest, 2 largest, -1 smallest
	argsort := []int{2, 0, 3, 1} // the items in ascending order
	right, _ := train.RankAccuracy(scores, ranks, 4)
	wrong, _ := train.RankAccuracy(scores, argsort, 4)
	fmt.Println("acc_ew against ranks:", right.EW(), "against the argsort:", wrong.EW())
	// Output:
	// acc_ew against ranks: 1 against the argsort: 0
}
