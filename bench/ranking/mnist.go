package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/sortgen/sortgen/bench/internal/mnist"
	"gonum.org/v1/gonum/mat"
)

// multiDigit is the papers' multi-digit MNIST ranking task over one digit
// pool: a sample is N numbers of K digits, each number shown as K random
// digit images side by side (28 x 28K), labelled only by the ranks of the
// numbers. An item's features are its K digit images, digit-major (the
// first digit's 784 pixels row-major, then the second's, ...: the same
// pixels as the 28 x 28K image, grouped by digit so that a per-digit network
// reads contiguous blocks), scaled to [0, 1].
//
// Ties: two equal numbers in one sample would make the ranking ambiguous,
// and diffsort's argsort breaks them arbitrarily. Here a number equal to an
// earlier one of its sample is redrawn (all its digit images), so every
// label is a strict ranking. With 10^K values this changes the
// distribution very little (for K = 4, n = 32 about 5% of samples have a
// redraw).
type multiDigit struct {
	pool mnist.Digits
	n, k int
}

// drawSample draws the digit-image indices of one sample (n*k of them,
// item-major) into idx.
func (t *multiDigit) drawSample(rng *rand.Rand, idx []int32) {
	seen := make(map[int]bool, t.n)
	for i := 0; i < t.n; i++ {
		for {
			v := 0
			for d := 0; d < t.k; d++ {
				j := int32(rng.IntN(len(t.pool.Images)))
				idx[i*t.k+d] = j
				v = 10*v + int(t.pool.Labels[j])
			}
			if !seen[v] {
				seen[v] = true
				break
			}
		}
	}
}

// value is the number shown by item i of a sample.
func (t *multiDigit) value(idx []int32, i int) int {
	v := 0
	for d := 0; d < t.k; d++ {
		v = 10*v + int(t.pool.Labels[idx[i*t.k+d]])
	}
	return v
}

// fill writes the features of the samples whose indices are idx (a whole
// number of samples) into x and their ranks into ranks.
func (t *multiDigit) fill(x *mat.Dense, ranks []int, idx []int32) {
	per := t.k * mnist.Pixels
	data := x.RawMatrix().Data
	vals := make([]int, t.n)
	for s := 0; s < len(idx)/(t.n*t.k); s++ {
		si := idx[s*t.n*t.k : (s+1)*t.n*t.k]
		for i := 0; i < t.n; i++ {
			row := data[(s*t.n+i)*per : (s*t.n+i+1)*per]
			for d := 0; d < t.k; d++ {
				img := t.pool.Images[si[i*t.k+d]]
				out := row[d*mnist.Pixels : (d+1)*mnist.Pixels]
				for p, v := range img {
					out[p] = float64(v) / 255
				}
			}
			vals[i] = t.value(si, i)
		}
		rankOf(ranks[s*t.n:(s+1)*t.n], vals)
	}
}

// rankOf writes the ascending rank of every (distinct) value.
func rankOf(ranks []int, vals []int) {
	for i, v := range vals {
		r := 0
		for _, w := range vals {
			if w < v {
				r++
			}
		}
		ranks[i] = r
	}
}

// mnistData is the experiment's data source on multi-digit MNIST.
type mnistData struct {
	train       multiDigit
	valid, test *fixedSet
	seed        uint64
}

// newMNISTData builds the task: training samples are drawn afresh for every
// step from a generator seeded by (seed, step), so a run is reproducible and
// a resumed run sees the same batches; the validation and test sets are
// fixed draws from their pools (sizes as the papers': one sample per image
// of the pool unless limited), seeded by seed.
func newMNISTData(m *mnist.Set, n, k int, seed uint64, validSize, testSize int) (*mnistData, error) {
	if n < 2 || k < 1 || k > 9 {
		return nil, fmt.Errorf("ranking: need n >= 2 items and 1..9 digits, got n=%d k=%d", n, k)
	}
	if validSize <= 0 {
		validSize = len(m.Valid.Images)
	}
	if testSize <= 0 {
		testSize = len(m.Test.Images)
	}
	d := &mnistData{train: multiDigit{m.Train, n, k}, seed: seed}
	d.valid = newFixedSet(multiDigit{m.Valid, n, k}, validSize, rand.New(rand.NewPCG(seed, 0x7a11d)))
	d.test = newFixedSet(multiDigit{m.Test, n, k}, testSize, rand.New(rand.NewPCG(seed, 0x7e57)))
	return d, nil
}

func (d *mnistData) N() int        { return d.train.n }
func (d *mnistData) Features() int { return d.train.k * mnist.Pixels }
func (d *mnistData) Digits() int   { return d.train.k }

func (d *mnistData) TrainBatch(step, batch int, x *mat.Dense, ranks []int) {
	rng := rand.New(rand.NewPCG(d.seed, uint64(step)+1<<32))
	idx := make([]int32, batch*d.train.n*d.train.k)
	for s := 0; s < batch; s++ {
		d.train.drawSample(rng, idx[s*d.train.n*d.train.k:(s+1)*d.train.n*d.train.k])
	}
	d.train.fill(x, ranks, idx)
}

func (d *mnistData) Valid() evalSet { return d.valid }
func (d *mnistData) Test() evalSet  { return d.test }

// fixedSet is a drawn, fixed set of samples.
type fixedSet struct {
	task multiDigit
	idx  []int32
}

func newFixedSet(t multiDigit, samples int, rng *rand.Rand) *fixedSet {
	f := &fixedSet{task: t, idx: make([]int32, samples*t.n*t.k)}
	per := t.n * t.k
	for s := 0; s < samples; s++ {
		t.drawSample(rng, f.idx[s*per:(s+1)*per])
	}
	return f
}

func (f *fixedSet) Len() int { return len(f.idx) / (f.task.n * f.task.k) }

func (f *fixedSet) Batch(lo, hi int, x *mat.Dense, ranks []int) {
	per := f.task.n * f.task.k
	f.task.fill(x, ranks, f.idx[lo*per:hi*per])
}

// values returns the numbers of sample s (for tests and inspection).
func (f *fixedSet) values(s int) []int {
	per := f.task.n * f.task.k
	v := make([]int, f.task.n)
	for i := range v {
		v[i] = f.task.value(f.idx[s*per:(s+1)*per], i)
	}
	return v
}
