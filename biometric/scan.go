package biometric

import (
	"encoding/binary"
	"math"
	"math/bits"
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
		w := g.newScanWorker(r)
		g.scan(pr, 0, n, &w)
		g.scratch.Put(w.buf)
		return w.top.heap
	}
	var next atomic.Int64
	parts := make([]topK, workers)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			w := g.newScanWorker(r)
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					break
				}
				lo := c * scanChunkRows
				g.scan(pr, lo, min(n, lo+scanChunkRows), &w)
			}
			g.scratch.Put(w.buf)
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

// scanBuf is a worker's kernel output for one call of up to a chunk; pooled in the Gallery
// (80 KiB, too big to allocate per query).
type scanBuf struct {
	scores [scanChunkRows]float32
	mask   [scanChunkRows / 4]byte
}

// scanWorker is one goroutine's scan state.
type scanWorker struct {
	top   topK
	buf   *scanBuf
	block int // rows for the next kernel call
}

func (g *Gallery) newScanWorker(r int) scanWorker {
	buf, _ := g.scratch.Get().(*scanBuf)
	if buf == nil {
		buf = new(scanBuf)
	}
	return scanWorker{top: newTopK(r), buf: buf, block: firstBlock}
}

// scan offers rows [lo, hi) to w.top. The kernel scores a block and marks the rows that beat
// the worst kept candidate as of the call; Go skips a block with none and otherwise visits
// only the marked rows, re-checking each against the bar as it tightens.
func (g *Gallery) scan(pr *probe, lo, hi int, w *scanWorker) {
	t := &w.top
	for b := lo; b < hi; {
		m := min(w.block, hi-b)
		w.block = min(2*w.block, scanChunkRows)
		scores := w.buf.scores[:m]
		if scoreRows(g.codes[b*Dim:(b+m)*Dim], g.inv[b:b+m], g.norm2[b:b+m], pr, t.worst, scores, w.buf.mask[:]) > 0 {
			g.walk(t, b, scores, w.buf.mask[:m/4])
		}
		b += m
	}
}

// walk pushes the marked rows of one kernel call (rows base.., mask layout of kernel.go).
func (g *Gallery) walk(t *topK, base int, scores []float32, mask []byte) {
	q := len(mask)
	worst := t.worst
	for i := 0; i < q; {
		if i+8 <= q && binary.LittleEndian.Uint64(mask[i:]) == 0 {
			i += 8 // most of a late call's mask is zero
			continue
		}
		for m := mask[i]; m != 0; m &= m - 1 {
			j := q*bits.TrailingZeros8(m) + i
			if s := scores[j]; s < worst {
				worst = t.push(s, int32(base+j))
			}
		}
		i++
	}
	for j := 4 * q; j < len(scores); j++ { // tail rows, not in the mask
		if s := scores[j]; s < worst {
			worst = t.push(s, int32(base+j))
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
