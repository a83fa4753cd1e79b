package walletsdk

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// On-disk layout (all files 0600, directories 0700):
//
//	DIR/wallet.hdr            store header: KDF parameters and a key-check tag
//	DIR/<kind>/<id>.sealed    one AES-256-GCM sealed record each
//
// Header (57 bytes): "IDGWSTR1" | kdf(1) | iterations(4, BE) | salt(16) | nonce(12) | tag(16),
// where tag seals the empty plaintext with the first 29 bytes as AAD, so a wrong key or
// passphrase is told apart from a tampered record.
// Record: "IDGWREC1" | nonce(12) | ciphertext+tag, AAD = magic | kind | 0x00 | id, which binds
// each record to its name: swapping two files fails authentication.
const (
	headerMagic   = "IDGWSTR1"
	recordMagic   = "IDGWREC1"
	headerFile    = "wallet.hdr"
	headerLen     = 8 + 1 + 4 + 16 + 12 + 16
	kdfRaw        = 0
	kdfPBKDF2     = 1
	saltLen       = 16
	nonceLen      = 12
	recordSuffix  = ".sealed"
	maxRecordSize = 1 << 20 // a credential is a few KB; bound what we read back

	// PBKDF2Iterations is what new passphrase stores use (OWASP 2023 for PBKDF2-HMAC-SHA256).
	PBKDF2Iterations = 600_000
	// maxIterations caps what a header may ask for, so a planted header cannot stall the app.
	maxIterations = 10_000_000
)

// Store is the encrypted-at-rest record store of a wallet directory. It is safe for
// concurrent use: every write is a temp file + fsync + rename.
type Store struct {
	dir  string
	aead cipher.AEAD
}

type storeHeader struct {
	kdf        byte
	iterations uint32
	salt       []byte
	nonce      []byte
	tag        []byte
	raw        []byte
}

// OpenStore opens (creating on first use) the store in dir. Exactly one of storeKey (32 bytes,
// from the platform keychain) or passphrase (stretched with PBKDF2-SHA256) must be given.
func OpenStore(dir string, storeKey []byte, passphrase string) (*Store, error) {
	if dir == "" {
		return nil, newErr(CodeConfig, "store directory is empty", nil)
	}
	if (len(storeKey) == 0) == (passphrase == "") {
		return nil, newErr(CodeConfig, "give exactly one of StoreKey or Passphrase", nil)
	}
	if len(storeKey) != 0 && len(storeKey) != 32 {
		return nil, newErr(CodeConfig, "StoreKey must be 32 bytes", nil)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, newErr(CodeStoreIO, "create store directory", err)
	}
	hdrPath := filepath.Join(dir, headerFile)
	raw, err := readBounded(hdrPath, headerLen)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Records without a header: re-creating it under a new key would orphan them.
		for _, kind := range []string{kindCredentials, kindKeys} {
			if _, err := os.Stat(filepath.Join(dir, kind)); err == nil {
				return nil, newErr(CodeStoreTampered, "store header is missing but records exist", nil)
			}
		}
		return createStore(dir, storeKey, passphrase)
	case err != nil:
		return nil, err
	}
	h, err := parseHeader(raw)
	if err != nil {
		return nil, err
	}
	var key []byte
	switch {
	case h.kdf == kdfRaw && len(storeKey) != 0:
		key = storeKey
	case h.kdf == kdfPBKDF2 && passphrase != "":
		key, err = pbkdf2.Key(sha256.New, passphrase, h.salt, int(h.iterations), 32)
		if err != nil {
			return nil, newErr(CodeWrongKey, "derive key", err)
		}
	default:
		return nil, newErr(CodeWrongKey, "store was created with the other kind of key (StoreKey vs Passphrase)", nil)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if _, err := aead.Open(nil, h.nonce, h.tag, h.raw[:headerLen-nonceLen-16]); err != nil {
		return nil, newErr(CodeWrongKey, "store key or passphrase does not open this wallet", nil)
	}
	return &Store{dir: dir, aead: aead}, nil
}

func createStore(dir string, storeKey []byte, passphrase string) (*Store, error) {
	h := make([]byte, 0, headerLen)
	h = append(h, headerMagic...)
	salt := make([]byte, saltLen)
	key := storeKey
	if passphrase != "" {
		rand.Read(salt)
		var err error
		key, err = pbkdf2.Key(sha256.New, passphrase, salt, PBKDF2Iterations, 32)
		if err != nil {
			return nil, newErr(CodeConfig, "derive key", err)
		}
		h = append(h, kdfPBKDF2)
		h = binary.BigEndian.AppendUint32(h, PBKDF2Iterations)
	} else {
		h = append(h, kdfRaw)
		h = binary.BigEndian.AppendUint32(h, 0)
	}
	h = append(h, salt...)
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, nonceLen)
	rand.Read(nonce)
	h = aead.Seal(append(h, nonce...), nonce, nil, h)
	// Link, not rename: if another process initialised the wallet meanwhile, keep theirs and
	// re-open, rather than silently replacing the header its records were sealed under.
	if err := writeExclusive(filepath.Join(dir, headerFile), h); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return OpenStore(dir, storeKey, passphrase)
		}
		return nil, newErr(CodeStoreIO, "write store header", err)
	}
	return &Store{dir: dir, aead: aead}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, newErr(CodeConfig, "store key", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, newErr(CodeConfig, "store key", err)
	}
	return aead, nil
}

