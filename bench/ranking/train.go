package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"gonum.org/v1/gonum/mat"

	"github.com/sortgen/sortgen/runtime/train"
)

// dataSource is a ranking task: n items per sample, Features() numbers per
// item; ranks[b*n+i] is the true rank of item i of sample b.
type dataSource interface {
	N() int
	Features() int
	// TrainBatch fills the batch of a training step; it depends only on
	// the data's seed and step, so resumed runs see the same batches.
	TrainBatch(step, batch int, x *mat.Dense, ranks []int)
	Valid() evalSet
	Test() evalSet
}

type evalSet interface {
	Len() int
	Batch(lo, hi int, x *mat.Dense, ranks []int)
}

// options configure one training run.
type options struct {
	Data          string  `json:"data"` // "mnist" or "synthetic"
	N             int     `json:"n"`
	Network       string  `json:"network"`
	Swap          string  `json:"swap"`
	Base          string  `json:"base,omitempty"`
	Steepness     float64 `json:"steepness"`
	Scorer        string  `json:"scorer"`
	Hidden        int     `json:"hidden"`
	Scale         float64 `json:"scale,omitempty"`
	D             int     `json:"d,omitempty"`
	Heads         int     `json:"heads,omitempty"`
	Layers        int     `json:"layers,omitempty"`
	FeatureWeight float64 `json:"feature_weight"`
	FeatureGroup  int     `json:"feature_group,omitempty"`
	Batch         int     `json:"batch"`
	LR            float64 `json:"lr"`
	WeightDecay   float64 `json:"weight_decay"`
	DecayEvery    int     `json:"decay_every,omitempty"`
	Seed          uint64  `json:"seed"`
	Float32       bool    `json:"float32,omitempty"`
	ValidSize     int     `json:"valid_size"`
	TestSize      int     `json:"test_size"`

	// Not part of what a run is: may change on -resume.
	Steps     int       `json:"-"`
	EvalEvery int       `json:"-"`
	Out       string    `json:"-"`
	Resume    bool      `json:"-"`
	Force     bool      `json:"-"`
	Progress  bool      `json:"-"`
	Log       io.Writer `json:"-"`
}

// modelConfig maps options to the runtime model.
func (o *options) modelConfig(data dataSource) train.ModelConfig {
	sc := train.ScorerConfig{Kind: o.Scorer, In: data.Features()}
	k := 0
	if dd, ok := data.(interface{ Digits() int }); ok {
		k = dd.Digits()
	}
	switch o.Scorer {
	case train.ScorerMLP:
		sc.Hidden = []int{o.Hidden}
	case train.ScorerDigits:
		sc.Digits, sc.Hidden, sc.Scale = k, []int{o.Hidden}, o.Scale
	case train.ScorerTransformer:
		sc.Digits, sc.SetSize, sc.D, sc.Heads, sc.Layers, sc.FF = k, o.N, o.D, o.Heads, o.Layers, 4*o.D
		if k > 0 {
			sc.Hidden = []int{o.Hidden}
		}
	}
	return train.ModelConfig{Scorer: sc, Network: o.Network, N: o.N, Swap: o.Swap, Base: o.Base,
		Steepness: o.Steepness, ARTLambda: 0.25, FeatureWeight: o.FeatureWeight, FeatureGroup: o.FeatureGroup, Float32: o.Float32}
}

// runState is where a run is; it is saved in checkpoints.
type runState struct {
	Step      int     `json:"step"`
	Elapsed   float64 `json:"elapsed_s"`
	BestStep  int     `json:"best_step"`
	BestEM5   float64 `json:"best_valid_em5"`
	BestEM    float64 `json:"best_valid_em"`
	BestEW    float64 `json:"best_valid_ew"`
	HaveBest  bool    `json:"have_best"`
	LossSum   float64 `json:"loss_sum"` // training loss since the last evaluation
	LossCount int     `json:"loss_count"`
}

// result is what a finished run reports (also written as result.json).
type result struct {
	Options  options         `json:"options"`
	Steps    int             `json:"steps"`
	BestStep int             `json:"best_step"`
	Valid    accJSON         `json:"valid"`
	Test     accJSON         `json:"test"`
	Elapsed  float64         `json:"elapsed_s"`
	Params   int             `json:"params"`
	Backend  string          `json:"-"`
	Curve    []logRow        `json:"-"`
	Model    json.RawMessage `json:"model"`
}

type accJSON struct {
	EM, EW, EM5 float64
	Samples     int
}

func toJSON(a train.Accuracy) accJSON {
	return accJSON{a.EM(), a.EW(), a.EM5(), a.Samples}
}

// logRow is one line of the CSV log, written at every evaluation.
type logRow struct {
	Step             int
	Elapsed          float64
	Loss             float64
	LR               float64
	ValidEM, ValidEW float64
	ValidEM5         float64
}

