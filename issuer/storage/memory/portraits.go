package memory

import (
	"context"
	"slices"
	"time"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

func (s *Store) GetPortrait(ctx context.Context, holderID string) (storage.Portrait, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Portrait{}, err
	}
	defer s.mu.Unlock()
	p, ok := s.portraits[holderID]
	if !ok {
		return storage.Portrait{}, notFound("portrait of holder", holderID)
	}
	return record.Portrait(p), nil
}

func (s *Store) UpdatePortrait(ctx context.Context, holderID string, fn func(*storage.Portrait) error, audit ...storage.AuditEvent) error {
	if err := checkAudit(audit); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	cur, ok := s.portraits[holderID]
	if !ok {
		return notFound("portrait of holder", holderID)
	}
	next, err := record.Update(cur, record.Portrait, record.PortraitKeysEqual, fn)
	if err != nil {
		return err
	}
	s.portraits[holderID] = record.Portrait(next)
	s.appendAudit(audit)
	return nil
}

func (s *Store) DeletePortrait(ctx context.Context, holderID string, fn func(storage.Portrait) error, audit ...storage.AuditEvent) error {
	if err := checkAudit(audit); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	cur, ok := s.portraits[holderID]
	if !ok {
		return notFound("portrait of holder", holderID)
	}
	if fn != nil {
		if err := fn(record.Portrait(cur)); err != nil {
			return err
		}
	}
	clear(cur.Sealed) // no copy of the sealed image lingers in this process's store
	delete(s.portraits, holderID)
	s.appendAudit(audit)
	return nil
}

func (s *Store) ExpiredPortraits(ctx context.Context, t time.Time, limit int) ([]string, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []string
	for id, p := range s.portraits {
		if p.ExpiresAt.Before(t) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	if n := storage.ClampLimit(limit); len(out) > n {
		out = out[:n]
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}
