// Package pgtest gives each test its own empty PostgreSQL schema on the throw-away cluster
// that scripts/with-postgres.sh starts (IDGATE_TEST_POSTGRES_DSN). Without that variable the
// calling test skips with one line saying how to run it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DSNEnv is set by scripts/with-postgres.sh.
const DSNEnv = "IDGATE_TEST_POSTGRES_DSN"

// FreshDSN creates an empty schema named prefix_<random>, drops it when the test ends, and
// returns a DSN whose search_path is that schema, so every test is isolated.
func FreshDSN(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv(DSNEnv)
	if base == "" {
		t.Skipf("%s not set: run under scripts/with-postgres.sh to test against PostgreSQL", DSNEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := prefix + "_" + hex.EncodeToString(b[:])
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

// exec runs one statement on its own connection: schemas outlive the stores under test.
func exec(t testing.TB, dsn, stmt string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", DSNEnv, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", strings.Fields(stmt)[0], err)
	}
}
