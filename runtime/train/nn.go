package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Param is a trainable array, row-major Rows x Cols, with the gradient
// accumulated by the last backward passes.
type Param struct {
	Name        string
	Rows, Cols  int
	Value, Grad []float64
	// NoDecay excludes the parameter from AdamW's weight decay (biases and
	// normalisation gains, as is usual).
	NoDecay bool
}

// NewParam allocates a zero parameter.
func NewParam(name string, rows, cols int) *Param {
	return &Param{Name: name, Rows: rows, Cols: cols, Value: make([]float64, rows*cols), Grad: make([]float64, rows*cols)}
}

// Mat views the value as a matrix (no copy).
func (p *Param) Mat() *mat.Dense { return mat.NewDense(p.Rows, p.Cols, p.Value) }

// ZeroGrad clears the gradient.
func (p *Param) ZeroGrad() { clear(p.Grad) }

// A Module is a differentiable map on a batch of rows (one example per row).
// A module remembers what its last Forward needs for Backward, so it is not
// safe for concurrent use; the matrices it returns are owned by it and valid
// until its next call.
type Module interface {
	// Forward maps x (rows x in) to rows x out.
	Forward(x *mat.Dense) *mat.Dense
	// Backward takes dL/dout of the last Forward, adds the parameter
	// gradients into Param.Grad and returns dL/dx (nil when the module was
	// told its input needs no gradient).
	Backward(gy *mat.Dense) *mat.Dense
	// Params lists the trainable parameters (may be empty).
	Params() []*Param
}

// buffer returns a rows x cols matrix backed by *buf, grown as needed, so a
// steady training loop does not allocate.
func buffer(buf *[]float64, rows, cols int) *mat.Dense {
	n := rows * cols
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	*buf = (*buf)[:n]
	return mat.NewDense(rows, cols, *buf)
}

// raw returns the row-major data of a dense matrix, copying only when it is
// a strided view.
func raw(m *mat.Dense) []float64 {
	r, c := m.Dims()
	rm := m.RawMatrix()
	if rm.Stride == c {
		return rm.Data[:r*c]
	}
	out := make([]float64, r*c)
	for i := 0; i < r; i++ {
		copy(out[i*c:(i+1)*c], rm.Data[i*rm.Stride:i*rm.Stride+c])
	}
	return out
}

// Linear is y = x W + b with W in x out.
type Linear struct {
	W, B *Param
	// NoInputGrad skips dL/dx (a first layer on raw data), which saves a
	// third of the layer's backward work.
	NoInputGrad bool
	x           *mat.Dense
	y, gx       []float64
}

// NewLinear initialises W and b uniformly in +-1/sqrt(in), PyTorch's default.
func NewLinear(name string, in, out int, rng *rand.Rand) *Linear {
	l := &Linear{W: NewParam(name+".W", in, out), B: NewParam(name+".b", 1, out)}
	l.B.NoDecay = true
	bound := 1 / math.Sqrt(float64(in))
	for i := range l.W.Value {
		l.W.Value[i] = (2*rng.Float64() - 1) * bound
	}
	for i := range l.B.Value {
		l.B.Value[i] = (2*rng.Float64() - 1) * bound
	}
	return l
}

func (l *Linear) Forward(x *mat.Dense) *mat.Dense {
	r, _ := x.Dims()
	l.x = x
	y := buffer(&l.y, r, l.W.Cols)
	y.Mul(x, l.W.Mat())
	addRow(y, l.B.Value)
	return y
}

func (l *Linear) Backward(gy *mat.Dense) *mat.Dense {
	gw := mat.NewDense(l.W.Rows, l.W.Cols, l.W.Grad)
	gemm(blas.Trans, blas.NoTrans, 1, l.x, gy, 1, gw)
	r, c := gy.Dims()
	g := gy.RawMatrix()
	for i := 0; i < r; i++ {
		row := g.Data[i*g.Stride : i*g.Stride+c]
		for j, v := range row {
			l.B.Grad[j] += v
		}
	}
	if l.NoInputGrad {
		return nil
	}
	gx := buffer(&l.gx, r, l.W.Rows)
	gx.Mul(gy, l.W.Mat().T())
	return gx
}

