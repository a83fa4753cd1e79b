package face

import "encoding/binary"

// Orientation is the EXIF Orientation tag (TIFF tag 0x0112): how the stored pixels map onto
// the upright picture. 1 is upright; 2-8 are the mirrorings and quarter turns a camera records
// instead of rotating the pixels (phones store most portraits sideways with 6 or 8).
type Orientation int

// TIFF tag and type numbers used to find the orientation.
const (
	tagOrientation = 0x0112
	typeShort      = 3
	exifHeader     = "Exif\x00\x00"
)

// jpegOrientation returns the orientation in a JPEG's first APP1 Exif segment, or 1 when there
// is none or it cannot be read. Every offset is bounds-checked: b is untrusted. It scans the
// marker segments before the first scan (SOS) only, which is where EXIF lives.
func jpegOrientation(b []byte) Orientation {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte before a marker
			i++
			continue
		case marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01:
			i += 2 // markers without a length
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) >= len(exifHeader) && string(seg[:len(exifHeader)]) == exifHeader {
			return tiffOrientation(seg[len(exifHeader):])
		}
		i += 2 + n
	}
	return 1
}

// pngOrientation returns the orientation in a PNG's eXIf chunk (PNG 1.5 extension; it must
// come before the first IDAT), or 1.
func pngOrientation(b []byte) Orientation {
	const sig = 8
	if len(b) < sig {
		return 1
	}
	i := sig
	for i+8 <= len(b) {
		n := binary.BigEndian.Uint32(b[i:])
		typ := string(b[i+4 : i+8])
		if n > uint32(len(b)) || i+8+int(n)+4 > len(b) {
			return 1
		}
		switch typ {
		case "eXIf":
			return tiffOrientation(b[i+8 : i+8+int(n)])
		case "IDAT", "IEND":
			return 1
		}
		i += 8 + int(n) + 4 // length, type, data, CRC
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure ("II"/"MM", 42, offset), or
// returns 1 when absent, malformed or out of range.
func tiffOrientation(t []byte) Orientation {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > uint64(len(t)) {
		return 1
	}
	count := uint64(bo.Uint16(t[off:]))
	for k := uint64(0); k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		// SHORT, count 1: the value sits left-justified in the 4-byte value field.
		if bo.Uint16(t[e+2:]) != typeShort || bo.Uint32(t[e+4:]) != 1 {
			return 1
		}
		v := Orientation(bo.Uint16(t[e+8:]))
		if v < 1 || v > 8 {
			return 1
		}
		return v
	}
	return 1
}
