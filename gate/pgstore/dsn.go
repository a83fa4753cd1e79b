package pgstore

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsURL reports whether s is a PostgreSQL connection URL (postgres:// or postgresql://), as
// opposed to a file path: how a command picks this store over the SQLite one.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// LooksLikeDSN reports whether s, which is not a URL IsURL accepts, still looks like a
// database address rather than a file path: another scheme ("postgre://", "mysql://") or a
// libpq key=value string ("host=db password=…"). A command must refuse it, not create an
// SQLite file of that name: the store would be per instance (single use fails open across
// instances) and a password would end up in a file name and the logs.
func LooksLikeDSN(s string) bool {
	return !IsURL(s) && (schemeLike(s) || strings.Contains(s, "//") || strings.ContainsAny(s, "=@ \t\n"))
}

// schemeLike reports whether s starts like a URL scheme ("postgres:", "pg+ssl:"), which no
// file path we accept does.
func schemeLike(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for j, c := range s[:i] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '.' || c == '-')) {
			return false
		}
	}
	return true
}

// Redact returns a form of dsn fit for logs: postgres://user@host:port/database, rebuilt from
// the parsed configuration so no password, query parameter or unparsed text can leak. A DSN
// that does not parse becomes "postgres://(malformed)".
func Redact(dsn string) string {
	c, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "postgres://(malformed)"
	}
	var b strings.Builder
	b.WriteString("postgres://")
	if c.User != "" {
		b.WriteString(pathEscape(c.User))
		b.WriteByte('@')
	}
	b.WriteString(pathEscape(net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))))
	b.WriteByte('/')
	b.WriteString(pathEscape(c.Database))
	return b.String()
}

// pathEscape keeps the log line one token: anything but a conservative set becomes %XX.
func pathEscape(s string) string {
	const ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:[]/"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; strings.IndexByte(ok, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// tlsFileProblem names the first TLS file parameter of a URL DSN (sslrootcert, sslcert,
// sslkey) whose file cannot be read, e.g. "sslrootcert /etc/ca.pem: no such file", or ""
// when there is none. File paths are not secrets; nothing else of the DSN is quoted.
func tlsFileProblem(dsn string) string {
	if !IsURL(dsn) {
		return ""
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	for _, k := range []string{"sslrootcert", "sslcert", "sslkey"} {
		p := u.Query().Get(k)
		if p == "" || p == "system" && k == "sslrootcert" {
			continue
		}
		f, err := os.Open(p)
		if err == nil {
			f.Close()
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return k + " " + p + ": no such file"
		}
		return k + " " + p + ": not readable"
	}
	return ""
}
