package gate

import (
	"context"
	"time"
)

// Purge applies the retention rule: enrolments (sealed templates) and boarding records of
// flights that departed more than Config.Retention ago are deleted from the Store and their
// in-memory galleries dropped. It returns the purged flight keys. Run it periodically (RunPurge).
func (s *Service) Purge(ctx context.Context) ([]string, error) {
	flights, err := s.cfg.Store.Purge(ctx, s.cfg.Now().Add(-s.cfg.Retention))
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
		}
	}
}
