package pgstore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestIsURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"postgres://h/db", true},
		{"postgresql://u@h/db", true},
		{"var/gate.db", false},
		{"/abs/postgres://x", false},
		{"Postgres://h/db", true}, // taken as PostgreSQL (and refused by pgx), never as a file
		{"host=h dbname=db", false},
		{"", false},
	} {
		if got := IsURL(tc.in); got != tc.want {
			t.Errorf("IsURL(%q) = %v", tc.in, got)
		}
	}
}

func TestLooksLikeDSN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"var/gate.db", false},
		{"/var/lib/idgate/gate.db", false},
		{"postgres://h/db", false}, // a URL: IsURL takes it
		{"host=db user=gate password=s3cret dbname=gate", true},
		{"password=x", true},
		{"postgre://h/db", true},
		{"mysql://h/db", true},
		{"gate db.sqlite", true},
		{"postgres:/h/db", true},
		{"postgres//h/db", true},
		{"gate@db:5432/idgate", true},
		{"pg+ssl:x", true},
		{"./var/gate.db", false},
		{"var/gate-2026.11.db", false},
	} {
		if got := LooksLikeDSN(tc.in); got != tc.want {
			t.Errorf("LooksLikeDSN(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://gate:s3cret@db.example:6432/idgate?sslmode=require&password=s3cret", "postgres://gate@db.example:6432/idgate"},
		{"postgresql://gate:s3cret@[::1]/idgate", "postgres://gate@[::1]:5432/idgate"},
		{"host=db.example user=gate password=s3cret dbname=idgate", "postgres://gate@db.example:5432/idgate"},
		{"postgres://gate:s3cret@[::1", "postgres://(malformed)"},
		{"postgres://ga%20te:s3cret@h/d%2Fb", "postgres://ga%20te@h:5432/d/b"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRedact: whatever the DSN, Redact never panics, never contains the parsed password, and
// stays one printable token (safe as a log value).
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"postgres://u:pw@h:5432/db?sslmode=disable",
		"postgresql://u:pw@h1,h2:5433/db?target_session_attrs=read-write",
		"postgres://u:p%40w@[::1]:5432/db",
		"host=/tmp user=u password='p w' dbname=db",
		"postgres://[::1",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		if len(dsn) > 4096 {
			return
		}
		got := Redact(dsn)
		for _, c := range got {
			if c <= ' ' || c > '~' {
				t.Fatalf("Redact(%q) = %q: not one printable token", dsn, got)
			}
		}
		if c, err := pgconn.ParseConfig(dsn); err == nil && len(c.Password) >= 4 && strings.Contains(got, c.Password) {
			// Short passwords can coincide with a host or user name; 4+ bytes must never show.
			if !strings.Contains(c.User+c.Host+c.Database, c.Password) {
				t.Fatalf("Redact(%q) = %q shows the password", dsn, got)
			}
		}
	})
}

// TestOpenNamesAnUnreadableTLSFile: pgx reads sslrootcert/sslcert/sslkey while parsing the DSN,
// so a missing file used to surface as a bare "malformed DSN". Open now names the parameter and
// the path (never the password), with no database needed.
func TestOpenNamesAnUnreadableTLSFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.pem")
	for _, k := range []string{"sslrootcert", "sslcert"} {
		dsn := "postgres://gate:s3cret-pw@127.0.0.1:1/gate?sslmode=verify-full&" + k + "=" + missing
		if k == "sslcert" {
			dsn += "&sslkey=" + missing
		}
		_, err := Open(context.Background(), Config{DSN: dsn})
		if !errors.Is(err, ErrInvalidDSN) || !strings.Contains(err.Error(), k+" "+missing+": no such file") {
			t.Fatalf("%s: %v; want ErrInvalidDSN naming %s", k, err, missing)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Fatalf("%s: the error quotes the password: %v", k, err)
		}
	}
}
