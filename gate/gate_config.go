package gate

import (
	"context"
	"errors"
	"strings"
	"time"
)

// A gate's configuration (which flight it boards, whether boarding is open) is written by
// PutGate and read by every request through a per-instance cache (Config.GateCacheTTL).

// GateUpdate is the operator's PUT body.
type GateUpdate struct {
	Carrier   string     `json:"carrier"`
	Number    string     `json:"number"`
	Date      string     `json:"date"`
	Boarding  bool       `json:"boarding"`
	Departure *time.Time `json:"departure,omitempty"`
	// Airport is the gate's airport, a three-letter IATA code (any case); optional.
	Airport string `json:"airport,omitempty"`
}

// PutGate configures gate id to board a flight.
func (s *Service) PutGate(ctx context.Context, id string, u GateUpdate) (GateConfig, error) {
	if !validGateID(id) {
		return GateConfig{}, errorf(CodeInvalidRequest, "gate id must be 1-16 characters of A-Z a-z 0-9 -")
	}
	f, err := NewFlight(u.Carrier, u.Number, u.Date)
	if err != nil {
		return GateConfig{}, err
	}
	airport := strings.ToUpper(strings.TrimSpace(u.Airport))
	if airport != "" && !isAirportCode(airport) {
		return GateConfig{}, errorf(CodeInvalidRequest, "airport must be a three-letter IATA code")
	}
	dep := f.DefaultDeparture()
	if u.Departure != nil {
		if err := f.checkDeparture(*u.Departure); err != nil {
			return GateConfig{}, err
		}
		dep = u.Departure.UTC()
	}
	// Millisecond precision: what every Store keeps, so a re-read compares equal (cacheGate).
	g := GateConfig{Gate: id, Flight: f, Boarding: u.Boarding, Airport: airport, Departure: dep, UpdatedAt: s.cfg.Now().UTC().Truncate(time.Millisecond)}
	if err := s.cfg.Store.PutGate(ctx, g); err != nil {
		s.gates.Delete(id)
		return GateConfig{}, &Error{Code: ReasonInternal, Msg: "store", Err: err}
	}
	s.cacheGate(g)
	return g, nil
}

type cachedGate struct {
	g     GateConfig
	until time.Time
}

// cacheGate caches g unless a newer configuration (by UpdatedAt) is cached already, and
// returns the newest of the two. A Store read that started before this instance's own
// PutGate and finished after it must not replace the change with the older value.
func (s *Service) cacheGate(g GateConfig) GateConfig {
	if s.cfg.GateCacheTTL <= 0 {
		return g
	}
	next := cachedGate{g: g, until: time.Now().Add(s.cfg.GateCacheTTL)}
	for {
		old, loaded := s.gates.LoadOrStore(g.Gate, next)
		if !loaded {
			return g
		}
		if cur := old.(cachedGate).g; cur.UpdatedAt.After(g.UpdatedAt) {
			return cur
		}
		if s.gates.CompareAndSwap(g.Gate, old, next) {
			return g
		}
	}
}

// Gate returns a gate's configuration (ErrGateNotFound if unknown).
func (s *Service) Gate(ctx context.Context, id string) (GateConfig, error) {
	if !validGateID(id) {
		return GateConfig{}, ErrGateNotFound
	}
	if c, ok := s.gates.Load(id); ok && time.Now().Before(c.(cachedGate).until) {
		return c.(cachedGate).g, nil
	}
	g, err := s.cfg.Store.Gate(ctx, id)
	if err != nil && !errors.Is(err, ErrGateNotFound) {
		return GateConfig{}, &Error{Code: ReasonInternal, Msg: "store", Err: err}
	}
	if err != nil {
		s.gates.Delete(id)
		return g, err
	}
	return s.cacheGate(g), nil
}