func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

// gemm is c = alpha op(a) op(b) + beta c on dense matrices; mat.Dense has no
// accumulate-into form, which every weight gradient needs.
func gemm(ta, tb blas.Transpose, alpha float64, a, b *mat.Dense, beta float64, c *mat.Dense) {
	blas64.Gemm(ta, tb, alpha, a.RawMatrix(), b.RawMatrix(), beta, c.RawMatrix())
}

func addRow(m *mat.Dense, b []float64) {
	r, c := m.Dims()
	rm := m.RawMatrix()
	for i := 0; i < r; i++ {
		row := rm.Data[i*rm.Stride : i*rm.Stride+c]
		for j := range row {
			row[j] += b[j]
		}
	}
}

// ReLU is max(x, 0) elementwise.
type ReLU struct {
	y, gx []float64
}

func (m *ReLU) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	y := buffer(&m.y, r, c)
	for i, v := range raw(x) {
		m.y[i] = max(v, 0)
	}
	return y
}

func (m *ReLU) Backward(gy *mat.Dense) *mat.Dense {
	r, c := gy.Dims()
	gx := buffer(&m.gx, r, c)
	for i, g := range raw(gy) {
		if m.y[i] > 0 {
			m.gx[i] = g
		} else {
			m.gx[i] = 0
		}
	}
	return gx
}

func (m *ReLU) Params() []*Param { return nil }

// Sequential chains modules.
type Sequential []Module

func (s Sequential) Forward(x *mat.Dense) *mat.Dense {
	for _, m := range s {
		x = m.Forward(x)
	}
	return x
}

func (s Sequential) Backward(gy *mat.Dense) *mat.Dense {
	for i := len(s) - 1; i >= 0 && gy != nil; i-- {
		gy = s[i].Backward(gy)
	}
	return gy
}

func (s Sequential) Params() []*Param {
	var ps []*Param
	for _, m := range s {
		ps = append(ps, m.Params()...)
	}
	return ps
}

// Blocks applies one shared module to K equal column blocks of every row:
// a rows x (K*m) input is viewed as (rows*K) x m (the same row-major data,
// no copy), mapped to (rows*K) x o, and viewed back as rows x (K*o). This is
// the weight sharing of a per-digit network over a multi-digit image stored
// digit-major.
type Blocks struct {
	K     int
	Inner Module
}

func (b *Blocks) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	y := b.Inner.Forward(mat.NewDense(r*b.K, c/b.K, raw(x)))
	_, o := y.Dims()
	return mat.NewDense(r, b.K*o, raw(y))
}

func (b *Blocks) Backward(gy *mat.Dense) *mat.Dense {
	r, c := gy.Dims()
	gx := b.Inner.Backward(mat.NewDense(r*b.K, c/b.K, raw(gy)))
	if gx == nil {
		return nil
	}
	_, m := gx.Dims()
	return mat.NewDense(r, b.K*m, raw(gx))
}

func (b *Blocks) Params() []*Param { return b.Inner.Params() }

// Expectation maps logits (rows x C) to the expected value of Values under
// softmax(logits): rows x 1. With Values = 0..9 it turns digit logits into
// a differentiable digit value.
type Expectation struct {
	Values []float64
	p      []float64 // softmax, rows x C
	e      []float64 // expectation per row, kept apart from the returned y
	gx     []float64
	y      []float64
}

func (m *Expectation) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	xs := raw(x)
	m.p = grow(m.p, r*c)
	y := buffer(&m.y, r, 1)
	for i := 0; i < r; i++ {
		p := m.p[i*c : (i+1)*c]
		softmax(p, xs[i*c:(i+1)*c])
		var e float64
		for k, v := range p {
			e += v * m.Values[k]
		}
		m.y[i] = e
	}
	m.e = append(m.e[:0], m.y...)
	return y
}

func (m *Expectation) Backward(gy *mat.Dense) *mat.Dense {
	r, _ := gy.Dims()
	c := len(m.Values)
	g := raw(gy)
	gx := buffer(&m.gx, r, c)
	for i := 0; i < r; i++ {
		p := m.p[i*c : (i+1)*c]
		for k, v := range p {
			m.gx[i*c+k] = g[i] * v * (m.Values[k] - m.e[i])
		}
	}
	return gx
}

