package networks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Format is a way of writing a network down, as people already exchange
// them.
type Format int

const (
	// FormatAuto asks ParseFormat to recognise the format (see Parse).
	FormatAuto Format = iota
	// FormatJSON is SorterHunter's JSON: {"N":8,"L":19,"D":6,"nw":[[0,2],...]}.
	// "nw" is a flat list of [p,q] pairs, layered by FromFlat. N is
	// required; L (the size) and D (the depth of the flat list) are checked
	// when present; other keys are ignored.
	FormatJSON
	// FormatLayers is one layer per line, as on the published tables:
	//
	//	[(0,2),(1,3)]
	//	[(0,1),(2,3)]
	//
	// Each bracketed list is one layer, in order.
	FormatLayers
	// FormatFlat is a flat list of comparators, layered by FromFlat: one
	// bracketed list such as [(0,2),(1,3),(0,1)] on one or many lines,
	// bracketed pairs such as (0,2) (1,3) or [0,2] [1,3], or one pair per
	// line written as "0 2" or "0,2".
	FormatFlat
)

// MaxWires is the largest number of wires a parsed network may have.
const MaxWires = 1 << 16

// MaxComparators bounds the comparators of a parsed network, so that a
// huge file fails fast instead of taking gigabytes: 1,024 wires (sortgen's
// limit) times 1,024 comparators per wire. Odd-even transposition on 1,024
// wires, the largest network ByName builds there, has 523,776.
const MaxComparators = 1 << 20

// MaxFileBytes bounds what ReadFormat reads: MaxComparators comparators at
// 32 bytes each, room for SorterHunter's JSON (13 bytes a comparator at
// 1,024 wires) or generously spaced text.
const MaxFileBytes = 32 << 20

var formatNames = [...]string{FormatAuto: "auto", FormatJSON: "json", FormatLayers: "layers", FormatFlat: "flat"}

