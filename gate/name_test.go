package gate

import (
	"strings"
	"testing"
)

func TestNameMatches(t *testing.T) {
	for _, c := range []struct {
		pass, family, given string
		want                bool
	}{
		{"MUSTERMANN/ERIKA", "Mustermann", "Erika", true},
		{"MUSTERMANN/ERIKA MRS", "Mustermann", "Erika", true},        // title dropped
		{"MUSTERMANN/ERIKAMRS", "Mustermann", "Erika", false},        // glued title is not a title
		{"MUSTERMANN/ERIKA", "Mustermann", "Erika Maria", true},      // first given name only
		{"MUSTERMANN/ERIKAMARIA", "Mustermann", "Erika Maria", true}, // all given names, spaces dropped
		{"MUSTERMANN/MARIA", "Mustermann", "Erika Maria", false},     // a later given name alone is not enough
		{"MUSTERFRAU/ERIKA", "Mustermann", "Erika", false},
		{"MUSTERMANN/ERIK", "Mustermann", "Erika", false}, // shortened but not truncated at 20
		{"MUSTERMANN", "Mustermann", "Erika", false},      // no given name, not truncated
		{"MUELLER/JUERGEN", "Müller", "Jürgen", true},     // ICAO 9303 transliteration
		{"MULLER/JURGEN", "Müller", "Jürgen", true},       // diacritics stripped
		{"MUELLER/JURGEN", "Müller", "Jürgen", false},     // mixed schemes are not a match
		{"STRASSE/ANNA", "Straße", "Anna", true},
		{"GARCIAMARQUEZ/JOSEAN", "García Márquez", "José Ángel", true}, // 20-character truncation
		{"GARCIA MARQUEZ/JOSE", "García Márquez", "José Ángel", true},  // first given name
		{"LUKASIEWICZZOLC/MALG", "Łukasiewicz-Żółć", "Małgorzata", true},
		{"OBRIEN/SIOBHAN MS", "O'Brien", "Siobhán", true},
		{"DOMINGUEZ/ANA", "DOMÍNGUEZ", "ANA", true},
		{"WOLFESCHLEGELSTEINHA", "Wolfeschlegelsteinhausenbergerdorff", "Hubert", true}, // surname fills the field
		{"WOLFESCHLEGELSTEINHX", "Wolfeschlegelsteinhausenbergerdorff", "Hubert", false},
		{"IVANOV/IVAN", "Иванов", "Иван", false}, // unknown script folds to nothing: fail closed
		{"/", "", "", false},
		{"", "Mustermann", "Erika", false},
		{"A/B", "A", "B", true},
		// Truncation only when the 20th character is a letter that does not end a title.
		{"ABCD................", "Abcdefgh", "Anyone", false},       // dot padding is not truncation
		{"SMITH/J.............", "Smith", "Jezebel", false},         // an initial is not a prefix match
		{"SMITHSONIAN/JOHN  MR", "Smithsonian", "Johnathan", false}, // 20 characters ending in a title
		{"SMITHSONIAN/JOHN  MR", "Smithsonian", "John", true},       // the title is still dropped
		{"SMITHSONIAN/JOHNATHA", "Smithsonian", "Johnathan", true},  // really cut at 20
		{"SMITHSONIAN/JOHN    ", "Smithsonian", "Johnathan", false}, // space padded: complete
		{"SMITH/", "Smith", "Иван", false},                          // ID given name folds to nothing
		{"SMITH", "Smith", "Иван", false},                           // nor matches a pass without one
		{"SMITH/", "Smith", "", true},                               // no given name on either side
		{"SMITH/JOHN INF", "Smith", "John", false},                  // infant pass, adult ID
		{"SMITH/JOHN CHD", "Smith", "John", false},                  // child pass
		{"SMITH/JOHN MSTR", "Smith", "John", true},                  // other titles are dropped
	} {
		if got := NameMatches(c.pass, c.family, c.given); got != c.want {
			t.Errorf("NameMatches(%q, %q, %q) = %v, want %v", c.pass, c.family, c.given, got, c.want)
		}
	}
}

func TestFoldName(t *testing.T) {
	for _, c := range []struct{ in, simple, icao string }{
		{"Müller-Lüdenscheidt", "MULLERLUDENSCHEIDT", "MUELLERLUEDENSCHEIDT"},
		{"Ærøskøbing", "AEROSKOBING", "AEROESKOEBING"},
		{"Þórðarson", "THORDARSON", "THORDARSON"},
		{"Øster Ålund", "OSTERALUND", "OESTERAALUND"},
		{"Nguyễn", "NGUYN", "NGUYN"}, // outside the fold tables: the letter is dropped
	} {
		if got := foldName(c.in, simpleFold); got != c.simple {
			t.Errorf("simple %q = %q, want %q", c.in, got, c.simple)
		}
		if got := foldName(c.in, icaoFold); got != c.icao {
			t.Errorf("icao %q = %q, want %q", c.in, got, c.icao)
		}
	}
}

func FuzzNameMatches(f *testing.F) {
	f.Add("MUSTERMANN/ERIKA MRS", "Mustermann", "Erika")
	f.Add("MUELLER/JUERGEN", "Müller", "Jürgen")
	f.Add("WOLFESCHLEGELSTEINHA", "Wolfeschlegelsteinhausenbergerdorff", "x")
	f.Add("SMITH/JOHN INF", "Smith", "John")
	f.Add("SMITH/", "Smith", "Иван")
	f.Add("ABCD................", "Abcdefgh", "Anyone")
	f.Fuzz(func(t *testing.T, pass, family, given string) {
		if !NameMatches(pass, family, given) {
			return
		}
		if foldName(family, simpleFold) == "" && foldName(family, icaoFold) == "" {
			t.Fatalf("matched an ID surname that folds to nothing")
		}
		if strings.TrimSpace(given) != "" && foldName(given, simpleFold) == "" && foldName(given, icaoFold) == "" {
			t.Fatalf("matched an ID given name that folds to nothing")
		}
		if parsePassName(pass).minor {
			t.Fatalf("matched a CHD/INF pass")
		}
	})
}
