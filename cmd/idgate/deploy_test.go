package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unitFile is a systemd unit as sections of key=value lines (keys may repeat).
type unitFile map[string][][2]string

func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			if _, ok := u[section]; !ok {
				u[section] = nil // a section with no keys is still there
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.HasSuffix(line, "\\") {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
			}
			u[section] = append(u[section], [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		}
	}
	return u
}

func (u unitFile) get(section, key string) []string {
	var vs []string
	for _, kv := range u[section] {
		if kv[0] == key {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

// TestDeployUnits: every unit under deploy/ has the sections systemd needs, and its ExecStart
// runs a real idgate subcommand with flags that subcommand defines (scripts/deploy-check.sh
// adds systemd-analyze verify where it is installed).
func TestDeployUnits(t *testing.T) {
	units, err := filepath.Glob("../../deploy/*.service")
	if err != nil || len(units) == 0 {
		t.Fatalf("no units in deploy/: %v", err)
	}
	for _, path := range units {
		t.Run(filepath.Base(path), func(t *testing.T) {
			u := parseUnit(t, path)
			for _, s := range []string{"Unit", "Service", "Install"} {
				if _, ok := u[s]; !ok {
					t.Errorf("no [%s] section", s)
				}
			}
			exec := u.get("Service", "ExecStart")
			if len(exec) != 1 {
				t.Fatalf("%d ExecStart lines, want 1", len(exec))
			}
			args := strings.Fields(exec[0])
			if len(args) < 3 || filepath.Base(args[0]) != "idgate" || args[2] != "serve" {
				t.Fatalf("ExecStart %q is not `idgate SERVICE serve …`", exec[0])
			}
			if _, ok := commands[args[1]]; !ok {
				t.Fatalf("ExecStart runs unknown command %q", args[1])
			}
			var out, errb bytes.Buffer
			if code := dispatch([]string{args[1], "serve", "--help"}, &out, &errb); code != 0 {
				t.Fatalf("%s serve --help: exit %d", args[1], code)
			}
			help := errb.String() + out.String()
			for i := 3; i < len(args); i++ {
				a := args[i]
				if !strings.HasPrefix(a, "--") {
					t.Errorf("ExecStart argument %q is not a flag", a)
					continue
				}
				name := strings.TrimPrefix(a, "--")
				name, _, hasValue := strings.Cut(name, "=")
				if !strings.Contains(help, "\n  -"+name+" ") && !strings.Contains(help, "\n  -"+name+"\n") {
					t.Errorf("%s serve has no flag --%s", args[1], name)
				}
				if !hasValue && strings.Contains(help, "\n  -"+name+" ") {
					i++ // the flag's value
				}
			}
			if got := u.get("Service", "RestartPreventExitStatus"); len(got) != 1 || got[0] != "2" {
				t.Errorf("RestartPreventExitStatus %v, want 2 (a configuration error is not retried)", got)
			}
		})
	}
}

// TestConfigurationDocumented: every flag of every server and every IDGATE_ variable the
// command reads appears in docs/configuration.md.
func TestConfigurationDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	flagLine := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`)
	for _, c := range [][]string{{"issuer", "serve"}, {"verifier", "serve"}, {"airline", "serve"}, {"airline", "issue-pass"}, {"demo"}, {"certs", "init"}} {
		var out, errb bytes.Buffer
		dispatch(append(append([]string(nil), c...), "--help"), &out, &errb)
		help := errb.String() + out.String()
		flags := flagLine.FindAllStringSubmatch(help, -1)
		if len(flags) == 0 {
			t.Fatalf("%v --help lists no flags:\n%s", c, help)
		}
		for _, f := range flags {
			if !bytes.Contains(doc, []byte("`--"+f[1]+"`")) {
				t.Errorf("%v flag --%s is not in docs/configuration.md", c, f[1])
			}
		}
	}
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	envName := regexp.MustCompile(`"(IDGATE_[A-Z0-9_]+)"`)
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range envName.FindAllSubmatch(b, -1) {
			if !bytes.Contains(doc, []byte("`"+string(m[1])+"`")) {
				t.Errorf("%s reads %s, which docs/configuration.md does not describe", src, m[1])
			}
		}
	}
}
