package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/idgate/idgate/verifier/vpstore"
	"github.com/idgate/idgate/verifier/vpstore/conformance"
)

// dsnEnv is set by scripts/with-postgres.sh; without it these tests skip.
const dsnEnv = "IDGATE_TEST_POSTGRES_DSN"

// freshSchema creates an empty schema for one test, drops it at the end, and returns a DSN
// whose search_path is that schema.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(dsnEnv)
	if base == "" {
		t.Skipf("%s not set: run under scripts/with-postgres.sh to test against PostgreSQL", dsnEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "vp_test_" + hex.EncodeToString(b[:])
	exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA "+schema+" CASCADE") })
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
}

func exec(t *testing.T, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", strings.Fields(sql)[0], err)
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) (vpstore.Store, vpstore.Store) {
		dsn := freshSchema(t)
		a, err := Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close(); b.Close() })
		return a, b
	})
}
