package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/keyattest"
	"github.com/idgate/idgate/statuslist"
)

// keyAttestationOptions are issuer serve's key attestation flags.
type keyAttestationOptions struct {
	required           string // comma-separated credential configuration ids
	keyStorage         string // minimum ISO/IEC 18045 level, "" any
	userAuthentication string // minimum ISO/IEC 18045 level, "" any
	trustFile          string // wallet providers' trust list; "" the PKI's trust.json
}

// config is the issuer's KeyAttestationConfig; pkiDir holds the default trust list. Every error
// is bad input (exit 2).
func (o keyAttestationOptions) config(pkiDir string) (issuer.KeyAttestationConfig, error) {
	var ids []string
	for _, id := range strings.Split(o.required, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		if o.keyStorage != "" || o.userAuthentication != "" || o.trustFile != "" {
			return issuer.KeyAttestationConfig{}, badInput(errors.New("--key-storage, --user-authentication and --wallet-providers need --require-key-attestation"))
		}
		return issuer.KeyAttestationConfig{}, nil
	}
	var policy keyattest.Policy
	for _, l := range []struct {
		flag, level string
		dst         *[]string
	}{{"key-storage", o.keyStorage, &policy.KeyStorage}, {"user-authentication", o.userAuthentication, &policy.UserAuthentication}} {
		if l.level == "" {
			continue
		}
		levels, err := keyattest.AtLeast(l.level)
		if err != nil {
			return issuer.KeyAttestationConfig{}, badInput(fmt.Errorf("--%s %q: want high, moderate, enhanced-basic or basic", l.flag, l.level))
		}
		*l.dst = levels
	}
	file, flag := o.trustFile, "--wallet-providers"
	if file == "" {
		file, flag = filepath.Join(pkiDir, certs.FileTrust), "--pki"
	}
	trust, err := certs.LoadTrustList(file)
	if err != nil {
		return issuer.KeyAttestationConfig{}, badInput(fmt.Errorf("%s: wallet providers' trust list: %w", flag, err))
	}
	cfg := issuer.KeyAttestationConfig{
		Trust: trust, Required: map[string]keyattest.Policy{},
		// A wallet provider's status list is signed by a status-list signer of the same list.
		Status: statuslist.NewChecker(statuslist.CheckerConfig{Trust: trust}),
	}
	for _, id := range ids {
		if _, ok := credential.Lookup(credential.Type(id)); !ok && id != string(issuer.MdocMDL) {
			return issuer.KeyAttestationConfig{}, badInput(fmt.Errorf("--require-key-attestation: unknown credential configuration %q", id))
		}
		cfg.Required[id] = policy
	}
	return cfg, nil
}
