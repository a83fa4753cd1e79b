package boardingpass

// Helpers that turn human input ("12A", "42", "101") into the zero-padded forms Resolution
// 792 prescribes, for issuers building a Pass.

// NormalizeSeat pads the row of a seat such as "12A" to three digits ("012A").
func NormalizeSeat(s string) (string, error) { return padNumeric(s, 3, true, "seat number") }

// NormalizeFlight pads a flight number such as "101" or "7A" to four digits plus an optional
// operational suffix letter ("0101", "0007A").
func NormalizeFlight(s string) (string, error) { return padNumeric(s, 4, false, "flight number") }

// NormalizeSequence pads a check-in sequence number such as "42" to four digits plus an
// optional suffix letter ("0042").
func NormalizeSequence(s string) (string, error) {
	return padNumeric(s, 4, false, "check-in sequence number")
}

// padNumeric accepts 1..digits decimal digits followed by one upper-case letter (required or
// optional) and left-pads the digits with zeros.
func padNumeric(s string, digits int, letterRequired bool, field string) (string, error) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	rest := s[n:]
	okLetter := len(rest) == 1 && rest[0] >= 'A' && rest[0] <= 'Z'
	if n < 1 || n > digits || (letterRequired && !okLetter) || (rest != "" && !okLetter) {
		return "", &Error{Code: CodeBadField, Field: field, Offset: -1}
	}
	b := make([]byte, 0, digits+1)
	for i := n; i < digits; i++ {
		b = append(b, '0')
	}
	return string(append(append(b, s[:n]...), rest...)), nil
}
