package main

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// synthetic is a quick ranking task for smoke runs and tests: items are
// random Gaussian feature vectors and the hidden score is a fixed random
// linear function of them (so a linear scorer can be exact).
type synthetic struct {
	n, d        int
	w           []float64
	seed        uint64
	valid, test *synthSet
}

func newSynthetic(n, d int, seed uint64, validSize, testSize int) *synthetic {
	rng := rand.New(rand.NewPCG(seed, 0x5e7))
	s := &synthetic{n: n, d: d, seed: seed, w: make([]float64, d)}
	for i := range s.w {
		s.w[i] = rng.NormFloat64()
	}
	if validSize <= 0 {
		validSize = 500
	}
	if testSize <= 0 {
		testSize = 1000
	}
	s.valid = &synthSet{s, validSize, 1}
	s.test = &synthSet{s, testSize, 2}
	return s
}

func (s *synthetic) N() int        { return s.n }
func (s *synthetic) Features() int { return s.d }

// sample fills one sample from rng.
func (s *synthetic) sample(rng *rand.Rand, x []float64, ranks []int) {
	v := make([]float64, s.n)
	for i := 0; i < s.n; i++ {
		row := x[i*s.d : (i+1)*s.d]
		for j := range row {
			row[j] = rng.NormFloat64()
			v[i] += row[j] * s.w[j]
		}
	}
	for i := range v {
		r := 0
		for k, u := range v {
			if u < v[i] || (u == v[i] && k < i) {
				r++
			}
		}
		ranks[i] = r
	}
}

func (s *synthetic) TrainBatch(step, batch int, x *mat.Dense, ranks []int) {
	rng := rand.New(rand.NewPCG(s.seed, uint64(step)+1<<32))
	data := x.RawMatrix().Data
	per := s.n * s.d
	for b := 0; b < batch; b++ {
		s.sample(rng, data[b*per:(b+1)*per], ranks[b*s.n:(b+1)*s.n])
	}
}

func (s *synthetic) Valid() evalSet { return s.valid }
func (s *synthetic) Test() evalSet  { return s.test }

// synthSet derives sample i of a fixed set from (seed, set, i).
type synthSet struct {
	s    *synthetic
	size int
	id   uint64
}

func (e *synthSet) Len() int { return e.size }

func (e *synthSet) Batch(lo, hi int, x *mat.Dense, ranks []int) {
	s := e.s
	data := x.RawMatrix().Data
	per := s.n * s.d
	for i := lo; i < hi; i++ {
		rng := rand.New(rand.NewPCG(s.seed^e.id<<56, uint64(i)))
		b := i - lo
		s.sample(rng, data[b*per:(b+1)*per], ranks[b*s.n:(b+1)*s.n])
	}
}
