package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
)

// A checkpoint file is: the magic line, a little-endian uint64 header
// length, the JSON header, every parameter's values (and, with an
// optimiser, its two moments) as little-endian float64 in header order, and
// a CRC-32 (IEEE) of everything before it. The CRC makes a torn or
// corrupted file an error instead of silently wrong weights.
const checkpointMagic = "SORTGEN-CHECKPOINT 1\n"

// ErrCorruptCheckpoint marks a file that is not a whole, valid checkpoint.
var ErrCorruptCheckpoint = errors.New("train: corrupt checkpoint")

// ErrCheckpointMismatch marks a valid checkpoint of another configuration.
var ErrCheckpointMismatch = errors.New("train: checkpoint does not match")

type ckptParam struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
	Cols int    `json:"cols"`
}

type ckptHeader struct {
	// Meta is what the run is (model, data, hyperparameters): a resumed
	// run must have the same.
	Meta json.RawMessage `json:"meta"`
	// State is where the run is (best validation score, ...).
	State    json.RawMessage `json:"state,omitempty"`
	Params   []ckptParam     `json:"params"`
	HasAdam  bool            `json:"has_adam"`
	AdamStep int             `json:"adam_step"`
}

// A Checkpoint is a loaded checkpoint file.
type Checkpoint struct {
	Meta, State json.RawMessage
	// Params hold the saved values (gradients are zero).
	Params []*Param
	// AdamStep, M and V are the optimiser's state (M, V nil without one).
	AdamStep int
	M, V     [][]float64
}

// SaveCheckpoint writes meta, state, the parameters and the optimiser state
// (opt may be nil) to path atomically: it writes a temporary file in the
// same directory, syncs it and renames it over path, so a crash leaves
// either the old or the new checkpoint, never a torn one.
func SaveCheckpoint(path string, meta, state any, ps []*Param, opt *Adam) error {
	if err := checkParams(ps); err != nil {
		return err
	}
	if opt != nil {
		if err := opt.check(len(ps)); err != nil {
			return err
		}
	}
	h := ckptHeader{HasAdam: opt != nil}
	var err error
	if h.Meta, err = json.Marshal(meta); err != nil {
		return fmt.Errorf("train: checkpoint meta: %w", err)
	}
	if state != nil {
		if h.State, err = json.Marshal(state); err != nil {
			return fmt.Errorf("train: checkpoint state: %w", err)
		}
	}
	if opt != nil {
		h.AdamStep = opt.Step
	}
	for _, p := range ps {
		h.Params = append(h.Params, ckptParam{p.Name, p.Rows, p.Cols})
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	binary.Write(&buf, binary.LittleEndian, uint64(len(hdr)))
	buf.Write(hdr)
	for i, p := range ps {
		writeFloats(&buf, p.Value)
		if opt != nil {
			writeFloats(&buf, opt.M[i])
			writeFloats(&buf, opt.V[i])
		}
	}
	binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	return writeAtomic(path, buf.Bytes())
}

func writeFloats(w *bytes.Buffer, v []float64) {
	var b [8]byte
	for _, f := range v {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
		w.Write(b[:])
	}
}

func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: make the rename itself durable
		d.Close()
	}
	return nil
}

// LoadCheckpoint reads and verifies a checkpoint file.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrCorruptCheckpoint, path, fmt.Sprintf(format, args...))
	}
	if !bytes.HasPrefix(data, []byte(checkpointMagic)) {
		return nil, corrupt("not a sortgen checkpoint (bad magic)")
	}
	if len(data) < len(checkpointMagic)+8+4 {
		return nil, corrupt("truncated (%d bytes)", len(data))
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, corrupt("checksum mismatch (torn or modified file)")
	}
	r := bytes.NewReader(body[len(checkpointMagic):])
	var hl uint64
	binary.Read(r, binary.LittleEndian, &hl)
	if hl > uint64(r.Len()) {
		return nil, corrupt("header length %d exceeds the file", hl)
	}
	hdr := make([]byte, hl)
	io.ReadFull(r, hdr)
	var h ckptHeader
	if err := json.Unmarshal(hdr, &h); err != nil {
		return nil, corrupt("header: %v", err)
	}
	per := 1
	if h.HasAdam {
		per = 3
	}
	need := 0
	for _, p := range h.Params {
		if p.Rows < 0 || p.Cols < 0 {
			return nil, corrupt("parameter %s has shape %dx%d", p.Name, p.Rows, p.Cols)
		}
		// Bound the shape by the data left before multiplying: a forged
		// one would overflow into a small size and then allocate its
		// real one.
		if left := (r.Len() - need) / (8 * per); p.Rows != 0 && p.Cols > left/p.Rows {
			return nil, corrupt("parameter %s has shape %dx%d, more than the %d bytes of data hold", p.Name, p.Rows, p.Cols, r.Len())
		}
		need += per * p.Rows * p.Cols * 8
	}
	if need != r.Len() {
		return nil, corrupt("data is %d bytes, header wants %d", r.Len(), need)
	}
	c := &Checkpoint{Meta: h.Meta, State: h.State, AdamStep: h.AdamStep}
	read := func(n int) []float64 {
		v := make([]float64, n)
		var b [8]byte
		for i := range v {
			io.ReadFull(r, b[:])
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		}
		return v
	}
	for _, hp := range h.Params {
		p := &Param{Name: hp.Name, Rows: hp.Rows, Cols: hp.Cols}
		p.Value = read(hp.Rows * hp.Cols)
		p.Grad = make([]float64, len(p.Value))
		c.Params = append(c.Params, p)
		if h.HasAdam {
			c.M = append(c.M, read(len(p.Value)))
			c.V = append(c.V, read(len(p.Value)))
		}
	}
	return c, nil
}

