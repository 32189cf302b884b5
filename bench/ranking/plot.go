package main

import (
	"fmt"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// plotCurve draws the learning curve: the training loss (top) and the
// validation accuracies (bottom) against the step.
func plotCurve(path string, rows []logRow, o options) error {
	if len(rows) == 0 {
		return nil
	}
	loss := make(plotter.XYs, len(rows))
	em := make(plotter.XYs, len(rows))
	ew := make(plotter.XYs, len(rows))
	for i, r := range rows {
		loss[i] = plotter.XY{X: float64(r.Step), Y: r.Loss}
		em[i] = plotter.XY{X: float64(r.Step), Y: r.ValidEM}
		ew[i] = plotter.XY{X: float64(r.Step), Y: r.ValidEW}
	}
	top := plot.New()
	top.Title.Text = fmt.Sprintf("%s n=%d %s %s, scorer %s", o.Data, o.N, o.Network, o.Swap, o.Scorer)
	top.Y.Label.Text = "train loss"
	bottom := plot.New()
	bottom.X.Label.Text = "step"
	bottom.Y.Label.Text = "validation accuracy"
	bottom.Y.Min, bottom.Y.Max = 0, 1
	if err := plotutil.AddLinePoints(top, "loss", loss); err != nil {
		return err
	}
	if err := plotutil.AddLinePoints(bottom, "acc_em", em, "acc_ew", ew); err != nil {
		return err
	}
	bottom.Legend.Top = false // accuracies rise toward the top right
	img := vgimg.New(vg.Points(640), vg.Points(560))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
