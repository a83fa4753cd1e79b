package boardingpass_test

import (
	"errors"
	"fmt"

	"github.com/idgate/idgate/boardingpass"
)

// Parsing the one-leg example pass of IATA Resolution 792 (Attachment B).
// Values come back without their padding; Encode pads them again, so a
// pass round-trips byte for byte.
func ExampleParse() {
	const bcbp = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
	p, err := boardingpass.Parse(bcbp)
	if err != nil {
		fmt.Println(err)
		return
	}
	leg := p.Legs[0]
	fmt.Println(p.Surname(), p.GivenName())
	fmt.Println(leg.PNR, leg.From, leg.To, leg.Carrier, leg.Flight, leg.JulianDate, leg.Seat, leg.Sequence)
	again, _ := p.Encode()
	fmt.Println("round trip:", again == bcbp)
	// Output:
	// DESMARAIS LUC
	// ABC123 YUL FRA AC 0834 326 001A 0025
	// round trip: true
}

// Every failure is an *Error with a stable code, the element and its offset.
func ExampleParse_error() {
	_, err := boardingpass.Parse("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 32")
	var e *boardingpass.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
	}
	// Output:
	// too_short
}
