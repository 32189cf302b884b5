package main

import (
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sortgen/sortgen/networks"
)

// runDraw draws a network as an SVG Knuth diagram:
//
//	sortgen draw -n N -network NAME -o net.svg
//	sortgen draw -in FILE -o net.svg
func runDraw(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("draw", flag.ContinueOnError)
	var nf networkFlags
	nf.register(fs)
	var topK topKFlag
	topK.register(fs, "")
	out := fs.String("o", "-", "write the SVG to `FILE` (- for standard output)")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	nw, label, err := nf.load()
	if err == nil {
		nw, err = topK.apply(nw)
	}
	if err != nil {
		return usageError(stderr, "draw: %v", err)
	}
	svg := drawSVG(nw, topK.title(label))
	if *out == "-" {
		_, err = io.WriteString(stdout, svg)
	} else {
		err = os.WriteFile(*out, []byte(svg), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sortgen: draw: %v\n", err)
		return 1
	}
	return 0
}

// Diagram geometry, in SVG user units.
const (
	svgWireGap    = 20 // between wires
	svgColumnGap  = 12 // between comparator columns of one layer
	svgLayerGap   = 18 // extra space between layers
	svgMarginL    = 36 // room for wire numbers
	svgMarginR    = 16
	svgMarginTop  = 36 // room for the title
	svgMarginBot  = 28 // room for the legend
	svgDotRadius  = 3
	svgArrowSize  = 5
	svgAscending  = "#222"
	svgReversed   = "#c62828"
	svgLayerShade = "#eef2f7"
)

// packColumns assigns the comparators of one layer to columns so that no
// two in a column overlap vertically: sweeping them by their upper end,
// each goes into the first column free below it, which for intervals uses
// as few columns as possible. It returns the column of each comparator.
func packColumns(layer []networks.Comparator) (cols []int, count int) {
	order := make([]int, len(layer))
	for i := range order {
		order[i] = i
	}
	lo := func(c networks.Comparator) int { return min(c.P, c.Q) }
	hi := func(c networks.Comparator) int { return max(c.P, c.Q) }
	slices.SortStableFunc(order, func(a, b int) int { return lo(layer[a]) - lo(layer[b]) })
	cols = make([]int, len(layer))
	var bottom []int // per column, the lowest wire used so far
	for _, i := range order {
		c := layer[i]
		col := slices.IndexFunc(bottom, func(b int) bool { return b < lo(c) })
		if col < 0 {
			col = len(bottom)
			bottom = append(bottom, 0)
		}
		bottom[col] = hi(c)
		cols[i] = col
	}
	return cols, len(bottom)
}

// drawSVG draws nw: wire 0 at the top, wires as horizontal lines, each
// comparator a vertical segment with a dot on both wires. The smaller value
// goes to wire P; comparators that send it down (P > Q) are drawn in red
// with an arrow head at the wire receiving the larger value. Layers sit on
// alternately shaded bands.
func drawSVG(nw *networks.Network, label string) string {
	type placed struct {
		c networks.Comparator
		x int
	}
	var comps []placed
	var bands [][2]int // x extent of each layer
	x := svgMarginL + svgColumnGap
	for _, layer := range nw.Layers {
		cols, count := packColumns(layer)
		start := x - svgColumnGap/2
		for i, c := range layer {
			comps = append(comps, placed{c, x + cols[i]*svgColumnGap})
		}
		x += count * svgColumnGap
		bands = append(bands, [2]int{start, x - svgColumnGap/2})
		x += svgLayerGap
	}
	title := fmt.Sprintf("%s: n=%d, %d comparators, %d layers", label, nw.N, nw.Size(), nw.Depth())
	legend := "min to the upper wire"
	for _, c := range nw.Comparators() {
		if c.P > c.Q {
			legend += "; red with arrow: reversed, max to the arrow's wire"
			break
		}
	}
	// Text widths are estimated, at most 0.7 em per character, so that
	// narrow networks do not cut off their title or legend.
	width := max(x-svgLayerGap+svgMarginR, svgMarginL+len(title)*8+svgMarginR, svgMarginL+len(legend)*6+svgMarginR)
	y := func(wire int) int { return svgMarginTop + wire*svgWireGap }
	height := y(nw.N-1) + svgMarginBot

	var b strings.Builder
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height)
	b.WriteString("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text>\n", escapeXML(title), svgMarginL, svgMarginTop-18, escapeXML(title))

	b.WriteString("<g class=\"layers\" fill=\"" + svgLayerShade + "\">\n")
	for l, band := range bands {
		if l%2 == 0 {
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", band[0], y(0)-svgWireGap/2, band[1]-band[0], y(nw.N-1)-y(0)+svgWireGap)
		}
	}
	b.WriteString("</g>\n<g class=\"wires\" stroke=\"#888\" stroke-width=\"1\">\n")
	for w := range nw.N {
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", svgMarginL, y(w), width-svgMarginR, y(w))
	}
	b.WriteString("</g>\n<g class=\"labels\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#555\">\n")
	for w := range nw.N {
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\">%d</text>\n", svgMarginL-6, y(w), w)
	}
	b.WriteString("</g>\n<g class=\"comparators\" stroke-width=\"1.5\">\n")
	for _, p := range comps {
		colour := svgAscending
		if p.c.P > p.c.Q {
			colour = svgReversed
		}
		y1, y2 := y(p.c.P), y(p.c.Q)
		fmt.Fprintf(&b, "<g stroke=\"%s\" fill=\"%s\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", colour, colour, p.x, y1, p.x, y2)
		fmt.Fprintf(&b, "<circle cx=\"%d\" cy=\"%d\" r=\"%d\"/><circle cx=\"%d\" cy=\"%d\" r=\"%d\"/>", p.x, y1, svgDotRadius, p.x, y2, svgDotRadius)
		if p.c.P > p.c.Q {
			// Arrow head pointing up at wire Q, which gets the larger value.
			tip := y2 + svgDotRadius + 1
			fmt.Fprintf(&b, "<path d=\"M%d %dl%d %dh%dz\" stroke=\"none\"/>", p.x, tip, -svgArrowSize+1, svgArrowSize+2, 2*svgArrowSize-2)
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>\n", svgMarginL, height-8, escapeXML(legend))
	b.WriteString("</svg>\n")
	return b.String()
}

func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