// parseHeader checks the header's shape only; the key check happens in OpenStore.
func parseHeader(b []byte) (storeHeader, error) {
	if len(b) != headerLen || !bytes.Equal(b[:8], []byte(headerMagic)) {
		return storeHeader{}, newErr(CodeStoreTampered, "store header malformed", nil)
	}
	h := storeHeader{kdf: b[8], iterations: binary.BigEndian.Uint32(b[9:13]), salt: b[13:29],
		nonce: b[29:41], tag: b[41:57], raw: b}
	switch h.kdf {
	case kdfRaw:
		if h.iterations != 0 {
			return storeHeader{}, newErr(CodeStoreTampered, "store header: iterations on a raw-key store", nil)
		}
	case kdfPBKDF2:
		if h.iterations < PBKDF2Iterations || h.iterations > maxIterations {
			return storeHeader{}, newErr(CodeStoreTampered, "store header: PBKDF2 iterations out of range", nil)
		}
	default:
		return storeHeader{}, newErr(CodeStoreTampered, "store header: unknown KDF", nil)
	}
	return h, nil
}

// validName keeps kinds and ids to a safe alphabet: they become path elements.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func recordAAD(kind, id string) []byte {
	aad := make([]byte, 0, len(recordMagic)+len(kind)+1+len(id))
	aad = append(aad, recordMagic...)
	aad = append(aad, kind...)
	aad = append(aad, 0)
	return append(aad, id...)
}

func sealRecord(aead cipher.AEAD, kind, id string, plaintext []byte) []byte {
	out := make([]byte, 0, len(recordMagic)+nonceLen+len(plaintext)+aead.Overhead())
	out = append(out, recordMagic...)
	nonce := make([]byte, nonceLen)
	rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, recordAAD(kind, id))
}

// openRecord authenticates and decrypts one record file's bytes.
func openRecord(aead cipher.AEAD, kind, id string, data []byte) ([]byte, error) {
	if len(data) < len(recordMagic)+nonceLen+aead.Overhead() || len(data) > maxRecordSize ||
		subtle.ConstantTimeCompare(data[:len(recordMagic)], []byte(recordMagic)) != 1 {
		return nil, newErr(CodeStoreTampered, "record "+kind+"/"+id+" malformed", nil)
	}
	nonce := data[len(recordMagic) : len(recordMagic)+nonceLen]
	pt, err := aead.Open(nil, nonce, data[len(recordMagic)+nonceLen:], recordAAD(kind, id))
	if err != nil {
		return nil, newErr(CodeStoreTampered, "record "+kind+"/"+id+" failed authentication", nil)
	}
	return pt, nil
}

func (s *Store) path(kind, id string) (string, error) {
	if !validName(kind) || !validName(id) {
		return "", newErr(CodeNotFound, "invalid record name", nil)
	}
	return filepath.Join(s.dir, kind, id+recordSuffix), nil
}

// Put seals plaintext and atomically replaces record kind/id.
func (s *Store) Put(kind, id string, plaintext []byte) error {
	p, err := s.path(kind, id)
	if err != nil {
		return err
	}
	if len(plaintext)+len(recordMagic)+nonceLen+s.aead.Overhead() > maxRecordSize {
		return newErr(CodeConfig, "record too large", nil)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return newErr(CodeStoreIO, "create record directory", err)
	}
	if err := writeAtomic(p, sealRecord(s.aead, kind, id, plaintext)); err != nil {
		return newErr(CodeStoreIO, "write record", err)
	}
	return nil
}

// Get returns the decrypted record kind/id.
func (s *Store) Get(kind, id string) ([]byte, error) {
	p, err := s.path(kind, id)
	if err != nil {
		return nil, err
	}
	data, err := readBounded(p, maxRecordSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, newErr(CodeNotFound, kind+"/"+id+" not found", nil)
	}
	if err != nil {
		return nil, err
	}
	return openRecord(s.aead, kind, id, data)
}

// Delete removes record kind/id; deleting a missing record is a CodeNotFound error.
func (s *Store) Delete(kind, id string) error {
	p, err := s.path(kind, id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return newErr(CodeNotFound, kind+"/"+id+" not found", nil)
		}
		return newErr(CodeStoreIO, "delete record", err)
	}
	return nil
}

// List returns the ids stored under kind, sorted.
func (s *Store) List(kind string) ([]string, error) {
	if !validName(kind) {
		return nil, newErr(CodeConfig, "invalid record kind", nil)
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, kind))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, newErr(CodeStoreIO, "list records", err)
	}
	var ids []string
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), recordSuffix)
		if ok && e.Type().IsRegular() && validName(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// readBounded reads at most limit bytes; a longer file is reported as tampered.
func readBounded(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, newErr(CodeStoreIO, "open "+filepath.Base(path), err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, newErr(CodeStoreIO, "read "+filepath.Base(path), err)
	}
	if len(b) > limit {
		return nil, newErr(CodeStoreTampered, filepath.Base(path)+" exceeds its size bound", nil)
	}
	return b, nil
}

// writeTemp writes data to a 0600 temp file beside path and fsyncs it.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Chmod(0o600); err == nil {
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			return name, nil
		}
	} else {
		f.Close()
	}
	os.Remove(name)
	return "", err
}

func writeAtomic(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// writeExclusive is writeAtomic that fails with fs.ErrExist instead of replacing.
func writeExclusive(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable; best effort, not every platform can fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
