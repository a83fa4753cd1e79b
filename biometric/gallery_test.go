package biometric

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// bruteForce is the exact float32 reference for Search.
func bruteForce(ids []string, ts []Template, p Template, k int) []Candidate {
	out := make([]Candidate, len(ts))
	for i := range ts {
		d, _ := Distance(ts[i], p)
		out[i] = Candidate{ids[i], d}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		switch {
		case a.Distance < b.Distance:
			return -1
		case a.Distance > b.Distance:
			return 1
		}
		return 0
	})
	return out[:min(k, len(out))]
}

func checkSameTopK(t *testing.T, got, want []Candidate, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d results, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Distance != want[i].Distance {
			t.Fatalf("%s: rank %d got %+v want %+v", what, i, got[i], want[i])
		}
	}
}

// TestSearchMatchesExactIdols: enrol the even-indexed shared descriptors, probe with the odd
// ones; the quantised scan plus re-rank must return exactly the brute-force float32 top-5.
func TestSearchMatchesExactIdols(t *testing.T) {
	faces := loadIdols(t)
	g := NewGallery(testModel)
	var ids []string
	var ts []Template
	for i := 0; i < len(faces); i += 2 {
		id := fmt.Sprintf("%s/%d", faces[i].Label, i)
		if err := g.Add(id, faces[i].T); err != nil {
			t.Fatal(err)
		}
		ids, ts = append(ids, id), append(ts, faces[i].T)
	}
	for _, k := range kernels(t) {
		withKernel(k, func() {
			for i := 1; i < len(faces); i += 2 {
				got, err := g.Search(faces[i].T, 5)
				if err != nil {
					t.Fatal(err)
				}
				checkSameTopK(t, got, bruteForce(ids, ts, faces[i].T, 5), fmt.Sprintf("%s probe %d", kernelNames()[k], i))
			}
		})
	}
}

// TestSearchMatchesExactRandom covers the parallel path (several scan chunks, a partial last
// chunk and block) on every kernel.
func TestSearchMatchesExactRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 3*scanChunkRows + 17
	g := NewGallery(testModel)
	ids := make([]string, n)
	ts := make([]Template, n)
	for i := range ts {
		ids[i], ts[i] = fmt.Sprint("r", i), randomTemplate(r)
		if err := g.Add(ids[i], ts[i]); err != nil {
			t.Fatal(err)
		}
	}
	for _, kern := range kernels(t) {
		withKernel(kern, func() {
			for q := 0; q < 20; q++ {
				var p Template
				if q%2 == 0 {
					p = nearTemplate(r, ts[r.IntN(n)], 0.02) // a genuine-like probe
				} else {
					p = randomTemplate(r) // an impostor: the nearest rows are all far and close together
				}
				k := []int{1, 3, 10}[q%3]
				got, err := g.Search(p, k)
				if err != nil {
					t.Fatal(err)
				}
				checkSameTopK(t, got, bruteForce(ids, ts, p, k), fmt.Sprintf("%s query %d", kernelNames()[kern], q))
			}
		})
	}
}

func TestGalleryAddRemove(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	g := NewGallery(testModel)
	ts := make(map[string]Template)
	for i := range 50 {
		id := fmt.Sprint("p", i)
		ts[id] = randomTemplate(r)
		if err := g.Add(id, ts[id]); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"p0", "p49", "p17", "p18"} { // first, last, middle
		if !g.Remove(id) {
			t.Fatalf("Remove(%s) = false", id)
		}
		delete(ts, id)
	}
	if g.Remove("p17") || g.Remove("nobody") {
		t.Fatal("Remove of absent id reported true")
	}
	if g.Len() != len(ts) || len(g.codes) != len(ts)*Dim || len(g.exact) != len(ts)*Dim ||
		len(g.inv) != len(ts) || len(g.norm2) != len(ts) {
		t.Fatalf("storage not contiguous after removals: len %d", g.Len())
	}
	// Every remaining template is still found as its own nearest neighbour at distance 0.
	for id, tpl := range ts {
		got, err := g.Search(tpl, 1)
		if err != nil || got[0].ID != id || got[0].Distance != 0 {
			t.Fatalf("%s: got %+v, %v", id, got, err)
		}
	}
	if err := g.Add("p1", ts["p1"]); !errors.Is(err, ErrDuplicateID) {
		t.Fatalf("duplicate add: %v", err)
	}
	if err := g.Add("p0", ts["p1"]); err != nil { // a removed id can be re-enrolled
		t.Fatal(err)
	}
}

func TestGalleryRejects(t *testing.T) {
	g := NewGallery(testModel)
	good := randomTemplate(rand.New(rand.NewPCG(1, 1)))
	other := good
	other.Model = "other"
	bad := good
	bad.Vector[0] = float32(math.NaN())
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"empty id", g.Add("", good), ErrInvalidArgument},
		{"other model", g.Add("x", other), ErrModelMismatch},
		{"NaN", g.Add("x", bad), ErrInvalidTemplate},
		{"k=0", searchErr(g, good, 0), ErrInvalidArgument},
		{"k too big", searchErr(g, good, MaxSearchK+1), ErrInvalidArgument},
		{"probe other model", searchErr(g, other, 1), ErrModelMismatch},
		{"probe NaN", searchErr(g, bad, 1), ErrInvalidTemplate},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v want %v", c.name, c.err, c.want)
		}
	}
	if res, err := g.Search(good, 3); err != nil || len(res) != 0 {
		t.Fatalf("empty gallery: %v %v", res, err)
	}
	_ = g.Add("only", good)
	if res, _ := g.Search(good, 3); len(res) != 1 {
		t.Fatalf("k larger than gallery: %v", res)
	}
}

func searchErr(g *Gallery, p Template, k int) error { _, err := g.Search(p, k); return err }

// TestGalleryConcurrent runs writers and readers together; run with -race.
func TestGalleryConcurrent(t *testing.T) {
	g := NewGallery(testModel)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 0))
			for i := range 200 {
				id := fmt.Sprint(w, "-", i)
				tpl := randomTemplate(r)
				if err := g.Add(id, tpl); err != nil {
					t.Error(err)
					return
				}
				if res, err := g.Search(tpl, 2); err != nil || len(res) == 0 {
					t.Error("search during writes failed", err)
					return
				}
				if i%3 == 0 {
					g.Remove(id)
				}
			}
		})
	}
	wg.Wait()
	if g.Len() != 4*(200-67) {
		t.Fatalf("Len %d", g.Len())
	}
}