func (m *Expectation) Params() []*Param { return nil }

// softmax writes the softmax of x into p, stabilised by the maximum.
func softmax(p, x []float64) {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = max(mx, v)
	}
	var s float64
	for k, v := range x {
		p[k] = math.Exp(v - mx)
		s += p[k]
	}
	for k := range p {
		p[k] /= s
	}
}

// LayerNorm normalises every row to zero mean and unit variance, then
// scales by Gain and shifts by Bias (PyTorch's LayerNorm, eps 1e-5).
type LayerNorm struct {
	Gain, Bias *Param
	Eps        float64
	xhat, inv  []float64
	y, gx      []float64
}

// NewLayerNorm starts at the identity normalisation (gain 1, bias 0).
func NewLayerNorm(name string, d int) *LayerNorm {
	l := &LayerNorm{Gain: NewParam(name+".gain", 1, d), Bias: NewParam(name+".bias", 1, d), Eps: 1e-5}
	l.Gain.NoDecay, l.Bias.NoDecay = true, true
	for i := range l.Gain.Value {
		l.Gain.Value[i] = 1
	}
	return l
}

func (l *LayerNorm) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	xs := raw(x)
	l.xhat = grow(l.xhat, r*c)
	l.inv = grow(l.inv, r)
	y := buffer(&l.y, r, c)
	for i := 0; i < r; i++ {
		row := xs[i*c : (i+1)*c]
		var mu float64
		for _, v := range row {
			mu += v
		}
		mu /= float64(c)
		var v2 float64
		for _, v := range row {
			v2 += (v - mu) * (v - mu)
		}
		inv := 1 / math.Sqrt(v2/float64(c)+l.Eps)
		l.inv[i] = inv
		for j, v := range row {
			h := (v - mu) * inv
			l.xhat[i*c+j] = h
			l.y[i*c+j] = h*l.Gain.Value[j] + l.Bias.Value[j]
		}
	}
	return y
}

func (l *LayerNorm) Backward(gy *mat.Dense) *mat.Dense {
	r, c := gy.Dims()
	g := raw(gy)
	gx := buffer(&l.gx, r, c)
	for i := 0; i < r; i++ {
		gr := g[i*c : (i+1)*c]
		h := l.xhat[i*c : (i+1)*c]
		var sg, sgh float64
		for j, v := range gr {
			l.Gain.Grad[j] += v * h[j]
			l.Bias.Grad[j] += v
			gh := v * l.Gain.Value[j]
			sg += gh
			sgh += gh * h[j]
		}
		sg /= float64(c)
		sgh /= float64(c)
		for j, v := range gr {
			gh := v * l.Gain.Value[j]
			l.gx[i*c+j] = l.inv[i] * (gh - sg - h[j]*sgh)
		}
	}
	return gx
}

func (l *LayerNorm) Params() []*Param { return []*Param{l.Gain, l.Bias} }

// CountParams is the number of scalars in ps (nil entries hold none).
func CountParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		if p != nil {
			n += len(p.Value)
		}
	}
	return n
}

// checkParams reports what checkParam does, and duplicate names, which
// would make a checkpoint ambiguous.
func checkParams(ps []*Param) error {
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		if err := checkParam("", i, p); err != nil {
			return err
		}
		if seen[p.Name] {
			return fmt.Errorf("train: duplicate parameter name %q", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// checkParam reports a nil parameter, or values or gradients that do not
// hold Rows x Cols entries: Adam and checkpoints index them by the shape.
// whose qualifies "parameter" in the error.
func checkParam(whose string, i int, p *Param) error {
	switch {
	case p == nil:
		return fmt.Errorf("train: %sparameter %d is nil", whose, i)
	case p.Rows < 0 || p.Cols < 0 || len(p.Value) != p.Rows*p.Cols || len(p.Grad) != len(p.Value):
		return fmt.Errorf("train: %sparameter %d (%s) is %dx%d with %d values and %d gradients", whose, i, p.Name, p.Rows, p.Cols, len(p.Value), len(p.Grad))
	}
	return nil
}
