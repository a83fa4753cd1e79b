package main

import (
	"flag"
	"fmt"
	"log/slog"

	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/verifier"
)

// Default per-client limits on the verifier's relying-party routes. One presentation is two
// requests (create, verify): the burst covers a counter serving a queue, the rate a steady
// flow of customers.
const (
	defaultVerifierRatePerIP = 20
	defaultVerifierRateBurst = 100
	verifierRateLimitClients = 100_000 // client buckets kept; the least recently seen is dropped beyond
	defaultVerifierOpenPerIP = verifier.DefaultOpenPerClient
)

// verifierRate holds the verifier's rate-limit flags.
type verifierRate struct {
	rate          float64
	burst         int
	proxies       *string
	openPerClient int
}

// verifierRateFlags declares --rate-per-ip, --rate-burst, --trusted-proxies and
// --open-requests-per-client, defaults from the environment (a malformed value is an error).
func verifierRateFlags(fs *flag.FlagSet) (*verifierRate, error) {
	r := &verifierRate{}
	var err error
	if r.rate, err = envFloat("IDGATE_VERIFIER_RATE_PER_IP", defaultVerifierRatePerIP); err != nil {
		return nil, err
	}
	if r.burst, err = envInt("IDGATE_VERIFIER_RATE_BURST", defaultVerifierRateBurst); err != nil {
		return nil, err
	}
	if r.openPerClient, err = envInt("IDGATE_VERIFIER_OPEN_REQUESTS_PER_CLIENT", defaultVerifierOpenPerIP); err != nil {
		return nil, err
	}
	fs.Float64Var(&r.rate, "rate-per-ip", r.rate, "relying-party requests (/v1/presentation-requests...) per second per client address (IPv6: per /64): the TCP peer, or behind --trusted-proxies the address they forward; 0: no limit. Gate routes are not limited (bearer-authenticated terminals and check-in) [IDGATE_VERIFIER_RATE_PER_IP]")
	fs.IntVar(&r.burst, "rate-burst", r.burst, "relying-party requests a client may send at once before --rate-per-ip applies [IDGATE_VERIFIER_RATE_BURST]")
	fs.IntVar(&r.openPerClient, "open-requests-per-client", r.openPerClient, "presentation requests one client may hold open (neither answered nor expired); more answer 429 too_many_open_requests [IDGATE_VERIFIER_OPEN_REQUESTS_PER_CLIENT]")
	r.proxies = stringFlag(fs, "trusted-proxies", "IDGATE_VERIFIER_TRUSTED_PROXIES", "", "comma-separated CIDRs or addresses of the reverse proxies in front of the verifier; their X-Forwarded-For names the client for --rate-per-ip and --open-requests-per-client")
	return r, nil
}

// build checks the parsed flags and returns the limiter (nil: no limit) and the proxies.
func (r *verifierRate) build(logger *slog.Logger) (*ratelimit.Limiter, ratelimit.Proxies, error) {
	if r.openPerClient < 1 {
		return nil, nil, fmt.Errorf("--open-requests-per-client %d must be at least 1", r.openPerClient)
	}
	proxies, err := ratelimit.ParseProxies(*r.proxies)
	if err != nil {
		return nil, nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	var lim *ratelimit.Limiter
	if r.rate != 0 {
		lim, err = ratelimit.New(ratelimit.Config{Rate: r.rate, Burst: r.burst, MaxClients: verifierRateLimitClients})
		if err != nil {
			return nil, nil, fmt.Errorf("--rate-per-ip %v --rate-burst %d: %w", r.rate, r.burst, err)
		}
	} else {
		logger.Warn("rate limiting off (--rate-per-ip 0): the relying-party routes can be flooded")
	}
	return lim, proxies, nil
}
