package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/storetest"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gate.Store { return open(t, filepath.Join(t.TempDir(), "gate.db")) })
}

// Single use must survive a restart: that is why the store is persistent.
func TestBoardingSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gate.db")
	ctx := context.Background()
	s := open(t, path)
	now := time.Now()
	if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", "p", now, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, gate.Enrolment{Flight: "IG0101/2026-11-27", Pass: "p", Sealed: "jwe", Departure: now, EnrolledAt: now}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", "p", now, now); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("after reopen: %v", err)
	}
	if es, err := s.Enrolments(ctx, "IG0101/2026-11-27"); err != nil || len(es) != 1 || es[0].Sealed != "jwe" {
		t.Fatalf("enrolments after reopen: %v %v", es, err)
	}
}
