package conformance

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

func testAudit(t *testing.T, s storage.Storage) {
	empty, err := s.ListAudit(ctx(t), 0, 10)
	must(t, err)
	if len(empty) != 0 {
		t.Fatalf("fresh log has %v", empty)
	}
	var seqs []int64
	for i := range 7 {
		seq, err := s.AppendAudit(ctx(t), storage.AuditEvent{
			Seq: 999, Time: t0.Add(time.Duration(i) * time.Second), Actor: "operator:ops-admin", Action: "credential.revoke",
			Subject: fmt.Sprintf("cred-%d", i), Details: map[string]string{"reason": "lost device", "n": fmt.Sprint(i)},
		})
		must(t, err)
		if len(seqs) > 0 && seq <= seqs[len(seqs)-1] {
			t.Fatalf("seq %d after %d", seq, seqs[len(seqs)-1])
		}
		seqs = append(seqs, seq)
	}
	all, err := s.ListAudit(ctx(t), 0, 0)
	must(t, err)
	if len(all) != 7 {
		t.Fatalf("%d events", len(all))
	}
	for i, e := range all {
		if e.Seq != seqs[i] || e.Subject != fmt.Sprintf("cred-%d", i) || e.Actor != "operator:ops-admin" || e.Action != "credential.revoke" ||
			!reflect.DeepEqual(e.Details, map[string]string{"reason": "lost device", "n": fmt.Sprint(i)}) {
			t.Fatalf("event %d = %+v", i, e)
		}
		eqTime(t, "Time", e.Time, t0.Add(time.Duration(i)*time.Second))
	}
	page, err := s.ListAudit(ctx(t), seqs[2], 3)
	must(t, err)
	if len(page) != 3 || page[0].Seq != seqs[3] || page[2].Seq != seqs[5] {
		t.Fatalf("page after %d: %+v", seqs[2], page)
	}
	tail, err := s.ListAudit(ctx(t), seqs[6], 10)
	must(t, err)
	if len(tail) != 0 {
		t.Fatalf("events after the last: %+v", tail)
	}
	// nil details round-trip as an empty map.
	seq, err := s.AppendAudit(ctx(t), storage.AuditEvent{Time: t0, Action: "holder.create"})
	must(t, err)
	last, err := s.ListAudit(ctx(t), seq-1, 1)
	must(t, err)
	if len(last) != 1 || last[0].Seq != seq || len(last[0].Details) != 0 {
		t.Fatalf("got %+v", last)
	}
}

// testConcurrentAudit: concurrent appenders get distinct Seqs, and the log lists them in
// strictly increasing order with nothing missing.
func testConcurrentAudit(t *testing.T, s storage.Storage) {
	const n = 40
	var wg sync.WaitGroup
	seqs := make(chan int64, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq, err := s.AppendAudit(ctx(t), storage.AuditEvent{Time: t0, Action: "offer.create", Subject: fmt.Sprint(i)})
			if err != nil {
				t.Error(err)
				return
			}
			seqs <- seq
		}()
	}
	wg.Wait()
	close(seqs)
	got := map[int64]bool{}
	for s := range seqs {
		if got[s] {
			t.Fatalf("seq %d assigned twice", s)
		}
		got[s] = true
	}
	all, err := s.ListAudit(ctx(t), 0, storage.MaxLimit)
	must(t, err)
	if len(all) != n {
		t.Fatalf("%d events listed, want %d", len(all), n)
	}
	for i, e := range all {
		if !got[e.Seq] || (i > 0 && e.Seq <= all[i-1].Seq) {
			t.Fatalf("listed seqs not strictly increasing / unknown at %d: %d", i, e.Seq)
		}
	}
}
