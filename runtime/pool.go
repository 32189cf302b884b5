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
	opForwardSegmented  // forward with P, tape and snapshots (interpreter)
	opBackwardSegmented // backward with dL/dP, recomputing segments (interpreter)
	opStepBCE           // forward with P, BCE, backward, block by block (StepBCE)
	opForwardTopK       // top values, X and the tapes (ForwardTopK)
	opBackwardTopK      // dL/dtop and dL/dX to dL/dx (BackwardTopK)
)

// A batchCall is one kernel call on a whole batch, split into chunks of
// rows that the caller and the sorter's workers claim one at a time. Calls
// are pooled so that a steady loop of forward and backward passes
// allocates nothing; a call goes back to the pool when the caller and
// every worker told about it have let go of it (refs).
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
	badRanks            bool // a row of ranks is not a permutation (BCE)

	// A top-k pass: k, the X tape's length per row, and the top values,
	// X, X tape, dL/dtop and dL/dX.
	topK, xtapeLen int
	top, xk, xtape []T
	gtop, gxk      []T

	// A segmented pass: the interpreter, its snapshots (snapLen per
	// row), segment boundaries, the largest segment's differences and
	// where scratch comes from.
	ip               *interpreter[T]
	snap             []T
	snapLen, segDiff int
	segs             []int
	scratch          *scratchPool[T]

	// A fused step: rows per block, the loss of each block, the fewest
	// rows worth a goroutine and what chunks are a multiple of (0: the
	// defaults, minRowsPerWorker and 8).
	block, minRows, align int
	partials              []float64

	batch, chunk int
	next         atomic.Int64 // first row not yet claimed
	done         atomic.Int64 // rows finished
	refs         atomic.Int32
	// waiting and finished let the caller park until the last chunk is
	// done: 1 = the caller is about to park, 2 = a finisher will send.
	waiting  atomic.Int32
	finished chan struct{}
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
	case opForwardSegmented:
		c.ip.forwardSegmented(rows(c.y, lo, hi, n), rows(c.pt, lo, hi, n*n), rows(c.tape, lo, hi, c.tapeLen),
			rows(c.snap, lo, hi, c.snapLen), rows(c.x, lo, hi, n), c.segs)
	case opBackwardSegmented:
		work := c.scratch.get(scratchLen(n, c.segDiff))
		c.ip.backwardSegmented(rows(c.gx, lo, hi, n), rows(c.gy, lo, hi, n), rows(c.gpt, lo, hi, n*n),
			rows(c.tape, lo, hi, c.tapeLen), rows(c.snap, lo, hi, c.snapLen), c.segs, work)
		c.scratch.put(work)
	case opStepBCE:
		c.stepBCE(lo, hi)
	case opForwardTopK:
		c.k.forwardTopK(rows(c.top, lo, hi, c.topK), rows(c.xk, lo, hi, n*c.topK), rows(c.tape, lo, hi, c.tapeLen),
			rows(c.xtape, lo, hi, c.xtapeLen), rows(c.x, lo, hi, n))
	case opBackwardTopK:
		c.k.backwardTopK(rows(c.gx, lo, hi, n), rows(c.gtop, lo, hi, c.topK), rows(c.gxk, lo, hi, n*c.topK),
			rows(c.tape, lo, hi, c.tapeLen), rows(c.xtape, lo, hi, c.xtapeLen))
	case opBCE:
		part, ok := bceRows(rows(c.gpt, lo, hi, n*n), rows(c.pt, lo, hi, n*n), c.ranks[lo*n:hi*n], n, c.inv)
		c.mu.Lock()
		c.sum += part
		c.badRanks = c.badRanks || !ok
		c.mu.Unlock()
	}
}

// workers runs calls on goroutines that live as long as the sorter.
type workers[T Float] struct {
	once  sync.Once
	calls chan *batchCall[T]
	pool  sync.Pool
}

func (w *workers[T]) start(owner *Sorter[T], count int) {
	w.once.Do(func() {
		w.calls = make(chan *batchCall[T], count)
		for range count {
			go work(w)
		}
		// The goroutines hold only the channel, so the sorter can be
		// collected; closing the channel then ends them.
		goruntime.AddCleanup(owner, func(ch chan *batchCall[T]) { close(ch) }, w.calls)
	})
}

// spinWindow is how long an idle worker, and a caller waiting for its
// workers, keep polling before they park. Waking a parked thread goes
// through the OS (and, on a virtual machine, the hypervisor), which can
// take as long as a whole small forward pass (bench/README.md has the
// figures), so a pool that parked between calls would not scale. Training
// alternates forward, loss and backward calls back to back, so
// polling for a fraction of a millisecond catches the next call almost
// always. The price is that a worker holds its processor for up to
// spinWindow after a call.
const spinWindow = 300 * time.Microsecond

// yieldAfter is when a polling loop starts offering its core to other
// threads (osYield) on each check: on an oversubscribed machine the
// thread it waits for may need that core. (runtime.Gosched would queue
// the goroutine globally without waking an idle processor.)
const yieldAfter = 20 * time.Microsecond

// A spinner paces a polling loop: next reports false once spinWindow has
// passed since its first call, and offers the core to other threads after
// yieldAfter. (A loop over a closure would allocate it on every call.)
type spinner struct {
	start time.Time
	i     int
}

