package mobile

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"

	"github.com/idgate/idgate/certs"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// maxPendingVP bounds the resolved requests awaiting the holder's answer; the oldest is
// forgotten first.
const maxPendingVP = 8

// OpenWalletWithRoots is OpenWallet for a wallet that also presents over OpenID4VP and checks
// its credentials' status: verifierRootsPEM holds the CA certificates of the relying parties it
// trusts (ResolveVP needs them), statusListRootsPEM those of the issuers' status list signers
// (CredentialStatus needs them). Either may be empty; a non-empty one must hold only PEM CA
// certificates.
func OpenWalletWithRoots(dir string, storeKey, verifierRootsPEM, statusListRootsPEM []byte, keys PlatformKeyStore) (*Wallet, error) {
	return openWithRoots(dir, storeKey, verifierRootsPEM, statusListRootsPEM, keys, false)
}

func openWithRoots(dir string, storeKey, verifierRootsPEM, statusListRootsPEM []byte, keys PlatformKeyStore, plainHTTP bool) (*Wallet, error) {
	cfg := walletsdk.Config{Dir: dir, StoreKey: storeKey, AllowInsecureHTTP: plainHTTP}
	roots, err := parseRoots(verifierRootsPEM, "verifier roots")
	if err != nil {
		return nil, err
	}
	if roots != nil {
		cfg.VerifierTrust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeVerifier, Scope: certs.ScopeAny, Roots: roots})
	}
	if roots, err = parseRoots(statusListRootsPEM, "status list roots"); err != nil {
		return nil, err
	}
	if roots != nil {
		cfg.StatusTrust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeStatusList, Scope: certs.ScopeAny, Roots: roots})
	}
	return open(cfg, keys)
}

// parseRoots reads PEM CA certificates; empty input is no roots.
func parseRoots(pemBytes []byte, what string) ([]*x509.Certificate, error) {
	if len(pemBytes) == 0 {
		return nil, nil
	}
	var roots []*x509.Certificate
	for rest := pemBytes; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil || !c.IsCA {
			return nil, &walletsdk.Error{Code: walletsdk.CodeConfig, Msg: what + ": a PEM block is not a CA certificate", Err: err}
		}
		roots = append(roots, c)
	}
	if len(roots) == 0 {
		return nil, &walletsdk.Error{Code: walletsdk.CodeConfig, Msg: what + ": no PEM certificate"}
	}
	return roots, nil
}

// vpPreviewJSON is the consent screen's input.
type vpPreviewJSON struct {
	RequestID    string                     `json:"request_id"`
	Verifier     walletsdk.VerifierIdentity `json:"verifier"`
	ResponseURI  string                     `json:"response_uri"`
	ResponseMode string                     `json:"response_mode"`
	ExpiresAt    int64                      `json:"expires_at"`
	Queries      []vpQueryJSON              `json:"queries"`
}

type vpQueryJSON struct {
	ID         string            `json:"id"`
	Candidates []vpCandidateJSON `json:"candidates"`
}

type vpCandidateJSON struct {
	CredentialID  string        `json:"credential_id"`
	Format        string        `json:"format"`
	VCT           string        `json:"vct,omitempty"`
	DocType       string        `json:"doctype,omitempty"`
	Issuer        string        `json:"issuer"`
	Disclosed     []vpClaimJSON `json:"disclosed"`
	AlwaysVisible []string      `json:"always_visible"`
}

type vpClaimJSON struct {
	Path   json.RawMessage `json:"path"`
	Values []any           `json:"values"`
}

// ResolveVP resolves an openid4vp:// link (fetches and validates the signed request,
// evaluates its DCQL query) and returns the consent preview as JSON:
// {"request_id","verifier":{"ClientID","Subject","DNSNames","Issuer"},"response_uri",
// "response_mode","expires_at","queries":[{"id","candidates":[{"credential_id","format","vct" (dc+sd-jwt)
// or "doctype" (mso_mdoc, paths [namespace, element]),"issuer","disclosed":[{"path":[...],
// "values":[...]}],"always_visible":[...]}]}]}.
// Nothing is sent to the verifier until RespondVP or DeclineVP with request_id.
func (m *Wallet) ResolveVP(link string) (string, error) {
	ctx, cancel := m.call()
	defer cancel()
	req, err := m.w.ResolveVP(ctx, link)
	if err != nil {
		return "", cancelled(ctx, err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	out := vpPreviewJSON{RequestID: hex.EncodeToString(id), Verifier: req.Verifier, ResponseURI: req.ResponseURI,
		ResponseMode: req.ResponseMode, ExpiresAt: req.ExpiresAt.Unix(), Queries: []vpQueryJSON{}}
	for _, q := range req.Queries {
		qj := vpQueryJSON{ID: q.ID}
		for _, c := range q.Candidates {
			cj := vpCandidateJSON{CredentialID: c.CredentialID, Format: c.Format, VCT: c.VCT, DocType: c.DocType, Issuer: c.Issuer,
				Disclosed: []vpClaimJSON{}, AlwaysVisible: c.AlwaysVisible}
			for _, d := range c.Disclosed {
				cj.Disclosed = append(cj.Disclosed, vpClaimJSON{Path: json.RawMessage(d.Path), Values: d.Values})
			}
			qj.Candidates = append(qj.Candidates, cj)
		}
		out.Queries = append(out.Queries, qj)
	}
	s, err := marshal(out)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending == nil {
		m.pending = map[string]*walletsdk.VPRequest{}
	}
	if len(m.order) >= maxPendingVP {
		delete(m.pending, m.order[0])
		m.order = m.order[1:]
	}
	m.pending[out.RequestID] = req
	m.order = append(m.order, out.RequestID)
	return s, nil
}

// take removes and returns a pending request: each is answered at most once.
func (m *Wallet) take(requestID string) (*walletsdk.VPRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	req := m.pending[requestID]
	if req == nil {
		return nil, &walletsdk.Error{Code: walletsdk.CodeNotFound, Msg: "no pending OpenID4VP request with this id"}
	}
	delete(m.pending, requestID)
	for i, id := range m.order {
		if id == requestID {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
	return req, nil
}

// RespondVP presents with the holder's consent. choiceJSON maps query ids to credential ids
// ({} or "" takes each query's first candidate). It returns {"redirect_uri":"..."} (empty
// when the verifier gave none); the app opens redirect_uri when set.
func (m *Wallet) RespondVP(requestID, choiceJSON string) (string, error) {
	choice := map[string]string{}
	if choiceJSON != "" {
		if err := json.Unmarshal([]byte(choiceJSON), &choice); err != nil {
			return "", &walletsdk.Error{Code: walletsdk.CodeConfig, Msg: "choice is not a JSON object of strings", Err: err}
		}
	}
	req, err := m.take(requestID)
	if err != nil {
		return "", err
	}
	ctx, cancel := m.call()
	defer cancel()
	res, err := m.w.RespondVP(ctx, req, choice)
	if err != nil {
		return "", cancelled(ctx, err)
	}
	return marshal(map[string]string{"redirect_uri": res.RedirectURI})
}

// DeclineVP tells the verifier the holder refused; it returns like RespondVP.
func (m *Wallet) DeclineVP(requestID string) (string, error) {
	req, err := m.take(requestID)
	if err != nil {
		return "", err
	}
	ctx, cancel := m.call()
	defer cancel()
	res, err := m.w.DeclineVP(ctx, req)
	if err != nil {
		return "", cancelled(ctx, err)
	}
	return marshal(map[string]string{"redirect_uri": res.RedirectURI})
}
