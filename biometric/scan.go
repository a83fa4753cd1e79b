package biometric

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

const (
	// scanChunkRows (2 MiB of codes) is the unit a scan worker claims. Large enough that the
	// atomic claim is noise and the kernel's four streams (a quarter chunk, 512 KiB, apart)
	// run long; small enough that a worker slowed by other load on its core leaves the rest
	// of the gallery to the others instead of finishing last.
	scanChunkRows = 16384
	// firstBlock is a worker's first kernel call in rows. Calls then double up to a whole
	// chunk: while the heap is filling nearly every row beats the bar and is walked in Go,
	// so early calls are small and the bar tightens before the big ones.
	firstBlock = 256
)

type scored struct {
	score float32
	row   int32
}

// scanAll returns, per worker, the r rows with the smallest approximate score (so up to
// workers*r candidates; the exact re-rank picks the final k among them).
func (g *Gallery) scanAll(pr *probe, n, r int) []scored {
	chunks := (n + scanChunkRows - 1) / scanChunkRows
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers == 1 {
		w := newScanWorker(r, n)
		g.scan(pr, 0, n, &w)
		return w.top.heap
	}
	var next atomic.Int64
	parts := make([]topK, workers)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			w := newScanWorker(r, scanChunkRows)
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					break
				}
				lo := c * scanChunkRows
				g.scan(pr, lo, min(n, lo+scanChunkRows), &w)
			}
			parts[i] = w.top
		})
	}
	wg.Wait()
	out := make([]scored, 0, workers*r)
	for _, t := range parts {
		out = append(out, t.heap...)
	}
	return out
}

// scanWorker is one goroutine's scan state.
type scanWorker struct {
	top    topK
	scores []float32 // kernel output, one chunk
	block  int       // rows for the next kernel call
}

func newScanWorker(r, maxRows int) scanWorker {
	return scanWorker{top: newTopK(r), scores: make([]float32, min(maxRows, scanChunkRows)), block: firstBlock}
}

// scan offers rows [lo, hi) to w.top. The kernel scores a block and counts the rows that beat
// the worst kept candidate as of the call; only a block with such a row is walked in Go,
// re-checking each against the bar as it tightens.
func (g *Gallery) scan(pr *probe, lo, hi int, w *scanWorker) {
	t := &w.top
	for b := lo; b < hi; {
		m := min(w.block, hi-b, len(w.scores))
		w.block = min(2*w.block, scanChunkRows)
		scores := w.scores[:m]
		if scoreRows(g.codes[b*Dim:(b+m)*Dim], g.inv[b:b+m], g.norm2[b:b+m], pr, t.worst, scores) > 0 {
			worst := t.worst
			for j, s := range scores {
				if s < worst {
					worst = t.push(s, int32(b+j))
				}
			}
		}
		b += m
	}
}

// topK keeps the r smallest scores in a bounded max-heap: the root is the worst kept candidate.
type topK struct {
	heap  []scored
	worst float32 // +Inf until the heap is full, then heap[0].score: the bar a row must beat
}

func newTopK(r int) topK {
	return topK{heap: make([]scored, 0, r), worst: float32(math.Inf(1))}
}

// push adds a row whose score beats t.worst and returns the new bar.
func (t *topK) push(s float32, row int32) float32 {
	h := t.heap
	if len(h) < cap(h) {
		h = append(h, scored{s, row})
		siftUp(h, len(h)-1)
		t.heap = h
		if len(h) == cap(h) {
			t.worst = h[0].score
		}
		return t.worst
	}
	h[0] = scored{s, row}
	siftDown(h)
	t.worst = h[0].score
	return t.worst
}

func siftUp(h []scored, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].score >= h[i].score {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func siftDown(h []scored) {
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if rr := l + 1; rr < len(h) && h[rr].score > h[l].score {
			c = rr
		}
		if h[i].score >= h[c].score {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
