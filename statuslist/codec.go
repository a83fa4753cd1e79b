package statuslist

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"io"

	"github.com/idgate/idgate/internal/b64url"
)

// Encode returns the "lst" value: the packed array compressed with DEFLATE in the zlib format
// (RFC 1950/1951) at the best compression level, as the draft recommends, then base64url without
// padding.
func (l *List) Encode() (string, error) {
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(l.b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// Decode parses an "lst" value of the given bits per entry. maxEntries bounds the decompressed
// size (maxEntries*bits/8 bytes) so a small compressed bomb cannot exhaust memory; the compressed
// input is bounded too. The zlib checksum must verify and no bytes may follow the stream.
func Decode(bits int, lst string, maxEntries int) (*List, error) {
	if !validBits(bits) {
		return nil, newErr(ErrMalformed, nil, "bits %d not in {1,2,4,8}", bits)
	}
	if maxEntries < 1 || maxEntries > MaxEntries {
		return nil, newErr(ErrMalformed, nil, "maxEntries %d not in 1..%d", maxEntries, MaxEntries)
	}
	maxBytes := (maxEntries*bits + 7) / 8
	// Incompressible data grows by DEFLATE's stored-block framing (5 bytes per 64 KiB) plus the
	// zlib header and checksum; compressors may also emit small empty blocks. Leave generous
	// slack: this bound only stops absurd inputs, the decompressed bound stops bombs.
	maxCompressed := maxBytes + maxBytes/8 + 1024
	if len(lst) > base64.RawURLEncoding.EncodedLen(maxCompressed) {
		return nil, newErr(ErrMalformed, nil, "lst of %d characters exceeds the bound for %d entries", len(lst), maxEntries)
	}
	raw, err := b64url.Decode(lst)
	if err != nil {
		return nil, newErr(ErrMalformed, err, "lst is not unpadded base64url")
	}
	br := bytes.NewReader(raw)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, newErr(ErrMalformed, err, "lst is not zlib")
	}
	b, err := io.ReadAll(io.LimitReader(zr, int64(maxBytes)+1))
	if err != nil {
		return nil, newErr(ErrMalformed, err, "lst does not decompress")
	}
	if len(b) > maxBytes {
		return nil, newErr(ErrMalformed, nil, "lst decompresses beyond %d bytes (%d entries of %d bits)", maxBytes, maxEntries, bits)
	}
	if err := zr.Close(); err != nil {
		return nil, newErr(ErrMalformed, err, "lst zlib stream")
	}
	if br.Len() != 0 {
		return nil, newErr(ErrMalformed, nil, "%d bytes after the zlib stream", br.Len())
	}
	if len(b) == 0 {
		return nil, newErr(ErrMalformed, nil, "empty status list")
	}
	size := len(b) * 8 / bits
	if size > maxEntries {
		// Only the padding bits of the last byte can exceed maxEntries; cap at the bound.
		size = maxEntries
	}
	return &List{bits: bits, size: size, b: b}, nil
}
