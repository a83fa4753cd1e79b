package pgstore

import (
	"context"
	"testing"
	"time"
)

// TestUpgradeFromVersion1: a version 1 database (no gate_nonces) is brought to version 2 on
// Open, keeping its rows, and then keeps nonces.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t)
	s := openT(t, dsn)
	now := time.Now()
	if err := s.MarkBoarded(ctx, flight, "p", now, now); err != nil {
		t.Fatal(err)
	}
	s.Close()
	exec(t, dsn, `DROP TABLE gate_nonces`)
	exec(t, dsn, `UPDATE gate_schema_version SET version = 1`)

	s = openT(t, dsn)
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT MAX(version) FROM gate_schema_version`).Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d (%v), want %d", v, err, SchemaVersion)
	}
	if err := s.MarkBoarded(ctx, flight, "p", now, now); err == nil {
		t.Fatal("boarding record lost in the upgrade")
	}
	if err := s.PutNonce(ctx, "gate/A1", "n", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.TakeNonce(ctx, "gate/A1", "n", now); err != nil || !ok {
		t.Fatalf("take after upgrade: %v %v", ok, err)
	}
}
