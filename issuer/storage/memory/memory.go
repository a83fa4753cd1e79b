package memory

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
	"github.com/idgate/idgate/issuer/storage/internal/slot"
)

// Store is the in-memory backend; the zero value is not usable, call New.
type Store struct {
	mu     sync.Mutex
	closed bool
	rnd    io.Reader

	holders     map[string]holderRec
	portraits   map[string]storage.Portrait // by holder ID
	offers      map[string]storage.Offer
	offerByCode map[string]string // string(PreAuthCodeHash) -> offer ID
	tokens      map[string]storage.AccessToken
	lists       map[string]*statusList
	creds       map[string]storage.Credential
	operators   map[string]storage.OperatorToken
	audit       []storage.AuditEvent
}

type holderRec struct {
	h     storage.Holder // Attributes nil; kept encoded so reads hand out fresh copies
	attrs []byte
}

type statusList struct {
	l    storage.StatusList
	used map[int]bool // the slot ledger: never shrinks
}

var _ storage.Storage = (*Store)(nil)

// New returns an empty store drawing status-list slots from crypto/rand.
func New() *Store {
	return &Store{
		rnd:         rand.Reader,
		holders:     map[string]holderRec{},
		portraits:   map[string]storage.Portrait{},
		offers:      map[string]storage.Offer{},
		offerByCode: map[string]string{},
		tokens:      map[string]storage.AccessToken{},
		lists:       map[string]*statusList{},
		creds:       map[string]storage.Credential{},
		operators:   map[string]storage.OperatorToken{},
	}
}

// lock takes the store lock, failing on a cancelled context or a closed store.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return storage.ErrClosed
	}
	return nil
}

// Close drops all data.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.holders, s.portraits, s.offers, s.offerByCode, s.tokens = nil, nil, nil, nil, nil
	s.lists, s.creds, s.operators, s.audit = nil, nil, nil, nil
	return nil
}

func notFound(kind, id string) error { return fmt.Errorf("%w: %s %q", storage.ErrNotFound, kind, id) }
func exists(kind, id string) error {
	return fmt.Errorf("%w: %s %q", storage.ErrAlreadyExists, kind, id)
}
func notFoundHash(kind string) error { return fmt.Errorf("%w: %s", storage.ErrNotFound, kind) }
func existsHash(kind string) error   { return fmt.Errorf("%w: %s", storage.ErrAlreadyExists, kind) }

