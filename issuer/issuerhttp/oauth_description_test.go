package issuerhttp

import "testing"

func TestOAuthDescription(t *testing.T) {
	for in, want := range map[string]string{
		`this token grants "urn:x"`: `this token grants 'urn:x'`,
		`a\b`:                       `a/b`,
		"tab\there é":               "tab?here ?",
		"plain text (ok) ~":         "plain text (ok) ~",
	} {
		if got := oauthDescription(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}
