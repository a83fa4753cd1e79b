package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// newFlags makes a FlagSet whose --help prints the usage line and every flag with its
// environment override.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idgate %s\n\nflags (environment overrides in brackets):\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// envOr returns the environment variable's value when set, else def. Flags given on the
// command line still win, because flag parsing happens after defaults are taken from here.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// stringFlag declares a string flag defaulting to $env or def.
func stringFlag(fs *flag.FlagSet, name, env, def, usage string) *string {
	return fs.String(name, envOr(env, def), usage+" ["+env+"]")
}

// parse runs fs.Parse and turns --help into exit code 0 and bad flags into 2.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}
