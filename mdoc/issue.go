package mdoc

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"slices"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/idgate/idgate/certs"
)

// IssueInput is one mdoc to issue.
type IssueInput struct {
	DocType string
	// NameSpaces maps namespace -> element identifier -> value. Values are encoded as CBOR:
	// use FullDate for full-date, TDate for tdate and []byte for bstr.
	NameSpaces map[string]map[string]any
	DeviceKey  *ecdsa.PublicKey // the holder's key, from the issuance proof
	Signed     time.Time
	ValidFrom  time.Time
	ValidUntil time.Time
	Status     *StatusListRef // nil: no status entry
}

// Issue signs an mdoc: one IssuerSignedItem per element with a fresh 32-byte random and a digestID
// drawn from a shuffled range (the order reveals nothing about the elements), the MSO over their
// #6.24 digests, and issuerAuth as COSE_Sign1 ES256 by signer with its chain in x5chain
// (unprotected label 33). It returns the CBOR IssuerSigned the holder stores.
func Issue(in IssueInput, signer certs.Signer) ([]byte, error) {
	if in.DocType == "" || len(in.NameSpaces) == 0 || signer == nil {
		return nil, newErr(CodeConfigInvalid, nil, "docType, namespaces and signer are required")
	}
	if !in.ValidFrom.Before(in.ValidUntil) || in.Signed.After(in.ValidUntil) {
		return nil, newErr(CodeConfigInvalid, nil, "validity %s..%s, signed %s", in.ValidFrom, in.ValidUntil, in.Signed)
	}
	devKey, err := encodeCOSEKey(in.DeviceKey)
	if err != nil {
		return nil, err
	}
	is := IssuerSigned{NameSpaces: map[string][]cbor.RawMessage{}}
	mso := MSO{
		Version: version, DigestAlgorithm: digestAlgorithm, DocType: in.DocType,
		ValueDigests:  map[string]map[uint64][]byte{},
		DeviceKeyInfo: DeviceKeyInfo{DeviceKey: devKey},
		ValidityInfo:  ValidityInfo{Signed: TDate(in.Signed), ValidFrom: TDate(in.ValidFrom), ValidUntil: TDate(in.ValidUntil)},
	}
	if in.Status != nil {
		mso.Status = &Status{StatusList: in.Status}
	}
	for ns, elems := range in.NameSpaces {
		ids := make([]string, 0, len(elems))
		for id := range elems {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		digestIDs, err := shuffledRange(len(ids))
		if err != nil {
			return nil, err
		}
		mso.ValueDigests[ns] = map[uint64][]byte{}
		for i, id := range ids {
			val, err := encMode.Marshal(elems[id])
			if err != nil {
				return nil, newErr(CodeConfigInvalid, err, "%s/%s value", ns, id)
			}
			item := IssuerSignedItem{DigestID: digestIDs[i], Random: make([]byte, 32), ElementIdentifier: id, ElementValue: val}
			if _, err := rand.Read(item.Random); err != nil {
				return nil, err
			}
			ib, err := encMode.Marshal(item)
			if err != nil {
				return nil, err
			}
			tagged, err := wrap24(ib)
			if err != nil {
				return nil, err
			}
			d := sha256.Sum256(tagged)
			mso.ValueDigests[ns][item.DigestID] = d[:]
			is.NameSpaces[ns] = append(is.NameSpaces[ns], tagged)
		}
	}
	msoBytes, err := encMode.Marshal(mso)
	if err != nil {
		return nil, err
	}
	payload, err := wrap24(msoBytes)
	if err != nil {
		return nil, err
	}
	chain := signer.Chain()
	ders := make([][]byte, len(chain))
	for i, c := range chain {
		ders[i] = c.Raw
	}
	if is.IssuerAuth, err = signSign1(signer, payload, nil, ders); err != nil {
		return nil, err
	}
	return encMode.Marshal(is)
}

// shuffledRange is 0..n-1 in a uniformly random order (Fisher-Yates over crypto/rand).
func shuffledRange(n int) ([]uint64, error) {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i)
	}
	for i := n - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return nil, err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return out, nil
}
