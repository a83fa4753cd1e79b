package sqlstore

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		numbered bool
		in, want string
	}{
		{false, `SELECT a FROM t WHERE x = ? AND y IN (?, ?)`, `SELECT a FROM t WHERE x = ? AND y IN (?, ?)`},
		{true, `SELECT a FROM t WHERE x = ? AND y IN (?, ?)`, `SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)`},
		{true, `SELECT 1`, `SELECT 1`},
		{true, `?`, `$1`},
	}
	for _, tc := range tests {
		d := Dialect{NumberedParams: tc.numbered}
		if got := d.rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMigrationsArePortable: the only dialect hole in the schema is {{BYTES}}, and no
// statement contains a ? that rebind would mangle.
func TestMigrationsArePortable(t *testing.T) {
	for i, m := range migrations {
		for _, stmt := range m {
			for _, bad := range []string{"?", "AUTOINCREMENT", "SERIAL", "BLOB", "BYTEA"} {
				if strings.Contains(stmt, bad) {
					t.Errorf("migration %d uses %q: %s", i+1, bad, stmt)
				}
			}
		}
	}
}
