package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// SelfAttention is multi-head scaled dot-product self-attention within sets:
// the rows of a batch are consecutive sets of SetSize items, and every item
// attends to the items of its own set only. There is no positional encoding,
// so the layer is permutation-equivariant within a set, which is what a
// scorer of an unordered set of items needs.
type SelfAttention struct {
	SetSize, Heads, D int
	In                *Linear // d -> 3d: queries, keys, values
	Out               *Linear // d -> d

	qkv  *mat.Dense
	att  []float64 // softmax weights, sets x heads x n x n
	o    []float64 // concatenated head outputs, rows x d
	gqkv []float64
	ga   []float64 // work, n x n
}

// NewSelfAttention checks that heads divides d.
func NewSelfAttention(name string, setSize, d, heads int, rng *rand.Rand) (*SelfAttention, error) {
	if rng == nil {
		return nil, errNilRand
	}
	if setSize < 1 || d < 1 || heads < 1 || d%heads != 0 {
		return nil, fmt.Errorf("train: attention needs set size >= 1 and heads (%d) dividing d (%d)", heads, d)
	}
	return &SelfAttention{SetSize: setSize, Heads: heads, D: d,
		In: NewLinear(name+".in", d, 3*d, rng), Out: NewLinear(name+".out", d, d, rng)}, nil
}

// view is the n x dh block of head h, kind k (0 q, 1 k, 2 v) of set b in a
// rows x 3d matrix.
func (a *SelfAttention) view(data []float64, b, h, k int) blas64.General {
	n, d := a.SetSize, a.D
	dh := d / a.Heads
	off := b*n*3*d + k*d + h*dh
	return blas64.General{Rows: n, Cols: dh, Stride: 3 * d, Data: data[off : off+(n-1)*3*d+dh]}
}

func (a *SelfAttention) Forward(x *mat.Dense) *mat.Dense {
	r, _ := x.Dims()
	n, d, H := a.SetSize, a.D, a.Heads
	dh := d / H
	sets := r / n
	a.qkv = a.In.Forward(x)
	qkv := raw(a.qkv)
	a.att = grow(a.att, sets*H*n*n)
	o := buffer(&a.o, r, d)
	scale := 1 / math.Sqrt(float64(dh))
	for b := 0; b < sets; b++ {
		for h := 0; h < H; h++ {
			s := blas64.General{Rows: n, Cols: n, Stride: n, Data: a.att[(b*H+h)*n*n : (b*H+h+1)*n*n]}
			blas64.Gemm(blas.NoTrans, blas.Trans, scale, a.view(qkv, b, h, 0), a.view(qkv, b, h, 1), 0, s)
			for i := 0; i < n; i++ {
				row := s.Data[i*n : (i+1)*n]
				softmax(row, row)
			}
			ov := blas64.General{Rows: n, Cols: dh, Stride: d, Data: a.o[b*n*d+h*dh:]}
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, s, a.view(qkv, b, h, 2), 0, ov)
		}
	}
	return a.Out.Forward(o)
}

func (a *SelfAttention) Backward(gy *mat.Dense) *mat.Dense {
	gO := raw(a.Out.Backward(gy))
	r, _ := gy.Dims()
	n, d, H := a.SetSize, a.D, a.Heads
	dh := d / H
	sets := r / n
	qkv := raw(a.qkv)
	gqkv := buffer(&a.gqkv, r, 3*d)
	clear(a.gqkv)
	a.ga = grow(a.ga, n*n)
	ga := blas64.General{Rows: n, Cols: n, Stride: n, Data: a.ga}
	scale := 1 / math.Sqrt(float64(dh))
	for b := 0; b < sets; b++ {
		for h := 0; h < H; h++ {
			att := blas64.General{Rows: n, Cols: n, Stride: n, Data: a.att[(b*H+h)*n*n : (b*H+h+1)*n*n]}
			gov := blas64.General{Rows: n, Cols: dh, Stride: d, Data: gO[b*n*d+h*dh:]}
			// dL/dA = gO V^T, dL/dV = A^T gO.
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, gov, a.view(qkv, b, h, 2), 0, ga)
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, att, gov, 0, a.view(a.gqkv, b, h, 2))
			// Softmax backward, folded with the 1/sqrt(dh) scale of S.
			for i := 0; i < n; i++ {
				ar, gr := att.Data[i*n:(i+1)*n], ga.Data[i*n:(i+1)*n]
				var dot float64
				for j := range ar {
					dot += ar[j] * gr[j]
				}
				for j := range ar {
					gr[j] = ar[j] * (gr[j] - dot) * scale
				}
			}
			// S = Q K^T: dL/dQ = gS K, dL/dK = gS^T Q.
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, a.view(qkv, b, h, 1), 0, a.view(a.gqkv, b, h, 0))
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, ga, a.view(qkv, b, h, 0), 0, a.view(a.gqkv, b, h, 1))
		}
	}
	return a.In.Backward(gqkv)
}

func (a *SelfAttention) Params() []*Param { return append(a.In.Params(), a.Out.Params()...) }

// EncoderLayer is a post-norm Transformer encoder layer (PyTorch's
// TransformerEncoderLayer default, without dropout):
//
//	h = LN1(x + SelfAttention(x));  out = LN2(h + FF(h)),  FF = Linear ReLU Linear.
type EncoderLayer struct {
	Attn     *SelfAttention
	LN1, LN2 *LayerNorm
	FF       Sequential

	s1, s2 []float64
	gx, gh []float64
}

// NewEncoderLayer builds a layer of width d with a feed-forward width ff.
func NewEncoderLayer(name string, setSize, d, heads, ff int, rng *rand.Rand) (*EncoderLayer, error) {
	att, err := NewSelfAttention(name+".attn", setSize, d, heads, rng)
	if err != nil {
		return nil, err
	}
	return &EncoderLayer{
		Attn: att,
		LN1:  NewLayerNorm(name+".ln1", d),
		LN2:  NewLayerNorm(name+".ln2", d),
		FF:   Sequential{NewLinear(name+".ff1", d, ff, rng), &ReLU{}, NewLinear(name+".ff2", ff, d, rng)},
	}, nil
}

func addInto(dst *[]float64, a, b *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	out := buffer(dst, r, c)
	as, bs := raw(a), raw(b)
	for i := range *dst {
		(*dst)[i] = as[i] + bs[i]
	}
	return out
}

func (e *EncoderLayer) Forward(x *mat.Dense) *mat.Dense {
	h := e.LN1.Forward(addInto(&e.s1, x, e.Attn.Forward(x)))
	return e.LN2.Forward(addInto(&e.s2, h, e.FF.Forward(h)))
}

func (e *EncoderLayer) Backward(gy *mat.Dense) *mat.Dense {
	g2 := e.LN2.Backward(gy)
	gh := addInto(&e.gh, g2, e.FF.Backward(g2))
	g1 := e.LN1.Backward(gh)
	return addInto(&e.gx, g1, e.Attn.Backward(g1))
}

func (e *EncoderLayer) Params() []*Param {
	ps := append(e.Attn.Params(), e.LN1.Params()...)
	ps = append(ps, e.LN2.Params()...)
	return append(ps, e.FF.Params()...)
}