// page returns up to limit values with key > after, in key order.
func page[V any](m map[string]V, after string, limit int, keep func(V) bool) []V {
	keys := slices.Sorted(maps.Keys(m))
	start, _ := slices.BinarySearch(keys, after)
	out := []V{}
	for _, k := range keys[start:] {
		if k == after {
			continue
		}
		if v := m[k]; keep == nil || keep(v) {
			out = append(out, v)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

func (s *Store) CreateHolder(ctx context.Context, h storage.Holder, audit ...storage.AuditEvent) error {
	if err := firstErr(h.Validate(), checkAudit(audit)); err != nil {
		return err
	}
	attrs, err := record.EncodeAttributes(h.Attributes)
	if err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.holders[h.ID]; ok {
		return exists("holder", h.ID)
	}
	if h.Portrait != nil {
		s.portraits[h.ID] = record.Portrait(*h.Portrait)
	}
	h.Attributes, h.CreatedAt, h.Portrait = nil, record.Norm(h.CreatedAt), nil
	s.holders[h.ID] = holderRec{h: h, attrs: attrs}
	s.appendAudit(audit)
	return nil
}

func (r holderRec) holder() (storage.Holder, error) {
	h := r.h
	var err error
	h.Attributes, err = record.DecodeAttributes(r.attrs)
	return h, err
}

func (s *Store) GetHolder(ctx context.Context, id string) (storage.Holder, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Holder{}, err
	}
	defer s.mu.Unlock()
	r, ok := s.holders[id]
	if !ok {
		return storage.Holder{}, notFound("holder", id)
	}
	return r.holder()
}

func (s *Store) ListHolders(ctx context.Context, limit int, afterID string) ([]storage.Holder, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	recs := page(s.holders, afterID, storage.ClampLimit(limit), nil)
	out := make([]storage.Holder, 0, len(recs))
	for _, r := range recs {
		h, err := r.holder()
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func (s *Store) CreateOffer(ctx context.Context, o storage.Offer, audit ...storage.AuditEvent) error {
	if err := firstErr(o.Validate(), checkAudit(audit)); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.holders[o.HolderID]; !ok {
		return notFound("holder", o.HolderID)
	}
	if _, ok := s.offers[o.ID]; ok {
		return exists("offer", o.ID)
	}
	if _, ok := s.offerByCode[string(o.PreAuthCodeHash)]; ok {
		return existsHash("offer with this pre-authorised code")
	}
	s.offers[o.ID] = record.Offer(o)
	s.offerByCode[string(o.PreAuthCodeHash)] = o.ID
	s.appendAudit(audit)
	return nil
}

func (s *Store) GetOffer(ctx context.Context, id string) (storage.Offer, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Offer{}, err
	}
	defer s.mu.Unlock()
	o, ok := s.offers[id]
	if !ok {
		return storage.Offer{}, notFound("offer", id)
	}
	return record.Offer(o), nil
}

func (s *Store) GetOfferByCodeHash(ctx context.Context, codeHash []byte) (storage.Offer, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Offer{}, err
	}
	defer s.mu.Unlock()
	id, ok := s.offerByCode[string(codeHash)]
	if !ok {
		return storage.Offer{}, notFoundHash("offer for this pre-authorised code")
	}
	return record.Offer(s.offers[id]), nil
}

func (s *Store) UpdateOffer(ctx context.Context, id string, fn func(*storage.Offer) error, audit ...storage.AuditEvent) error {
	if err := checkAudit(audit); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	next, err := s.updatedOffer(id, fn)
	if err != nil {
		return err
	}
	s.offers[id] = next
	s.appendAudit(audit)
	return nil
}

// updatedOffer runs fn on a copy of offer id and checks the result; the caller holds mu.
func (s *Store) updatedOffer(id string, fn func(*storage.Offer) error) (storage.Offer, error) {
	cur, ok := s.offers[id]
	if !ok {
		return storage.Offer{}, notFound("offer", id)
	}
	next, err := record.Update(cur, record.Offer, record.OfferKeysEqual, fn)
	if err != nil {
		return storage.Offer{}, err
	}
	return record.Offer(next), nil
}

func (s *Store) RedeemOffer(ctx context.Context, id string, fn func(*storage.Offer) error, t storage.AccessToken, audit ...storage.AuditEvent) error {
	if err := firstErr(t.Validate(), checkAudit(audit)); err != nil {
		return err
	}
	if t.OfferID != id {
		return fmt.Errorf("%w: access token names offer %q, not %q", storage.ErrInvalid, t.OfferID, id)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	next, err := s.updatedOffer(id, fn)
	if err != nil {
		return err
	}
	if _, ok := s.tokens[string(t.TokenHash)]; ok {
		return existsHash("access token")
	}
	s.offers[id] = next
	s.tokens[string(t.TokenHash)] = record.AccessToken(t)
	s.appendAudit(audit)
	return nil
}

func (s *Store) CreateAccessToken(ctx context.Context, t storage.AccessToken, audit ...storage.AuditEvent) error {
	if err := firstErr(t.Validate(), checkAudit(audit)); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.offers[t.OfferID]; !ok {
		return notFound("offer", t.OfferID)
	}
	if _, ok := s.tokens[string(t.TokenHash)]; ok {
		return existsHash("access token")
	}
	s.tokens[string(t.TokenHash)] = record.AccessToken(t)
	s.appendAudit(audit)
	return nil
}

func (s *Store) GetAccessToken(ctx context.Context, hash []byte) (storage.AccessToken, error) {
	if err := s.lock(ctx); err != nil {
		return storage.AccessToken{}, err
	}
	defer s.mu.Unlock()
	t, ok := s.tokens[string(hash)]
	if !ok {
		return storage.AccessToken{}, notFoundHash("access token")
	}
	return record.AccessToken(t), nil
}

func (s *Store) UpdateAccessToken(ctx context.Context, hash []byte, fn func(*storage.AccessToken) error, audit ...storage.AuditEvent) error {
	if err := checkAudit(audit); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	next, err := s.updatedToken(hash, fn)
	if err != nil {
		return err
	}
	s.tokens[string(hash)] = next
	s.appendAudit(audit)
	return nil
}

// updatedToken runs fn on a copy of the token and checks the result; the caller holds mu.
func (s *Store) updatedToken(hash []byte, fn func(*storage.AccessToken) error) (storage.AccessToken, error) {
	cur, ok := s.tokens[string(hash)]
	if !ok {
		return storage.AccessToken{}, notFoundHash("access token")
	}
	next, err := record.Update(cur, record.AccessToken, record.AccessTokenKeysEqual, fn)
	if err != nil {
		return storage.AccessToken{}, err
	}
	return record.AccessToken(next), nil
}

func (s *Store) CreateStatusList(ctx context.Context, l storage.StatusList, audit ...storage.AuditEvent) error {
	if err := firstErr(l.Validate(), checkAudit(audit)); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.lists[l.ID]; ok {
		return exists("status list", l.ID)
	}
	s.lists[l.ID] = &statusList{l: record.StatusList(l), used: map[int]bool{}}
	s.appendAudit(audit)
	return nil
}

func (s *Store) GetStatusList(ctx context.Context, id string) (storage.StatusList, error) {
	if err := s.lock(ctx); err != nil {
		return storage.StatusList{}, err
	}
	defer s.mu.Unlock()
	l, ok := s.lists[id]
	if !ok {
		return storage.StatusList{}, notFound("status list", id)
	}
	return l.l, nil
}

func (s *Store) ListStatusLists(ctx context.Context) ([]storage.StatusList, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make([]storage.StatusList, 0, len(s.lists))
	for _, l := range s.lists {
		out = append(out, l.l)
	}
	slices.SortFunc(out, func(a, b storage.StatusList) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// ledger adapts a list's used set to slot.Ledger.
type ledger map[int]bool

func (l ledger) Taken(_ context.Context, c []int) (map[int]bool, error) {
	out := map[int]bool{}
	for _, i := range c {
		if l[i] {
			out[i] = true
		}
	}
	return out, nil
}

func (l ledger) UsedIn(_ context.Context, lo, hi int) ([]int, error) {
	var out []int
	for i := lo; i < hi; i++ {
		if l[i] {
			out = append(out, i)
		}
	}
	return out, nil
}

func (s *Store) IssueCredential(ctx context.Context, c storage.Credential, opt storage.IssueOptions) (storage.Credential, error) {
	if err := c.Validate(); err != nil {
		return storage.Credential{}, err
	}
	if err := s.lock(ctx); err != nil {
		return storage.Credential{}, err
	}
	defer s.mu.Unlock()
	l, ok := s.lists[c.StatusListID]
	if !ok {
		return storage.Credential{}, notFound("status list", c.StatusListID)
	}
	if _, ok := s.holders[c.HolderID]; !ok {
		return storage.Credential{}, notFound("holder", c.HolderID)
	}
	if _, ok := s.offers[c.OfferID]; c.OfferID != "" && !ok {
		return storage.Credential{}, notFound("offer", c.OfferID)
	}
	if _, ok := s.creds[c.ID]; ok {
		return storage.Credential{}, exists("credential", c.ID)
	}
	if !storage.StatusFits(c.Status, l.l.Bits) {
		return storage.Credential{}, fmt.Errorf("%w: status %d does not fit %d bits", storage.ErrInvalid, c.Status, l.l.Bits)
	}
	var err error
	if len(l.used) >= l.l.Size {
		return storage.Credential{}, fmt.Errorf("%w: %q", storage.ErrStatusListFull, l.l.ID)
	}
	var tok storage.AccessToken
	if opt.TokenHash != nil {
		if tok, err = s.updatedToken(opt.TokenHash, opt.UseToken); err != nil {
			return storage.Credential{}, err
		}
	}
	idx, err := slot.Pick(ctx, s.rnd, l.l.Size, ledger(l.used))
	if err != nil {
		return storage.Credential{}, fmt.Errorf("storage: pick status slot: %w", err)
	}
	c.StatusIndex = idx
	c = record.Credential(c)
	var audit []storage.AuditEvent
	if opt.Audit != nil {
		audit = []storage.AuditEvent{opt.Audit(c)}
		if err := checkAudit(audit); err != nil {
			return storage.Credential{}, err
		}
	}
	l.used[idx] = true
	s.creds[c.ID] = c
	if opt.TokenHash != nil {
		s.tokens[string(opt.TokenHash)] = tok
	}
	s.appendAudit(audit)
	return c, nil
}

func (s *Store) GetCredential(ctx context.Context, id string) (storage.Credential, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Credential{}, err
	}
	defer s.mu.Unlock()
	c, ok := s.creds[id]
	if !ok {
		return storage.Credential{}, notFound("credential", id)
	}
	return c, nil
}

func (s *Store) UpdateCredential(ctx context.Context, id string, fn func(*storage.Credential) error, audit ...storage.AuditEvent) error {
	if err := checkAudit(audit); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	cur, ok := s.creds[id]
	if !ok {
		return notFound("credential", id)
	}
	next, err := record.Update(cur, record.Credential, record.CredentialKeysEqual, fn)
	if err != nil {
		return err
	}
	if bits := s.lists[cur.StatusListID].l.Bits; !storage.StatusFits(next.Status, bits) {
		return fmt.Errorf("%w: status %d does not fit %d bits", storage.ErrInvalid, next.Status, bits)
	}
	s.creds[id] = record.Credential(next)
	s.appendAudit(audit)
	return nil
}

func (s *Store) ListCredentials(ctx context.Context, f storage.CredentialFilter) ([]storage.Credential, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := page(s.creds, f.AfterID, storage.ClampLimit(f.Limit), func(c storage.Credential) bool {
		return (f.HolderID == "" || c.HolderID == f.HolderID) && (f.Status == nil || c.Status == *f.Status) &&
			(f.PendingBefore.IsZero() || (c.PendingUntil != nil && c.PendingUntil.Before(f.PendingBefore)))
	})
	return out, nil
}

func (s *Store) StatusEntries(ctx context.Context, listID string) ([]storage.StatusEntry, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if _, ok := s.lists[listID]; !ok {
		return nil, notFound("status list", listID)
	}
	out := []storage.StatusEntry{}
	for _, c := range s.creds {
		if c.StatusListID == listID {
			out = append(out, storage.StatusEntry{Index: c.StatusIndex, Status: c.Status})
		}
	}
	slices.SortFunc(out, func(a, b storage.StatusEntry) int { return cmp.Compare(a.Index, b.Index) })
	return out, nil
}

func (s *Store) CreateOperatorToken(ctx context.Context, t storage.OperatorToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.operators[string(t.Hash)]; ok {
		return existsHash("operator token")
	}
	s.operators[string(t.Hash)] = record.OperatorToken(t)
	return nil
}

func (s *Store) GetOperatorToken(ctx context.Context, hash []byte) (storage.OperatorToken, error) {
	if err := s.lock(ctx); err != nil {
		return storage.OperatorToken{}, err
	}
	defer s.mu.Unlock()
	t, ok := s.operators[string(hash)]
	if !ok {
		return storage.OperatorToken{}, notFoundHash("operator token")
	}
	return record.OperatorToken(t), nil
}

func (s *Store) AppendAudit(ctx context.Context, e storage.AuditEvent) (int64, error) {
	if err := e.Validate(); err != nil {
		return 0, err
	}
	if _, err := record.EncodeDetails(e.Details); err != nil {
		return 0, err
	}
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	s.appendAudit([]storage.AuditEvent{e})
	return int64(len(s.audit)), nil
}

// checkAudit validates a write's audit events before anything changes.
func checkAudit(events []storage.AuditEvent) error {
	if err := storage.ValidateAudit(events); err != nil {
		return err
	}
	for _, e := range events {
		if _, err := record.EncodeDetails(e.Details); err != nil {
			return err
		}
	}
	return nil
}

// appendAudit appends checked events with the next Seqs; the caller holds mu.
func (s *Store) appendAudit(events []storage.AuditEvent) {
	for _, e := range events {
		e = record.AuditEvent(e)
		e.Seq = int64(len(s.audit)) + 1
		s.audit = append(s.audit, e)
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ListAudit(ctx context.Context, afterSeq int64, limit int) ([]storage.AuditEvent, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	start := min(max(afterSeq, 0), int64(len(s.audit)))
	end := min(start+int64(storage.ClampLimit(limit)), int64(len(s.audit)))
	out := make([]storage.AuditEvent, 0, end-start)
	for _, e := range s.audit[start:end] {
		out = append(out, record.AuditEvent(e))
	}
	return out, nil
}
