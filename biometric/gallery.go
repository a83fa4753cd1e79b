package biometric

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

const (
	// MaxIDLen bounds enrolment ids.
	MaxIDLen = 256
	// MaxSearchK bounds k so a request cannot make the scan keep an unbounded candidate set.
	MaxSearchK = 1024
	// rerankExtra candidates beyond k are re-ranked with exact float32 distances. Quantisation
	// error on the squared distance is ~1e-3 for dlib descriptors, far below the spacing of the
	// 32 nearest neighbours, so the exact top-k is inside the candidate set (tested against a
	// brute-force float32 scan).
	rerankExtra = 32
)

// Candidate is one search result: an enrolled id and its exact Euclidean distance to the probe.
type Candidate struct {
	ID       string
	Distance float32
}

// Gallery is an in-memory 1:N index of templates from one model, safe for concurrent use.
// Rows are stored contiguously (struct of arrays): 8-bit codes (128 B/row) plus two float32
// scan factors (8 B/row), the only things a search streams through, and the exact float32
// vectors (512 B/row) that are read only to re-rank the few best candidates.
type Gallery struct {
	mu    sync.RWMutex
	model ModelID
	ids   []string
	index map[string]int
	codes []byte
	inv   []float32 // per row 1/scale: code units back to descriptor units
	norm2 []float32 // per row exact ‖x‖²
	exact []float32
	// scratch pools *scanBuf, the per-worker kernel output of scan.go.
	scratch sync.Pool
}

// NewGallery returns an empty gallery for templates of the given model.
func NewGallery(model ModelID) *Gallery {
	return &Gallery{model: model, index: make(map[string]int)}
}

// Len is the number of enrolled templates.
func (g *Gallery) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.ids)
}

// Add enrols t under id. Ids are unique; a second Add with the same id fails with ErrDuplicateID.
func (g *Gallery) Add(id string, t Template) error {
	if id == "" || len(id) > MaxIDLen {
		return fmt.Errorf("%w: id must be 1..%d bytes", ErrInvalidArgument, MaxIDLen)
	}
	if err := t.validate(); err != nil {
		return err
	}
	if t.Model != g.model {
		return ErrModelMismatch
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.index[id]; ok {
		return ErrDuplicateID
	}
	n := len(g.ids)
	g.codes = append(g.codes, make([]byte, Dim)...)
	m := quantize(&t.Vector, g.codes[n*Dim:])
	g.inv = append(g.inv, m.invScale)
	g.norm2 = append(g.norm2, m.norm2)
	g.exact = append(g.exact, t.Vector[:]...)
	g.ids = append(g.ids, id)
	g.index[id] = n
	return nil
}

// Remove deletes id and reports whether it was enrolled. The last row moves into the hole so
// storage stays contiguous; row order is therefore not stable.
func (g *Gallery) Remove(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i, ok := g.index[id]
	if !ok {
		return false
	}
	last := len(g.ids) - 1
	if i != last {
		copy(g.codes[i*Dim:(i+1)*Dim], g.codes[last*Dim:])
		copy(g.exact[i*Dim:(i+1)*Dim], g.exact[last*Dim:])
		g.inv[i], g.norm2[i] = g.inv[last], g.norm2[last]
		g.ids[i] = g.ids[last]
		g.index[g.ids[i]] = i
	}
	g.codes = g.codes[:last*Dim]
	g.exact = g.exact[:last*Dim]
	g.inv, g.norm2 = g.inv[:last], g.norm2[:last]
	g.ids[last] = ""
	g.ids = g.ids[:last]
	delete(g.index, id)
	return true
}

// Search returns the k enrolled templates nearest to probe, nearest first, with exact float32
// distances. Fewer than k are returned when the gallery is smaller. The scan runs on the 8-bit
// codes (scan.go), in parallel across GOMAXPROCS goroutines for large galleries, then the best
// k+32 candidates of each worker are re-ranked exactly.
func (g *Gallery) Search(p Template, k int) ([]Candidate, error) {
	if k <= 0 || k > MaxSearchK {
		return nil, fmt.Errorf("%w: k must be 1..%d", ErrInvalidArgument, MaxSearchK)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	if p.Model != g.model {
		return nil, ErrModelMismatch
	}
	pr := newProbe(&p.Vector)

	g.mu.RLock()
	defer g.mu.RUnlock()
	n := len(g.ids)
	if n == 0 {
		return nil, nil
	}
	cands := g.scanAll(pr, n, min(k+rerankExtra, n))

	// Exact re-rank: cands holds at most workers*(k+32) rows.
	for i := range cands {
		row := (*[Dim]float32)(g.exact[int(cands[i].row)*Dim:])
		cands[i].score = sqDist(row, pr.exact)
	}
	slices.SortFunc(cands, func(a, b scored) int {
		if a.score != b.score {
			if a.score < b.score {
				return -1
			}
			return 1
		}
		return int(a.row) - int(b.row)
	})
	out := make([]Candidate, min(k, len(cands)))
	for i := range out {
		out[i] = Candidate{ID: g.ids[cands[i].row], Distance: float32(math.Sqrt(float64(cands[i].score)))}
	}
	return out, nil
}