func (s *spinner) next() bool {
	s.i++
	if s.i == 1 {
		s.start = time.Now()
	}
	if s.i%64 != 0 {
		return true
	}
	d := time.Since(s.start)
	if d > yieldAfter {
		osYield()
	}
	return d <= spinWindow
}

func work[T Float](w *workers[T]) {
	for {
		var c *batchCall[T]
		for sp := (spinner{}); c == nil && sp.next(); {
			if len(w.calls) > 0 {
				select {
				case c = <-w.calls:
					if c == nil { // closed
						return
					}
				default:
				}
			}
		}
		if c == nil {
			var ok bool
			if c, ok = <-w.calls; !ok {
				return
			}
		}
		c.claim()
		w.release(c)
	}
}

// claim runs chunks of rows until none is left unclaimed. A worker that
// comes late, because its thread was not running, finds nothing to do:
// the caller and the others have taken its share, so a busy machine slows
// a call down to no worse than one thread's speed.
func (c *batchCall[T]) claim() {
	for {
		lo := int(c.next.Add(int64(c.chunk))) - c.chunk
		if lo >= c.batch {
			return
		}
		hi := min(lo+c.chunk, c.batch)
		c.run(lo, hi)
		if int(c.done.Add(int64(hi-lo))) == c.batch && c.waiting.CompareAndSwap(1, 2) {
			c.finished <- struct{}{}
		}
	}
}

func (w *workers[T]) get() *batchCall[T] {
	if c, ok := w.pool.Get().(*batchCall[T]); ok {
		return c
	}
	return &batchCall[T]{finished: make(chan struct{}, 1)}
}

// release drops a reference to c and pools it when it was the last.
func (w *workers[T]) release(c *batchCall[T]) {
	if c.refs.Add(-1) > 0 {
		return
	}
	c.y, c.x, c.pt, c.tape, c.diff, c.gx, c.gy, c.gpt, c.ranks = nil, nil, nil, nil, nil, nil, nil, nil, nil
	c.ip, c.snap, c.segs, c.scratch = nil, nil, nil, nil
	c.top, c.xk, c.xtape, c.gtop, c.gxk = nil, nil, nil, nil, nil
	c.topK, c.xtapeLen = 0, 0
	c.block, c.minRows, c.align = 0, 0, 0
	c.sum, c.badRanks = 0, false // the slices are dropped so that nothing stays alive
	w.pool.Put(c)
}

// minRowsPerWorker is the fewest rows worth a goroutine of their own.
const minRowsPerWorker = 16

// goroutines is how many goroutines, the caller's included, run a call on
// batch rows for a sorter of maxWorkers workers.
func goroutines(maxWorkers, batch int) int {
	return goroutinesFor(maxWorkers, batch, minRowsPerWorker)
}

// goroutinesFor is goroutines for calls worth a goroutine per minRows rows.
func goroutinesFor(maxWorkers, batch, minRows int) int {
	return split(min(maxWorkers, goruntime.GOMAXPROCS(0)), batch, minRows)
}

// split is goroutinesFor for maxWorkers already bounded by GOMAXPROCS.
func split(maxWorkers, batch, minRows int) int {
	return max(1, min(maxWorkers, (batch+minRows-1)/minRows))
}

// run runs rows [0, batch) of c, in chunks of a multiple of 8 rows (or of
// c.align) so that vector kernels see whole blocks, on this goroutine and
// up to maxWorkers-1 workers, and returns when all are done. The caller
// then reads what c accumulated and releases it.
func (w *workers[T]) run(owner *Sorter[T], maxWorkers, batch int, c *batchCall[T]) {
	// Never more goroutines than processors: the caller's polling wait
	// would hold the only processor a worker could run on.
	maxWorkers = min(maxWorkers, goruntime.GOMAXPROCS(0))
	minRows, align := minRowsPerWorker, 8
	if c.minRows > 0 {
		minRows = c.minRows
	}
	if c.align > 0 {
		align = c.align
	}
	nw := split(maxWorkers, batch, minRows)
	c.refs.Store(1)
	if nw <= 1 {
		c.run(0, batch)
		return
	}
	w.start(owner, maxWorkers-1)
	// About four chunks per goroutine: few enough that claiming costs
	// nothing, enough that a late worker's share is picked up by others.
	c.batch = batch
	c.chunk = max(minRows, (batch+4*nw-1)/(4*nw))
	c.chunk = (c.chunk + align - 1) / align * align
	c.next.Store(0)
	c.done.Store(0)
	c.waiting.Store(0)
	for range nw - 1 {
		c.refs.Add(1)
		select {
		case w.calls <- c:
		default: // every worker is still busy with earlier calls
			c.refs.Add(-1)
		}
	}
	c.claim()
	for sp := (spinner{}); int(c.done.Load()) < c.batch; {
		if !sp.next() {
			c.park()
			return
		}
	}
}

// park waits for the finisher of the last chunk to send, unless it is
// already done (then takes the token back if a finisher claimed it).
func (c *batchCall[T]) park() {
	c.waiting.Store(1)
	if int(c.done.Load()) == c.batch && c.waiting.CompareAndSwap(1, 0) {
		return
	}
	<-c.finished
}
