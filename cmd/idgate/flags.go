package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

// newFlags makes a FlagSet whose --help prints the usage line and every flag with its
// environment override. A bad flag prints the flag package's one-line reason and a pointer to
// --help rather than the whole list.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idgate %s   (idgate %s --help lists the flags)\n", usage, name)
	}
	return fs
}

// printHelp follows the usage line the flag package printed for --help with every flag and its
// environment override.
func printHelp(fs *flag.FlagSet) {
	fmt.Fprintln(fs.Output(), "\nflags (environment overrides in brackets):")
	fs.PrintDefaults()
}

// envOr returns the environment variable's value when set, else def. Flags given on the
// command line still win, because flag parsing happens after defaults are taken from here.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// envDuration reads a duration ("90s", "5m", "6h") from the environment. A malformed or
// non-positive value is an error naming the variable, never silently the default.
func envDuration(key string, def time.Duration) (time.Duration, error) {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive duration (e.g. 90s, 5m, 6h)", key, v)
	}
	return d, nil
}

// envBool reads a switch from the environment: 1, t, true (any case) or 0, f, false; unset or
// empty is false. Anything else is an error naming the variable.
func envBool(key string) (bool, error) {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not a boolean (1 or 0, true or false)", key, v)
	}
	return b, nil
}

// envFloat and envInt read a number from the environment; a malformed value is an error naming
// the variable, never silently the default.
func envFloat(key string, def float64) (float64, error) {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a number", key, v)
	}
	return f, nil
}

func envInt(key string, def int) (int, error) {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not an integer", key, v)
	}
	return n, nil
}

// positiveDuration is a flag.Value for a duration that must be > 0 (a zero or negative cache
// bound or retention would otherwise mean a silent default).
type positiveDuration struct{ d *time.Duration }

func (p positiveDuration) String() string {
	if p.d == nil {
		return ""
	}
	return p.d.String()
}

func (p positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration (e.g. 90s, 5m, 6h)", s)
	}
	*p.d = d
	return nil
}

// stringFlag declares a string flag defaulting to $env or def.
func stringFlag(fs *flag.FlagSet, name, env, def, usage string) *string {
	return fs.String(name, envOr(env, def), usage+" ["+env+"]")
}

// parse runs fs.Parse and turns --help into exit code 0 and bad flags or stray arguments into 2.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			printHelp(fs)
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "idgate %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return 2, false
	}
	return 0, true
}

// inputError marks a failure caused by what the command was given (a flag, an argument, an
// environment value, or a file or folder a flag names): the command exits 2, not 1.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

func badInput(err error) error {
	if err == nil {
		return nil
	}
	return inputError{err}
}

// exitCode is 2 for bad input and 1 for any other failure.
func exitCode(err error) int {
	var ie inputError
	if errors.As(err, &ie) {
		return 2
	}
	return 1
}

// checkListen rejects a listen address that cannot parse, before anything starts.
func checkListen(flagName, addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("--%s %q is not a host:port address (e.g. 127.0.0.1:8081)", flagName, addr)
	}
	return nil
}
