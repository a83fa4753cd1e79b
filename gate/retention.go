package gate

import (
	"context"
	"time"
)

// Purge applies the retention rule: enrolments (sealed templates) and boarding records of
// flights that departed more than Config.Retention ago are deleted from the Store and their
// in-memory galleries dropped. It returns the purged flight keys. Run it periodically (RunPurge).
//
// In-memory galleries are pruned by each entry's own departure, not only for the flights the
// Store reports: with several instances on one Store, the instance whose Purge deleted the
// rows is the only one the Store tells, and the others must still drop their decrypted copies.
// Galleries are pruned even when the Store fails (they must never outlive retention).
func (s *Service) Purge(ctx context.Context) ([]string, error) {
	cutoff := s.cfg.Now().Add(-s.cfg.Retention)
	flights, err := s.cfg.Store.Purge(ctx, cutoff)
	// After the Store, so a gallery reloaded meanwhile cannot bring purged rows back.
	s.galleries.Range(func(k, v any) bool {
		if v.(*flightGallery).purgeBefore(cutoff) {
			s.galleries.CompareAndDelete(k, v)
		}
		return true
	})
	if err != nil {
		return nil, &Error{Code: ReasonInternal, Msg: "store purge", Err: err}
	}
	for _, f := range flights {
		s.galleries.Delete(f)
	}
	if len(flights) > 0 {
		s.cfg.Logger.Info("gate retention purge", "flights", flights)
	}
	return flights, nil
}

// RunPurge calls Purge every interval until ctx ends.
func (s *Service) RunPurge(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Purge(ctx); err != nil {
				s.cfg.Logger.Error("gate retention purge", "err", err)
			}
			if s.shared != nil {
				if err := s.shared.PurgeNonces(ctx, s.cfg.Now()); err != nil {
					s.cfg.Logger.Error("gate nonce purge", "err", err)
				}
			}
		}
	}
}
