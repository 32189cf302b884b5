package runtime

import (
	goruntime "runtime"
	"sync"
)

type op int

const (
	opSort op = iota
	opForward
	opBackward
	opBCE
)

// A batchCall is one kernel call on a whole batch, split into row chunks
// that run on the sorter's workers. Calls are pooled so that a steady loop
// of forward and backward passes allocates nothing.
type batchCall[T Float] struct {
	k                   kernel[T]
	op                  op
	n, tapeLen, diffLen int
	y, x, pt, tape      []T
	diff, gx, gy, gpt   []T
	ranks               []int
	inv                 float64
	mu                  sync.Mutex
	sum                 float64
	wg                  sync.WaitGroup
}

// rows returns rows [lo, hi) of a batch whose rows have width w, or nil.
func rows[T Float](s []T, lo, hi, w int) []T {
	if s == nil {
		return nil
	}
	return s[lo*w : hi*w]
}

func (c *batchCall[T]) run(lo, hi int) {
	n := c.n
	switch c.op {
	case opSort:
		c.k.sort(rows(c.y, lo, hi, n), rows(c.x, lo, hi, n))
	case opForward:
		c.k.forward(rows(c.y, lo, hi, n), rows(c.pt, lo, hi, n*n), rows(c.tape, lo, hi, c.tapeLen),
			rows(c.diff, lo, hi, c.diffLen), rows(c.x, lo, hi, n))
	case opBackward:
		c.k.backward(rows(c.gx, lo, hi, n), rows(c.gy, lo, hi, n), rows(c.gpt, lo, hi, n*n),
			rows(c.tape, lo, hi, c.tapeLen), rows(c.diff, lo, hi, c.diffLen))
	case opBCE:
		part := bceRows(rows(c.gpt, lo, hi, n*n), rows(c.pt, lo, hi, n*n), c.ranks[lo*n:hi*n], n, c.inv)
		c.mu.Lock()
		c.sum += part
		c.mu.Unlock()
	}
}

type job[T Float] struct {
	c      *batchCall[T]
	lo, hi int
}

// workers runs jobs on goroutines that live as long as the sorter.
type workers[T Float] struct {
	once  sync.Once
	jobs  chan job[T]
	calls sync.Pool
}

func (w *workers[T]) start(owner *Sorter[T], count int) {
	w.once.Do(func() {
		w.jobs = make(chan job[T], count)
		for range count {
			go work(w.jobs)
		}
		// The goroutines hold only the channel, so the sorter can be
		// collected; closing the channel then ends them.
		goruntime.AddCleanup(owner, func(ch chan job[T]) { close(ch) }, w.jobs)
	})
}

func work[T Float](jobs chan job[T]) {
	for j := range jobs {
		j.c.run(j.lo, j.hi)
		j.c.wg.Done()
	}
}

func (w *workers[T]) get() *batchCall[T] {
	if c, ok := w.calls.Get().(*batchCall[T]); ok {
		return c
	}
	return new(batchCall[T])
}

func (w *workers[T]) put(c *batchCall[T]) {
	c.y, c.x, c.pt, c.tape, c.diff, c.gx, c.gy, c.gpt, c.ranks = nil, nil, nil, nil, nil, nil, nil, nil, nil
	c.sum = 0 // the slices are dropped so that nothing stays alive
	w.calls.Put(c)
}

// run splits rows [0, batch) into contiguous chunks, a multiple of 8 rows
// each so that vector kernels see whole blocks, and runs them on up to
// maxWorkers goroutines, this one included.
func (w *workers[T]) run(owner *Sorter[T], maxWorkers, batch int, c *batchCall[T]) {
	const minRowsPerWorker = 16
	nw := min(maxWorkers, (batch+minRowsPerWorker-1)/minRowsPerWorker)
	if nw <= 1 {
		c.run(0, batch)
		return
	}
	w.start(owner, maxWorkers-1)
	chunk := ((batch+nw-1)/nw + 7) &^ 7
	for lo := chunk; lo < batch; lo += chunk {
		c.wg.Add(1)
		w.jobs <- job[T]{c: c, lo: lo, hi: min(lo+chunk, batch)}
	}
	c.run(0, min(chunk, batch))
	c.wg.Wait()
}
