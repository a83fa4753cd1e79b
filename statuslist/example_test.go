package statuslist_test

import (
	"fmt"

	"github.com/idgate/idgate/statuslist"
)

// A relying party decodes the "lst" of a status list token and reads a
// credential's entry. The input is the 2-bit example of the Token Status
// List draft, §4.1.
func ExampleDecode() {
	l, err := statuslist.Decode(2, "eNo76fITAAPfAgc", statuslist.MaxEntries)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, idx := range []int{0, 1, 2, 3} {
		v, _ := l.Get(idx)
		fmt.Printf("idx %d: 0x%02x\n", idx, v)
	}
	_, err = l.Get(l.Len())
	fmt.Println("past the end fails:", err != nil)
	// Output:
	// idx 0: 0x01
	// idx 1: 0x02
	// idx 2: 0x00
	// idx 3: 0x03
	// past the end fails: true
}

// An issuer keeps one List per status list, flips a credential's entry when
// it is revoked or suspended, and publishes the encoded list inside a signed
// statuslist+jwt (Sign).
func ExampleList() {
	l, err := statuslist.New(2, 1024)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = l.Set(7, statuslist.Invalid)   // revoked
	_ = l.Set(8, statuslist.Suspended) // suspended
	lst, err := l.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}

	back, err := statuslist.Decode(2, lst, statuslist.MaxEntries)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, idx := range []int{6, 7, 8} {
		v, _ := back.Get(idx)
		fmt.Printf("idx %d: 0x%02x\n", idx, v)
	}
	// Output:
	// idx 6: 0x00
	// idx 7: 0x01
	// idx 8: 0x02
}
