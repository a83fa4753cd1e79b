package passkey

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in process memory (tests, and issuers on a memory or PostgreSQL
// store, whose passkeys are then lost on restart).
type MemoryStore struct {
	mu      sync.Mutex
	invites map[string]Invite
	creds   map[string]Credential
	order   []string // credential keys in creation order
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{invites: map[string]Invite{}, creds: map[string]Credential{}}
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

func (m *MemoryStore) CreateInvite(_ context.Context, inv Invite) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.invites[string(inv.Hash)]; ok {
		return fmt.Errorf("%w: invite exists", ErrConflict)
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

func (m *MemoryStore) RegisterCredential(_ context.Context, inviteHash []byte, now time.Time, c Credential) error {
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

func (m *MemoryStore) UpdateSignCount(_ context.Context, id []byte, prev, next uint32, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.creds[string(id)]
	if !ok {
		return fmt.Errorf("%w: credential", ErrNotFound)
	}
	if c.SignCount != prev {
		return fmt.Errorf("%w: sign count changed concurrently", ErrConflict)
	}
	t := at.UTC()
	c.SignCount, c.LastUsedAt = next, &t
	m.creds[string(id)] = c
	return nil
}