var logHeader = []string{"step", "elapsed_s", "train_loss", "lr", "valid_acc_em", "valid_acc_ew", "valid_acc_em5"}

func (r logRow) record() []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return []string{strconv.Itoa(r.Step), f(r.Elapsed), f(r.Loss), f(r.LR), f(r.ValidEM), f(r.ValidEW), f(r.ValidEM5)}
}

func parseRow(rec []string) (logRow, error) {
	if len(rec) != len(logHeader) {
		return logRow{}, fmt.Errorf("want %d fields, got %d", len(logHeader), len(rec))
	}
	var r logRow
	var err error
	if r.Step, err = strconv.Atoi(rec[0]); err != nil {
		return r, err
	}
	fs := []*float64{&r.Elapsed, &r.Loss, &r.LR, &r.ValidEM, &r.ValidEW, &r.ValidEM5}
	for i, p := range fs {
		if *p, err = strconv.ParseFloat(rec[i+1], 64); err != nil {
			return r, err
		}
	}
	return r, nil
}

const (
	lastCkpt = "checkpoint.ckpt"
	bestCkpt = "best.ckpt"
	logCSV   = "log.csv"
	curvePNG = "curve.png"
	resultJS = "result.json"
)

// checkpointMeta is what a checkpoint must agree on to be resumed.
type checkpointMeta struct {
	Options options           `json:"options"`
	Model   train.ModelConfig `json:"model"`
	Adam    train.AdamConfig  `json:"adam"`
}

