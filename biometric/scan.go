package biometric

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

const (
	// scanBlock rows (32 KiB of codes) go to the kernel per call: one call amortised over 256
	// rows, and the scores stay in L1 for the rare block that has to be walked.
	scanBlock = 256
	// scanChunkRows (2 MiB of codes) is the unit a scan worker claims. Large enough that the
	// atomic claim is noise; small enough that a worker slowed by other load on its core
	// leaves the rest of the gallery to the others instead of finishing last.
	scanChunkRows = 16384
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
		t := newTopK(r)
		g.scan(pr, 0, n, &t)
		return t.heap
	}
	var next atomic.Int64
	parts := make([]topK, workers)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Go(func() {
			t := newTopK(r)
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					break
				}
				lo := c * scanChunkRows
				g.scan(pr, lo, min(n, lo+scanChunkRows), &t)
			}
			parts[w] = t
		})
	}
	wg.Wait()
	out := make([]scored, 0, workers*r)
	for _, t := range parts {
		out = append(out, t.heap...)
	}
	return out
}

// scan offers rows [lo, hi) to t. The kernel scores a block and counts the rows that beat
// the worst kept candidate as of the block's start; only a block with such a row is walked in
// Go, re-checking each against the bar as it tightens.
func (g *Gallery) scan(pr *probe, lo, hi int, t *topK) {
	var scores [scanBlock]float32
	for b := lo; b < hi; b += scanBlock {
		m := min(scanBlock, hi-b)
		if scoreRows(g.codes[b*Dim:(b+m)*Dim], g.inv[b:b+m], g.norm2[b:b+m], pr, t.worst, scores[:m]) == 0 {
			continue
		}
		worst := t.worst
		for j, s := range scores[:m] {
			if s < worst {
				worst = t.push(s, int32(b+j))
			}
		}
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
