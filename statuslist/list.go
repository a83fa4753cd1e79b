package statuslist

// Status values registered by the draft (§7.1). 0x03 and 0x0C-0x0F are application specific.
const (
	Valid     uint8 = 0x00
	Invalid   uint8 = 0x01
	Suspended uint8 = 0x02
)

// MaxEntries bounds lists created with New and decoded by Verify: 2^24 entries is 16 MiB at 8
// bits, far beyond a deployment's credential count and small enough to hold in memory.
const MaxEntries = 1 << 24

// List is a status array of Len entries of Bits bits each, packed least-significant bit first:
// entry i lives in byte i*bits/8 at bit offset i*bits%8 (draft §4.1).
type List struct {
	bits int
	size int
	b    []byte
}

func validBits(bits int) bool { return bits == 1 || bits == 2 || bits == 4 || bits == 8 }

// New makes a list of size entries, all Valid. bits must be 1, 2, 4 or 8.
func New(bits, size int) (*List, error) {
	if !validBits(bits) {
		return nil, newErr(ErrRange, nil, "bits %d not in {1,2,4,8}", bits)
	}
	if size < 1 || size > MaxEntries {
		return nil, newErr(ErrRange, nil, "size %d not in 1..%d", size, MaxEntries)
	}
	return &List{bits: bits, size: size, b: make([]byte, (size*bits+7)/8)}, nil
}

// Len is the number of entries. A decoded list has every entry its bytes can hold.
func (l *List) Len() int { return l.size }

// Bits is the number of bits per entry.
func (l *List) Bits() int { return l.bits }

// Bytes returns a copy of the packed status array (before compression).
func (l *List) Bytes() []byte { return append([]byte(nil), l.b...) }

func (l *List) locate(idx int) (byteIdx int, shift uint, mask byte, err error) {
	if idx < 0 || idx >= l.size {
		return 0, 0, 0, newErr(ErrRange, nil, "index %d not in 0..%d", idx, l.size-1)
	}
	bit := idx * l.bits
	return bit / 8, uint(bit % 8), byte(1<<l.bits - 1), nil
}

// Get returns entry idx.
func (l *List) Get(idx int) (uint8, error) {
	i, shift, mask, err := l.locate(idx)
	if err != nil {
		return 0, err
	}
	return (l.b[i] >> shift) & mask, nil
}

// Set stores v at entry idx; v must fit in Bits bits.
func (l *List) Set(idx int, v uint8) error {
	i, shift, mask, err := l.locate(idx)
	if err != nil {
		return err
	}
	if v > mask {
		return newErr(ErrRange, nil, "value %#x does not fit in %d bits", v, l.bits)
	}
	l.b[i] = l.b[i]&^(mask<<shift) | v<<shift
	return nil
}
