package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/sortgen/sortgen/bench/internal/mnist"
	"github.com/sortgen/sortgen/runtime/train"
)

const classes = 10

type options struct {
	DataDir               string
	Epochs, Batch, Hidden int
	Limit                 int
	LR                    float64
	Seed                  uint64
	Losses                []string
	Network, Swap         string
	Steepness             float64
	PK                    []float64
	Top1Mode              string
	M                     int
	Quiet                 bool
	Log                   io.Writer // progress per epoch; nil: none
}

// A loss maps a batch of logits (batch x classes) and labels to the mean
// loss and, into g, its gradient.
type loss interface {
	Loss(g, logits []float64, labels []int) (float64, error)
}

// result is one loss's run.
type result struct {
	Loss       string
	Top1, Top5 float64 // test accuracy
	TrainLoss  float64 // mean over the last epoch
	Seconds    float64
}

func experiment(o options) ([]result, error) {
	data, err := mnist.Load(o.DataDir)
	if err != nil {
		return nil, err
	}
	train := data.Train
	if o.Limit > 0 && o.Limit < len(train.Images) {
		train = mnist.Digits{Images: train.Images[:o.Limit], Labels: train.Labels[:o.Limit]}
	}
	var out []result
	for _, name := range o.Losses {
		var l loss = crossEntropy{}
		label := "softmax cross-entropy"
		if name == "topk" {
			if l, err = newTopKLoss(o); err != nil {
				return nil, err
			}
			label = fmt.Sprintf("top-k CE (%s, %s, P_K %v, %s)", o.Network, o.Swap, o.PK, o.Top1Mode)
		}
		r, err := fit(o, l, train, data.Test)
		if err != nil {
			return nil, fmt.Errorf("topk: %s: %w", name, err)
		}
		r.Loss = label
		out = append(out, r)
	}
	return out, nil
}

// fit trains a fresh MLP (the same seed for every loss) and evaluates it.
func fit(o options, l loss, tr, test mnist.Digits) (result, error) {
	rng := rand.New(rand.NewPCG(o.Seed, 0x70c))
	first := train.NewLinear("l1", mnist.Pixels, o.Hidden, rng)
	first.NoInputGrad = true
	model := train.Sequential{first, &train.ReLU{}, train.NewLinear("l2", o.Hidden, classes, rng)}
	cfg := train.DefaultAdam()
	cfg.LR = o.LR
	opt, err := train.NewAdam(model.Params(), cfg)
	if err != nil {
		return result{}, err
	}
	order := make([]int, len(tr.Images))
	for i := range order {
		order[i] = i
	}
	x := mat.NewDense(o.Batch, mnist.Pixels, nil)
	labels := make([]int, o.Batch)
	g := make([]float64, o.Batch*classes)
	start := time.Now()
	var res result
	for epoch := 0; epoch < o.Epochs; epoch++ {
		shuffle := rand.New(rand.NewPCG(o.Seed, uint64(epoch)))
		shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		sum, steps := 0.0, 0
		for lo := 0; lo+o.Batch <= len(order); lo += o.Batch {
			fill(x, labels, tr, order[lo:lo+o.Batch])
			logits := model.Forward(x)
			v, err := l.Loss(g, logits.RawMatrix().Data, labels)
			if err != nil {
				return result{}, err
			}
			opt.ZeroGrad()
			model.Backward(mat.NewDense(o.Batch, classes, g))
			if err := opt.Update(); err != nil {
				return result{}, err
			}
			sum += v
			steps++
		}
		res.TrainLoss = sum / float64(max(steps, 1))
		if o.Log != nil {
			t1, t5 := evaluate(model, test)
			fmt.Fprintf(o.Log, "epoch %d: train loss %.4f, test top-1 %.2f%%, top-5 %.2f%% (%.0fs)\n",
				epoch+1, res.TrainLoss, 100*t1, 100*t5, time.Since(start).Seconds())
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.Top1, res.Top5 = evaluate(model, test)
	return res, nil
}

// fill writes the images idx of d, scaled to [0, 1], and their labels.
func fill(x *mat.Dense, labels []int, d mnist.Digits, idx []int) {
	data := x.RawMatrix().Data
	for r, i := range idx {
		row := data[r*mnist.Pixels : (r+1)*mnist.Pixels]
		for p, v := range d.Images[i] {
			row[p] = float64(v) / 255
		}
		labels[r] = int(d.Labels[i])
	}
}

// evaluate is the top-1 and top-5 accuracy of the model on d.
func evaluate(model train.Module, d mnist.Digits) (top1, top5 float64) {
	const batch = 500
	x := mat.NewDense(batch, mnist.Pixels, nil)
	labels := make([]int, batch)
	idx := make([]int, batch)
	hit1, hit5, seen := 0, 0, 0
	for lo := 0; lo+batch <= len(d.Images); lo += batch {
		for i := range idx {
			idx[i] = lo + i
		}
		fill(x, labels, d, idx)
		logits := model.Forward(x).RawMatrix().Data
		for r := 0; r < batch; r++ {
			row := logits[r*classes : (r+1)*classes]
			rank := 0 // classes scored above the label
			for _, v := range row {
				if v > row[labels[r]] {
					rank++
				}
			}
			if rank == 0 {
				hit1++
			}
			if rank < 5 {
				hit5++
			}
			seen++
		}
	}
	return float64(hit1) / float64(seen), float64(hit5) / float64(seen)
}

// crossEntropy is the mean softmax cross-entropy.
type crossEntropy struct{}

func (crossEntropy) Loss(g, logits []float64, labels []int) (float64, error) {
	n := len(labels)
	if len(logits) != n*classes || len(g) != len(logits) {
		return 0, fmt.Errorf("cross-entropy: %d logits and %d gradients for %d labels", len(logits), len(g), n)
	}
	total := 0.0
	for r := 0; r < n; r++ {
		row, gr := logits[r*classes:(r+1)*classes], g[r*classes:(r+1)*classes]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		z := 0.0
		for i, v := range row {
			gr[i] = math.Exp(v - m)
			z += gr[i]
		}
		total += math.Log(z) + m - row[labels[r]]
		for i := range gr {
			gr[i] /= z * float64(n)
		}
		gr[labels[r]] -= 1 / float64(n)
	}
	return total / float64(n), nil
}

// table renders the results as a Markdown table.
func table(res []result) string {
	var b strings.Builder
	b.WriteString("| loss | test top-1 | test top-5 | last-epoch train loss | seconds |\n|---|---|---|---|---|\n")
	for _, r := range res {
		fmt.Fprintf(&b, "| %s | %.2f%% | %.2f%% | %.4f | %.0f |\n", r.Loss, 100*r.Top1, 100*r.Top5, r.TrainLoss, r.Seconds)
	}
	return b.String()
}
