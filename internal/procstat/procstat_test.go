package procstat

import (
	"errors"
	"os"
	"runtime"
	"testing"
)

func TestParseRSS(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want int64
		err  bool
	}{
		"kernel text": {in: "Name:\tidgate\nVmPeak:\t  900 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 1 kB\n", want: 12345 << 10},
		"no VmRSS":    {in: "Name:\tkthreadd\nState:\tS (sleeping)\n", err: true},
		"other unit":  {in: "VmRSS:\t12 MB\n", err: true},
		"not number":  {in: "VmRSS:\tmany kB\n", err: true},
		"negative":    {in: "VmRSS:\t-1 kB\n", err: true},
		"empty":       {in: "", err: true},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseRSS([]byte(tc.in))
			if tc.err {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("got %d, %v; want ErrFormat", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

// TestSelf reads this process: an open file shows as one more descriptor.
func TestSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	rss, err := RSS(os.Getpid())
	if err != nil || rss <= 0 {
		t.Fatalf("RSS %d, %v", rss, err)
	}
	before, err := OpenFDs(os.Getpid())
	if err != nil || before <= 0 {
		t.Fatalf("fds %d, %v", before, err)
	}
	f, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	after, err := OpenFDs(os.Getpid())
	if err != nil || after != before+1 {
		t.Fatalf("fds %d then %d with one more file open", before, after)
	}
}

func TestMissingProcess(t *testing.T) {
	if _, err := RSS(-1); err == nil {
		t.Fatal("RSS of pid -1 read")
	}
	if _, err := OpenFDs(-1); err == nil {
		t.Fatal("fds of pid -1 read")
	}
}