func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// FormatByName returns the format called name: "auto", "json", "layers" or
// "flat".
func FormatByName(name string) (Format, error) {
	for f, s := range formatNames {
		if s == name {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("networks: unknown format %q (known: %s)", name, strings.Join(formatNames[:], ", "))
}

// A ParseError locates what is wrong in a network file. Line and Column
// count from 1 (columns in bytes); both are 0 when the problem has no single
// place, like a missing field.
type ParseError struct {
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "networks: " + e.Msg
	}
	return fmt.Sprintf("networks: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Parse reads a network in any of the formats, recognised as follows. Text
// starting with '{' is JSON. Other text is read as a sequence of bracketed
// lists of pairs, bracketed pairs and one-pair lines; blank lines and
// comments from '#' to the end of the line are ignored, and whitespace may
// appear anywhere between tokens. Two or more lists make FormatLayers, a
// single list or only pairs make FormatFlat; mixing lists and pairs is an
// error. (A single line [(0,2),(1,3)] means the same either way: FromFlat
// puts disjoint comparators in one layer.)
//
// Text formats have no field for the number of wires n: it is max wire+1,
// unless a comment line "# n=10" gives it (Write adds one when the network
// has unused top wires). ParseFormat can also be told n.
//
// A network of more than MaxComparators comparators is an error, reported
// as soon as the parser reaches the first one too many.
func Parse(data []byte) (*Network, error) { return ParseFormat(data, FormatAuto, 0) }

// ParseFormat reads a network in format f (FormatAuto to recognise it, see
// Parse). If n > 0 the network has n wires and a file saying otherwise is an
// error. Under FormatFlat every comparator of the text, even from several
// bracketed lists, goes into one flat list.
func ParseFormat(data []byte, f Format, n int) (*Network, error) {
	if n != 0 && (n < 2 || n > MaxWires) {
		return nil, fmt.Errorf("networks: n = %d out of range [2,%d]", n, MaxWires)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if f == FormatAuto {
		if i := bytes.IndexFunc(data, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) }); i >= 0 && data[i] == '{' {
			f = FormatJSON
		}
	}
	switch f {
	case FormatJSON:
		return parseJSON(data, n)
	case FormatAuto, FormatLayers, FormatFlat:
		return parseText(data, f, n)
	}
	return nil, fmt.Errorf("networks: unknown format %v", f)
}

// ReadFormat is ParseFormat of what r holds, reading at most MaxFileBytes:
// more is an error, before anything is parsed.
func ReadFormat(r io.Reader, f Format, n int) (*Network, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("networks: larger than %d MiB (MaxFileBytes), the most a network file may have", MaxFileBytes>>20)
	}
	return ParseFormat(data, f, n)
}

// tooMany is the error for the comparator past MaxComparators.
func tooMany(line, col int) error {
	return &ParseError{line, col, fmt.Sprintf("more than %d comparators (MaxComparators), the most a network file may have", MaxComparators)}
}

// A located comparator remembers where it was written, for error messages.
type located struct {
	c         Comparator
	line, col int
}

// assemble checks the comparators against n (inferred as max wire+1 when
// n is 0) and builds the network: from layers if layered, else with
// FromFlat from the concatenation of the layers.
func assemble(layers [][]located, layered bool, n int) (*Network, error) {
	if n == 0 {
		for _, l := range layers {
			for _, lc := range l {
				n = max(n, lc.c.P+1, lc.c.Q+1)
			}
		}
	}
	var flat []Comparator
	used := map[int]bool{}
	for _, l := range layers {
		clear(used)
		for _, lc := range l {
			c := lc.c
			at := func(format string, a ...any) error {
				return &ParseError{lc.line, lc.col, fmt.Sprintf(format, a...)}
			}
			if c.P == c.Q {
				return nil, at("comparator (%d,%d): p == q", c.P, c.Q)
			}
			for _, w := range [2]int{c.P, c.Q} {
				if w >= n {
					return nil, at("comparator (%d,%d): wire %d out of range for n=%d", c.P, c.Q, w, n)
				}
				if layered && used[w] {
					return nil, at("comparator (%d,%d): wire %d used twice in one layer", c.P, c.Q, w)
				}
				used[w] = true
			}
			flat = append(flat, c)
		}
	}
	if n < 2 {
		return nil, &ParseError{Msg: "no comparators, so no number of wires; give one with a line \"# n=N\""}
	}
	if !layered {
		return FromFlat(n, flat)
	}
	nw := &Network{N: n, Layers: make([][]Comparator, len(layers))}
	for i, l := range layers {
		for _, lc := range l {
			nw.Layers[i] = append(nw.Layers[i], lc.c)
		}
	}
	return nw, nw.Validate()
}

// A textScanner walks the text formats, tracking line and column.
type textScanner struct {
	data      []byte
	off       int
	line, col int
	n         int // from a "# n=N" comment, 0 if none
	pairs     int // read so far, against MaxComparators
}

// count counts the pair starting at line, col.
func (s *textScanner) count(line, col int) error {
	if s.pairs++; s.pairs > MaxComparators {
		return tooMany(line, col)
	}
	return nil
}

func (s *textScanner) errorf(line, col int, format string, a ...any) error {
	return &ParseError{line, col, fmt.Sprintf(format, a...)}
}

// peek returns the next byte, or 0 at the end.
func (s *textScanner) peek() byte {
	if s.off >= len(s.data) {
		return 0
	}
	return s.data[s.off]
}

func (s *textScanner) advance() {
	if s.data[s.off] == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	s.off++
}

// skipBlanks skips spaces and tabs, and with newlines also line breaks and
// comments. A comment always runs to the end of its line, so skipping one
// never leaves the line.
func (s *textScanner) skipBlanks(newlines bool) error {
	for s.off < len(s.data) {
		switch s.data[s.off] {
		case ' ', '\t', '\r':
			s.advance()
		case '\n':
			if !newlines {
				return nil
			}
			s.advance()
		case '#':
			if err := s.comment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// comment consumes a comment and takes n from it if it reads "# n=N".
func (s *textScanner) comment() error {
	line, col := s.line, s.col
	end := bytes.IndexByte(s.data[s.off:], '\n')
	if end < 0 {
		end = len(s.data) - s.off
	}
	text := strings.TrimSpace(string(s.data[s.off+1 : s.off+end]))
	for s.off < len(s.data) && s.data[s.off] != '\n' {
		s.advance()
	}
	key, val, ok := strings.Cut(text, "=")
	if key = strings.TrimSpace(key); !ok || key != "n" && key != "N" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(val))
	if err != nil {
		return nil // an ordinary comment that happens to start with "n ="
	}
	if n < 2 || n > MaxWires {
		return s.errorf(line, col, "n = %d out of range [2,%d]", n, MaxWires)
	}
	if s.n != 0 && s.n != n {
		return s.errorf(line, col, "n = %d contradicts an earlier n = %d", n, s.n)
	}
	s.n = n
	return nil
}

// unexpected describes the byte at the current position for an error.
func (s *textScanner) unexpected(want string) error {
	if s.off >= len(s.data) {
		return s.errorf(s.line, s.col, "unexpected end of input, expected %s", want)
	}
	r, _ := utf8.DecodeRune(s.data[s.off:])
	return s.errorf(s.line, s.col, "expected %s, found %q", want, r)
}

func (s *textScanner) expect(b byte) error {
	if s.peek() != b {
		return s.unexpected(fmt.Sprintf("'%c'", b))
	}
	s.advance()
	return nil
}

func isWireStart(b byte) bool { return b == '-' || '0' <= b && b <= '9' }

// wire reads a wire number.
func (s *textScanner) wire() (int, error) {
	line, col := s.line, s.col
	start := s.off
	if s.peek() == '-' {
		s.advance()
	}
	if !isWireStart(s.peek()) || s.peek() == '-' {
		s.off, s.line, s.col = start, line, col
		return 0, s.unexpected("a wire number")
	}
	for s.off < len(s.data) && '0' <= s.data[s.off] && s.data[s.off] <= '9' {
		s.advance()
	}
	text := string(s.data[start:s.off])
	w, err := strconv.Atoi(text)
	switch {
	case err != nil || w >= MaxWires:
		return 0, s.errorf(line, col, "wire %s too large (at most %d)", text, MaxWires-1)
	case w < 0:
		return 0, s.errorf(line, col, "negative wire %s", text)
	}
	return w, nil
}

// pair reads "(p,q)" or "[p,q]"; the comma may be left out.
func (s *textScanner) pair() (located, error) {
	lc := located{line: s.line, col: s.col}
	if err := s.count(lc.line, lc.col); err != nil {
		return lc, err
	}
	closer := byte(')')
	if s.peek() == '[' {
		closer = ']'
	}
	s.advance()
	var err error
	for i, w := range []*int{&lc.c.P, &lc.c.Q} {
		if err = s.skipBlanks(true); err != nil {
			return lc, err
		}
		if i == 1 && s.peek() == ',' {
			s.advance()
			if err = s.skipBlanks(true); err != nil {
				return lc, err
			}
		}
		if *w, err = s.wire(); err != nil {
			return lc, err
		}
	}
	if err = s.skipBlanks(true); err != nil {
		return lc, err
	}
	return lc, s.expect(closer)
}

// barePair reads "p q" or "p,q", alone on its line but for a trailing comma
// or comment.
func (s *textScanner) barePair() (located, error) {
	lc := located{line: s.line, col: s.col}
	if err := s.count(lc.line, lc.col); err != nil {
		return lc, err
	}
	var err error
	if lc.c.P, err = s.wire(); err != nil {
		return lc, err
	}
	if err = s.skipBlanks(false); err != nil {
		return lc, err
	}
	if s.peek() == ',' {
		s.advance()
		if err = s.skipBlanks(false); err != nil {
			return lc, err
		}
	}
	if !isWireStart(s.peek()) {
		return lc, s.unexpected("a second wire number on the same line")
	}
	if lc.c.Q, err = s.wire(); err != nil {
		return lc, err
	}
	if err = s.skipBlanks(false); err != nil {
		return lc, err
	}
	if s.peek() == ',' {
		s.advance()
		if err = s.skipBlanks(false); err != nil {
			return lc, err
		}
	}
	if b := s.peek(); b != 0 && b != '\n' {
		return lc, s.unexpected("end of line after the pair")
	}
	return lc, nil
}

// list reads "[pair, pair, ...]"; commas are optional, a trailing one is
// allowed.
func (s *textScanner) list() ([]located, error) {
	line, col := s.line, s.col
	s.advance()
	var pairs []located
	for {
		if err := s.skipBlanks(true); err != nil {
			return nil, err
		}
		switch s.peek() {
		case ']':
			s.advance()
			return pairs, nil
		case '(', '[':
			lc, err := s.pair()
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, lc)
		case 0:
			return nil, s.unexpected(fmt.Sprintf("']' closing the '[' at line %d, column %d", line, col))
		default:
			return nil, s.unexpected("'(' or ']'")
		}
		if err := s.skipBlanks(true); err != nil {
			return nil, err
		}
		if s.peek() == ',' {
			s.advance()
		}
	}
}

// startsPair reports whether the '[' at the current position opens a pair
// "[p,q]" rather than a list.
func (s *textScanner) startsPair() bool {
	for i := s.off + 1; i < len(s.data); i++ {
		switch b := s.data[i]; {
		case b == ' ' || b == '\t' || b == '\r' || b == '\n':
		default:
			return isWireStart(b)
		}
	}
	return false
}

func parseText(data []byte, f Format, n int) (*Network, error) {
	s := &textScanner{data: data, line: 1, col: 1}
	type item struct {
		pairs     []located
		list      bool
		line, col int
	}
	var items []item
	for {
		if err := s.skipBlanks(true); err != nil {
			return nil, err
		}
		if s.off >= len(s.data) {
			break
		}
		it := item{line: s.line, col: s.col}
		var err error
		switch b := s.peek(); {
		case b == '[' && !s.startsPair():
			it.list = true
			it.pairs, err = s.list()
		case b == '(' || b == '[':
			var lc located
			lc, err = s.pair()
			it.pairs = []located{lc}
		case isWireStart(b):
			var lc located
			lc, err = s.barePair()
			it.pairs = []located{lc}
		default:
			err = s.unexpected("'[', '(' or a wire number")
		}
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if err := s.skipBlanks(true); err != nil {
			return nil, err
		}
		if s.peek() == ',' {
			s.advance()
		}
	}

	lists := 0
	for _, it := range items {
		if it.list {
			lists++
		}
	}
	if f == FormatAuto {
		f = FormatFlat
		if lists >= 2 {
			f = FormatLayers
		}
		if lists > 0 && lists < len(items) {
			for _, it := range items {
				if !it.list {
					return nil, s.errorf(it.line, it.col, "a pair outside brackets among bracketed lists: put every pair in a list (layers) or none (flat)")
				}
			}
		}
	}
	layers := make([][]located, 0, len(items))
	for _, it := range items {
		if f == FormatLayers {
			if !it.list {
				return nil, s.errorf(it.line, it.col, "expected a layer, a bracketed list of pairs")
			}
			if len(it.pairs) == 0 {
				return nil, s.errorf(it.line, it.col, "empty layer")
			}
		}
		layers = append(layers, it.pairs)
	}

	switch {
	case n == 0:
		n = s.n
	case s.n != 0 && s.n != n:
		return nil, &ParseError{Msg: fmt.Sprintf("the file says n = %d, expected %d", s.n, n)}
	}
	return assemble(layers, f == FormatLayers, n)
}

// A jsonParser reads SorterHunter JSON token by token, so that errors can
// point at the offending token.
type jsonParser struct {
	data []byte
	dec  *json.Decoder
	// pos's place: an offset, its line and where that line starts.
	posOff, posLine, posLineStart int
}

// pos converts a byte offset into a 1-based line and column. It scans on
// from the previous offset: counting from the start for every comparator
// would make parsing quadratic in the file size.
func (p *jsonParser) pos(off int) (line, col int) {
	off = min(max(off, 0), len(p.data))
	if off < p.posOff || p.posLine == 0 {
		p.posOff, p.posLine, p.posLineStart = 0, 1, 0
	}
	seg := p.data[p.posOff:off]
	if k := bytes.Count(seg, []byte{'\n'}); k > 0 {
		p.posLine += k
		p.posLineStart = p.posOff + bytes.LastIndexByte(seg, '\n') + 1
	}
	p.posOff = off
	return p.posLine, off - p.posLineStart + 1
}

// next returns where the next token starts: the decoder's offset is just
// past the previous token, before any separator.
func (p *jsonParser) next() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	return off
}

func (p *jsonParser) errAt(off int, format string, a ...any) error {
	line, col := p.pos(off)
	return &ParseError{line, col, fmt.Sprintf(format, a...)}
}

// decodeErr turns a decoder error into a located one; off is where the
// failing token starts.
func (p *jsonParser) decodeErr(err error, off int) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn): // from Token, the offset of the offending byte
		return p.errAt(int(syn.Offset), "%s", strings.TrimPrefix(syn.Error(), "json: "))
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return p.errAt(len(p.data), "unexpected end of input")
	}
	return p.errAt(off, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// skip skips a value token by token, so that errors in it are located like
// all others.
func (p *jsonParser) skip() error {
	depth := 0
	for {
		tok, _, err := p.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// token returns the next token and where it starts.
func (p *jsonParser) token() (json.Token, int, error) {
	off := p.next()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, off, p.decodeErr(err, off)
	}
	return tok, off, nil
}

func (p *jsonParser) delim(want json.Delim, what string) (int, error) {
	tok, off, err := p.token()
	if err == nil && tok != want {
		err = p.errAt(off, "expected %s, found %s", what, describeToken(tok))
	}
	return off, err
}

func (p *jsonParser) integer(what string, lo, hi int) (int, error) {
	tok, off, err := p.token()
	if err != nil {
		return 0, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return 0, p.errAt(off, "%s: expected an integer, found %s", what, describeToken(tok))
	}
	v, err := strconv.Atoi(string(num))
	if err != nil {
		return 0, p.errAt(off, "%s: expected an integer, found %s", what, num)
	}
	if v < lo || v > hi {
		return 0, p.errAt(off, "%s %d out of range [%d,%d]", what, v, lo, hi)
	}
	return v, nil
}

// pairs reads the "nw" array of [p,q] pairs.
func (p *jsonParser) pairs() ([]located, error) {
	if _, err := p.delim('[', "'[' starting the list of comparators"); err != nil {
		return nil, err
	}
	var cs []located
	for p.dec.More() {
		off, err := p.delim('[', "a comparator [p,q]")
		if err != nil {
			return nil, err
		}
		lc := located{}
		lc.line, lc.col = p.pos(off)
		if len(cs) == MaxComparators {
			return nil, tooMany(lc.line, lc.col)
		}
		for _, w := range []*int{&lc.c.P, &lc.c.Q} {
			if !p.dec.More() {
				return nil, p.errAt(p.next(), "expected a wire number")
			}
			if *w, err = p.integer("wire", 0, MaxWires-1); err != nil {
				return nil, err
			}
		}
		if _, err := p.delim(']', "']' after two wire numbers"); err != nil {
			return nil, err
		}
		cs = append(cs, lc)
	}
	_, err := p.delim(']', "']'")
	return cs, err
}

func parseJSON(data []byte, n int) (*Network, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	if _, err := p.delim('{', "'{'"); err != nil {
		return nil, err
	}
	fields := map[string]int{} // where each value starts
	var N, L, D int
	var cs []located
	for p.dec.More() {
		tok, off, err := p.token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // the decoder allows only strings here
		if _, dup := fields[key]; dup {
			return nil, p.errAt(off, "duplicate key %q", key)
		}
		fields[key] = p.next()
		switch key {
		case "N":
			N, err = p.integer("N", 2, MaxWires)
		case "L":
			L, err = p.integer("L", 0, 1<<31-1)
		case "D":
			D, err = p.integer("D", 0, 1<<31-1)
		case "nw":
			cs, err = p.pairs()
		default:
			err = p.skip()
		}
		if err != nil {
			return nil, err
		}
	}
	end, err := p.delim('}', "'}' or a key")
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, p.errAt(p.next(), "unexpected data after the JSON object")
	}
	if _, ok := fields["N"]; !ok {
		return nil, p.errAt(end, "missing \"N\", the number of wires")
	}
	if _, ok := fields["nw"]; !ok {
		return nil, p.errAt(end, "missing \"nw\", the list of comparators")
	}
	if n != 0 && n != N {
		return nil, p.errAt(fields["N"], "N = %d, expected %d", N, n)
	}
	nw, err := assemble([][]located{cs}, false, N)
	if err != nil {
		return nil, err
	}
	if off, ok := fields["L"]; ok && L != nw.Size() {
		return nil, p.errAt(off, "L = %d but \"nw\" has %d comparators", L, nw.Size())
	}
	if off, ok := fields["D"]; ok && D != nw.Depth() {
		return nil, p.errAt(off, "D = %d but \"nw\" has depth %d", D, nw.Depth())
	}
	return nw, nil
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("'%v'", t)
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// Write writes nw in format f. Every format reads back with Parse as the
// same network (Equal), with one caveat: JSON and Flat hold no layers, so
// they read back laid out by FromFlat. Networks already laid out that way,
// which includes every network this package builds, round-trip exactly.
// Text formats gain a "# n=N" line when some top wires are unused.
func Write(w io.Writer, nw *Network, f Format) error {
	if err := nw.Validate(); err != nil {
		return err
	}
	var b strings.Builder
	top := -1
	for _, c := range nw.Comparators() {
		top = max(top, c.P, c.Q)
	}
	header := func() {
		if top+1 != nw.N {
			fmt.Fprintf(&b, "# n=%d\n", nw.N)
		}
	}
	switch f {
	case FormatLayers:
		header()
		b.WriteString(nw.String())
	case FormatFlat:
		header()
		b.WriteByte('[')
		for i, c := range nw.Comparators() {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,%d)", c.P, c.Q)
		}
		b.WriteString("]\n")
	case FormatJSON:
		flat, _ := FromFlat(nw.N, nw.Comparators())
		fmt.Fprintf(&b, "{\n  \"N\": %d,\n  \"L\": %d,\n  \"D\": %d,\n  \"nw\": [", nw.N, nw.Size(), flat.Depth())
		for i, l := range nw.Layers {
			b.WriteString("\n    ")
			for j, c := range l {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "[%d,%d]", c.P, c.Q)
			}
			if i < len(nw.Layers)-1 {
				b.WriteByte(',')
			}
		}
		if len(nw.Layers) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]\n}\n")
	default:
		return fmt.Errorf("networks: cannot write format %v", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