// runTraining runs (or resumes) a training run and evaluates the best validation
// checkpoint on the test set.
func runTraining(o options, data dataSource) (*result, error) {
	if o.Steps < 1 || o.Batch < 1 || o.EvalEvery < 1 {
		return nil, fmt.Errorf("ranking: need -steps, -batch and -eval-every >= 1 (got %d, %d, %d)", o.Steps, o.Batch, o.EvalEvery)
	}
	if o.Resume && o.Force {
		return nil, errResumeForce
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Out == "" {
		return nil, errors.New("ranking: -out is required")
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	mcfg := o.modelConfig(data)
	model, err := train.NewModel(mcfg, rand.New(rand.NewPCG(o.Seed, 1)))
	if err != nil {
		return nil, err
	}
	acfg := train.DefaultAdam()
	acfg.LR, acfg.WeightDecay = o.LR, o.WeightDecay
	if o.DecayEvery > 0 {
		acfg.DecayEvery, acfg.DecayFactor = o.DecayEvery, 0.5
	}
	opt, err := train.NewAdam(model.Params(), acfg)
	if err != nil {
		return nil, err
	}
	meta := checkpointMeta{Options: o, Model: model.Config, Adam: acfg}

	var st runState
	var rows []logRow
	ckptPath := filepath.Join(o.Out, lastCkpt)
	switch _, statErr := os.Stat(ckptPath); {
	case o.Resume && statErr != nil:
		return nil, fmt.Errorf("ranking: -resume but no checkpoint at %s: %w", ckptPath, statErr)
	case o.Resume:
		ck, err := train.LoadCheckpoint(ckptPath)
		if err != nil {
			return nil, fmt.Errorf("%w (not touching it; move it away or fix the flags)", err)
		}
		if err := ck.MatchMeta(meta); err != nil {
			return nil, fmt.Errorf("ranking: cannot resume from %s: %w", ckptPath, err)
		}
		if err := ck.Restore(model.Params(), opt); err != nil {
			return nil, fmt.Errorf("ranking: cannot resume from %s: %w", ckptPath, err)
		}
		if err := json.Unmarshal(ck.State, &st); err != nil {
			return nil, fmt.Errorf("%w %s: state: %v", train.ErrCorruptCheckpoint, ckptPath, err)
		}
		if rows, err = readLog(filepath.Join(o.Out, logCSV), st.Step); err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Log, "resumed %s at step %d\n", ckptPath, st.Step)
	case statErr == nil && !o.Force:
		return nil, fmt.Errorf("ranking: %s already holds a run (%s); pass -resume to continue it or -force to start over", o.Out, ckptPath)
	}

	n, feats := data.N(), data.Features()
	x := mat.NewDense(o.Batch*n, feats, nil)
	ranks := make([]int, o.Batch*n)
	var bar *progressbar.ProgressBar
	if o.Progress {
		bar = progressbar.NewOptions(o.Steps,
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(25),
			progressbar.OptionSetDescription("training"))
		bar.Set(st.Step)
	}
	start := time.Now()
	base := st.Elapsed
	elapsed := func() float64 { return base + time.Since(start).Seconds() }
	emaLoss := math.NaN()
	for st.Step < o.Steps {
		data.TrainBatch(st.Step, o.Batch, x, ranks)
		opt.ZeroGrad()
		lp, err := model.Train(x, ranks)
		if err != nil {
			return nil, fmt.Errorf("ranking: step %d: %w", st.Step, err)
		}
		lr := opt.LR()
		if err := opt.Update(); err != nil {
			return nil, fmt.Errorf("ranking: step %d: %w", st.Step, err)
		}
		st.Step++
		st.LossSum += lp.Total
		st.LossCount++
		if math.IsNaN(emaLoss) {
			emaLoss = lp.Total
		}
		emaLoss = 0.98*emaLoss + 0.02*lp.Total
		if bar != nil {
			bar.Describe(fmt.Sprintf("loss %.4f", emaLoss))
			bar.Set(st.Step)
		}
		if st.Step%o.EvalEvery != 0 && st.Step != o.Steps {
			continue
		}
		va, err := evaluate(model, data.Valid(), o.Batch, n, feats)
		if err != nil {
			return nil, err
		}
		row := logRow{Step: st.Step, Elapsed: elapsed(), Loss: st.LossSum / float64(st.LossCount), LR: lr, ValidEM: va.EM(), ValidEW: va.EW(), ValidEM5: va.EM5()}
		rows = append(rows, row)
		st.LossSum, st.LossCount = 0, 0
		// diffsort keeps the step with the best validation acc_em5 (equal to
		// acc_em for n <= 5; less noisy than acc_em for large n).
		if !st.HaveBest || va.EM5() > st.BestEM5 {
			st.HaveBest, st.BestStep, st.BestEM5, st.BestEM, st.BestEW = true, st.Step, va.EM5(), va.EM(), va.EW()
			if err := train.SaveCheckpoint(filepath.Join(o.Out, bestCkpt), meta, st, model.Params(), nil); err != nil {
				return nil, err
			}
		}
		st.Elapsed = elapsed()
		if err := writeLog(filepath.Join(o.Out, logCSV), rows); err != nil {
			return nil, err
		}
		if err := train.SaveCheckpoint(ckptPath, meta, st, model.Params(), opt); err != nil {
			return nil, err
		}
		if bar != nil {
			bar.Clear()
		}
		fmt.Fprintf(o.Log, "step %d  loss %.4f  valid acc_em %.4f acc_ew %.4f acc_em5 %.4f  (%.0fs)\n", row.Step, row.Loss, row.ValidEM, row.ValidEW, row.ValidEM5, row.Elapsed)
	}
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
	if err := plotCurve(filepath.Join(o.Out, curvePNG), rows, o); err != nil {
		return nil, err
	}

	// Test the best validation checkpoint.
	best, err := train.LoadCheckpoint(filepath.Join(o.Out, bestCkpt))
	if err != nil {
		return nil, err
	}
	if err := best.Restore(model.Params(), nil); err != nil {
		return nil, err
	}
	ta, err := evaluate(model, data.Test(), o.Batch, n, feats)
	if err != nil {
		return nil, err
	}
	mj, _ := json.Marshal(model.Config)
	res := &result{Options: o, Steps: st.Step, BestStep: st.BestStep, Test: toJSON(ta), Elapsed: st.Elapsed,
		Valid: accJSON{st.BestEM, st.BestEW, st.BestEM5, data.Valid().Len()}, Params: train.CountParams(model.Params()),
		Curve: rows, Model: mj}
	js, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(filepath.Join(o.Out, resultJS), append(js, '\n'), 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

// evaluate measures ranking accuracy of the model's scores on a set.
func evaluate(m *train.Model, set evalSet, batch, n, feats int) (train.Accuracy, error) {
	var acc train.Accuracy
	x := mat.NewDense(batch*n, feats, nil)
	ranks := make([]int, batch*n)
	for lo := 0; lo < set.Len(); lo += batch {
		hi := min(lo+batch, set.Len())
		xb := x
		if hi-lo != batch {
			xb = x.Slice(0, (hi-lo)*n, 0, feats).(*mat.Dense)
		}
		set.Batch(lo, hi, xb, ranks[:(hi-lo)*n])
		s, err := m.Scores(xb)
		if err != nil {
			return acc, err
		}
		a, err := train.RankAccuracy(s, ranks[:(hi-lo)*n], n)
		if err != nil {
			return acc, err
		}
		acc = acc.Add(a)
	}
	return acc, nil
}

func writeLog(path string, rows []logRow) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(logHeader)
	for _, r := range rows {
		w.Write(r.record())
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readLog reads a run's CSV log up to step (rows past the checkpoint were
// written by a run that died before saving it, and will be redone).
func readLog(path string, upTo int) ([]logRow, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("ranking: log %s: %w", path, err)
	}
	var rows []logRow
	for i, rec := range recs {
		if i == 0 {
			continue
		}
		r, err := parseRow(rec)
		if err != nil {
			return nil, fmt.Errorf("ranking: log %s line %d: %w", path, i+1, err)
		}
		if r.Step <= upTo {
			rows = append(rows, r)
		}
	}
	return rows, nil
}
