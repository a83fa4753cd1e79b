package gate

import (
	"strings"
	"unicode/utf8"
)

// Passenger names on a BCBP are Resolution 792's "SURNAME/GIVEN TITLE" in 20 characters of
// upper-case ASCII, truncated when longer. Names on the ID are Unicode. Matching both:
// fold each side to upper-case A-Z (diacritics stripped; ICAO 9303's two-letter
// transliterations such as Ü→UE tried as well), drop everything that is not a letter (spaces,
// hyphens, apostrophes), drop a trailing title on the pass, and accept a truncated pass name
// (20 characters ending in a letter) when it is a prefix of the ID name. A name that folds
// to nothing never matches; a CHD or INF pass never matches.

const bcbpNameLen = 20

// simpleFold strips diacritics: Ü→U, ß→SS. icaoFold is ICAO Doc 9303 Part 3's
// transliteration where it differs: Ä→AE, Ö→OE, Ü→UE, Å→AA, Ø→OE.
var (
	simpleFold = buildFold(nil)
	icaoFold   = buildFold(map[rune]string{'Ä': "AE", 'Ö': "OE", 'Ü': "UE", 'Å': "AA", 'Ø': "OE"})
)

// latinFold maps Latin-1 Supplement and Latin Extended-A letters to A-Z.
var latinFold = map[string]string{
	"ÀÁÂÃÄÅĀĂĄ": "A", "ÇĆĈĊČ": "C", "ĎĐÐ": "D", "ÈÉÊËĒĔĖĘĚ": "E", "ĜĞĠĢ": "G", "ĤĦ": "H",
	"ÌÍÎÏĨĪĬĮİ": "I", "Ĵ": "J", "Ķ": "K", "ĹĻĽĿŁ": "L", "ÑŃŅŇ": "N", "ÒÓÔÕÖØŌŎŐ": "O",
	"ŔŖŘ": "R", "ŚŜŞŠ": "S", "ŢŤŦ": "T", "ÙÚÛÜŨŪŬŮŰŲ": "U", "Ŵ": "W", "ÝŶŸ": "Y", "ŹŻŽ": "Z",
	"Æ": "AE", "Œ": "OE", "Þ": "TH", "ẞ": "SS", "Ĳ": "IJ",
}

func buildFold(override map[rune]string) map[rune]string {
	m := make(map[rune]string, 160)
	for from, to := range latinFold {
		for _, r := range from {
			m[r] = to
		}
	}
	m['ß'] = "SS" // lower-case only letter; upper-casing below happens first for the others
	for r, to := range override {
		m[r] = to
	}
	return m
}

// foldName upper-cases s and keeps only A-Z, transliterating with table.
func foldName(s string, table map[rune]string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == 'ß' {
			b.WriteString(table['ß'])
			continue
		}
		u := toUpper(r)
		switch {
		case u >= 'A' && u <= 'Z':
			b.WriteRune(u)
		case u >= utf8.RuneSelf:
			b.WriteString(table[u]) // unknown scripts fold to nothing
		}
	}
	return b.String()
}

// toUpper handles ASCII and the Latin ranges the fold tables cover (strings.ToUpper allocates).
func toUpper(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 32
	case r >= 0xE0 && r <= 0xFE && r != 0xF7:
		return r - 32
	case r == 0xFF:
		return 'Ÿ'
	case r >= 0x100 && r <= 0x17F && r != 0x130 && r != 0x131 && r != 0x138 && r != 0x149 && r != 0x17F:
		// Latin Extended-A pairs upper/lower as even/odd, except the L-dot..N-apostrophe and
		// Y-diaeresis..Z-caron runs, which pair odd/even.
		if (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E) {
			if r%2 == 0 {
				return r - 1
			}
			return r
		}
		if r%2 == 1 {
			return r - 1
		}
	}
	return r
}

// titles that Resolution 792 names may carry after the given name.
var titles = []string{"MR", "MRS", "MS", "MISS", "MSTR", "DR", "PROF", "CHD", "INF"}

// minorTitles mark a child or infant pass: an adult's ID must not board on it, and nothing on
// the ID says the holder is a minor, so such a pass never matches (manual check instead).
var minorTitles = map[string]bool{"CHD": true, "INF": true}

// passName is a raw BCBP name split and folded.
type passName struct {
	surname, given string
	// truncated: the name may have been cut at 20 characters, so the ID name may go on. Only
	// when the field's 20th character is a letter that is not the end of a title word: a
	// shorter name, or one padded with dots or spaces, was not cut.
	truncated bool
	minor     bool // carries CHD or INF
}

// parsePassName splits a raw BCBP name into folded surname and given name, dropping a
// trailing title word.
func parsePassName(raw string) passName {
	trimmed := strings.TrimRight(raw, " ")
	n := passName{truncated: len(raw) >= bcbpNameLen && isASCIILetter(raw[bcbpNameLen-1])}
	sur, giv, _ := strings.Cut(trimmed, "/")
	if words := strings.Fields(giv); len(words) > 1 {
		last := words[len(words)-1]
		for _, t := range titles {
			if last == t {
				giv = strings.Join(words[:len(words)-1], " ")
				n.minor = minorTitles[t]
				n.truncated = false // the field ends with a whole title word
				break
			}
		}
	}
	n.surname, n.given = foldName(sur, simpleFold), foldName(giv, simpleFold)
	return n
}

func isASCIILetter(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }

// NameMatches reports whether a BCBP passenger name (raw, as on the pass) names the holder
// of an ID with the given family and given names. It fails closed: a child or infant pass
// (CHD, INF) never matches, and an ID name that is not empty but folds to nothing (a script
// the fold tables do not cover) never matches, not even an empty pass given name.
func NameMatches(passName, familyName, givenName string) bool {
	p := parsePassName(passName)
	if p.surname == "" || p.minor {
		return false
	}
	givWords := strings.Fields(givenName)
	for _, table := range []map[rune]string{simpleFold, icaoFold} {
		sur := foldName(familyName, table)
		giv := foldName(givenName, table)
		if sur == "" || (len(givWords) > 0 && giv == "") {
			continue
		}
		first := ""
		if len(givWords) > 0 {
			first = foldName(givWords[0], table)
		}
		switch {
		case p.surname == sur:
			if p.given == giv || (p.given != "" && p.given == first) || (p.truncated && p.given != "" && strings.HasPrefix(giv, p.given)) {
				return true
			}
			// Surname alone filled the field: "/" and the given name were cut off.
			if p.truncated && p.given == "" && !strings.Contains(passName, "/") {
				return true
			}
		case p.truncated && p.given == "" && len(p.surname) >= 4 && strings.HasPrefix(sur, p.surname) && !strings.Contains(passName, "/"):
			return true
		}
	}
	return false
}

// checkName is the name check of enrolment and boarding: the pass's name must be the ID
// holder's (NameMatches over the credential's family_name and given_name claims).
func (d *Decision) checkName(passName string, claims map[string]any) {
	family, _ := claims["family_name"].(string)
	given, _ := claims["given_name"].(string)
	if NameMatches(passName, family, given) {
		d.Checks.Name = CheckPass
		return
	}
	d.Checks.Name = CheckFail
	d.deny(ReasonNameMismatch)
}
