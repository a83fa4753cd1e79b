package issuer

import (
	"context"
	"log/slog"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// Holder is the enrolled holder id.
func (s *Service) Holder(ctx context.Context, id string) (storage.Holder, error) {
	return s.cfg.Store.GetHolder(ctx, id)
}

// Credentials lists issued credentials by f.
func (s *Service) Credentials(ctx context.Context, f storage.CredentialFilter) ([]storage.Credential, error) {
	return s.cfg.Store.ListCredentials(ctx, f)
}

// AuditEvents lists up to limit audit events after sequence number after.
func (s *Service) AuditEvents(ctx context.Context, after int64, limit int) ([]storage.AuditEvent, error) {
	return s.cfg.Store.ListAudit(ctx, after, limit)
}

// StatusTTL is how long relying parties may cache a status list token (Config.StatusTTL).
func (s *Service) StatusTTL() time.Duration { return s.cfg.StatusTTL }

// Logger is the Service's logger (Config.Logger).
func (s *Service) Logger() *slog.Logger { return s.cfg.Logger }

// Now is the Service's clock (Config.Now).
func (s *Service) Now() time.Time { return s.cfg.Now() }
