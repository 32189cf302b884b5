package runtime

import (
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"
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
	pending             atomic.Int32 // chunks still running on workers
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

// spinWindow is how long an idle worker, and a caller waiting for its
// workers, keep polling before they park. Waking a parked thread goes
// through the OS (and, on a virtual machine, the hypervisor): that was
// measured at 80 to 150µs here, as long as the whole n=32 forward pass of
// half a batch, so a pool that parked between calls did not scale at all.
// Training alternates forward, loss and backward calls back to back, so
// polling for a fraction of a millisecond catches the next call almost
// always; Gosched in the loop leaves the processor to any other goroutine.
const spinWindow = 300 * time.Microsecond

func work[T Float](jobs chan job[T]) {
	for j := range jobs {
		for {
			j.c.run(j.lo, j.hi)
			j.c.pending.Add(-1)
			j.c.wg.Done()
			var ok bool
			if j, ok = poll(jobs); !ok {
				break
			}
		}
	}
}

// poll waits up to spinWindow for the next job without parking. It
// reports false on timeout and when the channel is closed: the caller's
// blocking receive then parks or ends.
func poll[T Float](jobs chan job[T]) (job[T], bool) {
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case j, ok := <-jobs:
			return j, ok
		default:
		}
		if i%16 == 15 && time.Since(start) > spinWindow {
			return job[T]{}, false
		}
		goruntime.Gosched()
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
		c.pending.Add(1)
		c.wg.Add(1)
		w.jobs <- job[T]{c: c, lo: lo, hi: min(lo+chunk, batch)}
	}
	c.run(0, min(chunk, batch))
	// Wait as the workers do: poll first, park only after spinWindow.
	start := time.Now()
	for i := 0; c.pending.Load() > 0; i++ {
		if i%16 == 15 && time.Since(start) > spinWindow {
			break
		}
		goruntime.Gosched()
	}
	c.wg.Wait()
}