// MatchMeta reports ErrCheckpointMismatch, naming the differing fields,
// unless the checkpoint's meta equals meta (compared as JSON values).
func (c *Checkpoint) MatchMeta(meta any) error {
	want, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	var a, b any
	if err := json.Unmarshal(c.Meta, &a); err != nil {
		return fmt.Errorf("%w: meta: %v", ErrCorruptCheckpoint, err)
	}
	json.Unmarshal(want, &b)
	if reflect.DeepEqual(a, b) {
		return nil
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		return fmt.Errorf("%w: saved %s, now %s", ErrCheckpointMismatch, c.Meta, want)
	}
	var diffs []string
	for k := range am {
		if !reflect.DeepEqual(am[k], bm[k]) {
			diffs = append(diffs, k)
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			diffs = append(diffs, k)
		}
	}
	sort.Strings(diffs)
	var msg string
	for _, k := range diffs {
		sa, _ := json.Marshal(am[k])
		sb, _ := json.Marshal(bm[k])
		msg += fmt.Sprintf("; %s: saved %s, now %s", k, sa, sb)
	}
	return fmt.Errorf("%w%s", ErrCheckpointMismatch, msg)
}

// checkSaved reports a saved parameter (and, withAdam, its moments) that
// does not hold as many values as its shape: LoadCheckpoint never makes
// one, but the fields are exported.
func (c *Checkpoint) checkSaved(i int, withAdam bool) error {
	q := c.Params[i]
	switch {
	case q == nil:
		return fmt.Errorf("%w: parameter %d is nil", ErrCorruptCheckpoint, i)
	case q.Rows < 0 || q.Cols < 0 || len(q.Value) != q.Rows*q.Cols:
		return fmt.Errorf("%w: parameter %d (%s) is %dx%d with %d values", ErrCorruptCheckpoint, i, q.Name, q.Rows, q.Cols, len(q.Value))
	case withAdam && c.M != nil && (len(c.M) != len(c.Params) || len(c.V) != len(c.Params) || len(c.M[i]) != len(q.Value) || len(c.V[i]) != len(q.Value)):
		return fmt.Errorf("%w: the optimiser moments do not match parameter %d (%s)", ErrCorruptCheckpoint, i, q.Name)
	}
	return nil
}

// Restore copies the saved values into ps and, when opt is non-nil, the
// optimiser state into opt. Names and shapes must match exactly; on error
// nothing is changed.
func (c *Checkpoint) Restore(ps []*Param, opt *Adam) error {
	if err := checkParams(ps); err != nil {
		return err
	}
	if len(ps) != len(c.Params) {
		return fmt.Errorf("%w: it has %d parameters, the model %d", ErrCheckpointMismatch, len(c.Params), len(ps))
	}
	for i, p := range ps {
		q := c.Params[i]
		if err := c.checkSaved(i, opt != nil); err != nil {
			return err
		}
		if p.Name != q.Name || p.Rows != q.Rows || p.Cols != q.Cols {
			return fmt.Errorf("%w: parameter %d is %s %dx%d in the checkpoint, %s %dx%d in the model", ErrCheckpointMismatch, i, q.Name, q.Rows, q.Cols, p.Name, p.Rows, p.Cols)
		}
	}
	if opt != nil {
		if c.M == nil {
			return fmt.Errorf("%w: it has no optimiser state", ErrCheckpointMismatch)
		}
		if err := opt.check(len(ps)); err != nil {
			return err
		}
	}
	for i, p := range ps {
		copy(p.Value, c.Params[i].Value)
		if opt != nil {
			copy(opt.M[i], c.M[i])
			copy(opt.V[i], c.V[i])
		}
	}
	if opt != nil {
		opt.Step = c.AdamStep
	}
	return nil
}
