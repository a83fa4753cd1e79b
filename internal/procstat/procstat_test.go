package procstat

import (
	"errors"
	"os"
	"runtime"
	"testing"
	"time"
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

func TestParseMachineCPU(t *testing.T) {
	ok := "cpu  100 5 50 1000 7 1 2 3 0 0\ncpu0 50 2 25 500 3 0 1 1 0 0\n"
	if got, err := ParseMachineCPU([]byte(ok)); err != nil || got != 161*10*time.Millisecond {
		t.Fatalf("got %v, %v; want 1.61s", got, err)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8\n", "cpu 1 2 3\n", "cpu 1 2 x 4 5 6 7 8\n"} {
		if _, err := ParseMachineCPU([]byte(bad)); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: %v, want ErrFormat", bad, err)
		}
	}
	if runtime.GOOS == "linux" {
		if d, err := MachineCPU(); err != nil || d <= 0 {
			t.Fatalf("MachineCPU %v, %v", d, err)
		}
	}
}
