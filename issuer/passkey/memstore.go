package passkey

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// MemoryStore is a Store in process memory (tests, and issuers on the memory store), whose
// passkeys are lost on restart.
type MemoryStore struct {
	log     AuditLog
	mu      sync.Mutex
	invites map[string]Invite
	creds   map[string]Credential
	order   []string // credential keys in creation order
}

var _ Store = (*MemoryStore)(nil)

// AuditLog is where a MemoryStore appends its writes' audit events: the issuer's store.
type AuditLog interface {
	AppendAudit(ctx context.Context, e storage.AuditEvent) (int64, error)
}

// NewMemoryStore returns an empty MemoryStore appending audit events to log (nil: a write
// that carries events fails, so none is dropped).
func NewMemoryStore(log AuditLog) *MemoryStore {
	return &MemoryStore{log: log, invites: map[string]Invite{}, creds: map[string]Credential{}}
}

// commit appends the events of a write whose checks passed, under m.mu; the caller applies
// the change only if it succeeds. Memory holds nothing across a crash, so validating every
// event first leaves one failure mode (the log's own), and then nothing changes.
func (m *MemoryStore) commit(ctx context.Context, audit []storage.AuditEvent) error {
	if len(audit) == 0 {
		return nil
	}
	if m.log == nil {
		return fmt.Errorf("%w: passkey memory store has no audit log", storage.ErrInvalid)
	}
	if err := storage.ValidateAudit(audit); err != nil {
		return err
	}
	for _, e := range audit {
		if _, err := m.log.AppendAudit(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func cloneInvite(i Invite) Invite {
	i.Hash = bytes.Clone(i.Hash)
	i.CredentialTypes = slices.Clone(i.CredentialTypes)
	if i.UsedAt != nil {
		t := *i.UsedAt
		i.UsedAt = &t
	}
	return i
}

func cloneCred(c Credential) Credential {
	c.ID = bytes.Clone(c.ID)
	c.Record = bytes.Clone(c.Record)
	c.CredentialTypes = slices.Clone(c.CredentialTypes)
	if c.LastUsedAt != nil {
		t := *c.LastUsedAt
		c.LastUsedAt = &t
	}
	return c
}

func (m *MemoryStore) CreateInvite(ctx context.Context, inv Invite, audit ...storage.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.invites[string(inv.Hash)]; ok {
		return fmt.Errorf("%w: invite exists", ErrConflict)
	}
	if err := m.commit(ctx, audit); err != nil {
		return err
	}
	m.invites[string(inv.Hash)] = cloneInvite(inv)
	return nil
}

func (m *MemoryStore) GetInvite(_ context.Context, hash []byte) (Invite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.invites[string(hash)]
	if !ok {
		return Invite{}, fmt.Errorf("%w: invite", ErrNotFound)
	}
	return cloneInvite(i), nil
}

func (m *MemoryStore) RegisterCredential(ctx context.Context, inviteHash []byte, now time.Time, c Credential, audit ...storage.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.invites[string(inviteHash)]
	if !ok {
		return fmt.Errorf("%w: invite", ErrNotFound)
	}
	if err := inviteUsable(i, c.HolderID, now); err != nil {
		return err
	}
	if _, ok := m.creds[string(c.ID)]; ok {
		return fmt.Errorf("%w: credential exists", ErrConflict)
	}
	if err := m.commit(ctx, audit); err != nil {
		return err
	}
	t := now.UTC()
	i.UsedAt = &t
	m.invites[string(inviteHash)] = i
	m.creds[string(c.ID)] = cloneCred(c)
	m.order = append(m.order, string(c.ID))
	return nil
}

// inviteUsable is the one rule both stores apply when consuming an invite.
func inviteUsable(i Invite, holderID string, now time.Time) error {
	switch {
	case i.UsedAt != nil:
		return fmt.Errorf("%w: invite already used", ErrConflict)
	case !now.Before(i.ExpiresAt):
		return fmt.Errorf("%w: invite expired", ErrConflict)
	case i.HolderID != holderID:
		return fmt.Errorf("%w: invite is for another holder", ErrConflict)
	}
	return nil
}

func (m *MemoryStore) GetCredential(_ context.Context, id []byte) (Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.creds[string(id)]
	if !ok {
		return Credential{}, fmt.Errorf("%w: credential", ErrNotFound)
	}
	return cloneCred(c), nil
}

func (m *MemoryStore) ListCredentials(_ context.Context, holderID string) ([]Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Credential{}
	for _, k := range m.order {
		if c := m.creds[k]; c.HolderID == holderID {
			out = append(out, cloneCred(c))
		}
	}
	return out, nil
}

func (m *MemoryStore) UpdateSignCount(ctx context.Context, id []byte, prev, next uint32, at time.Time, audit ...storage.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.creds[string(id)]
	if !ok {
		return fmt.Errorf("%w: credential", ErrNotFound)
	}
	if c.SignCount != prev {
		return fmt.Errorf("%w: sign count changed concurrently", ErrConflict)
	}
	if err := m.commit(ctx, audit); err != nil {
		return err
	}
	t := at.UTC()
	c.SignCount, c.LastUsedAt = next, &t
	m.creds[string(id)] = c
	return nil
}
