package walletcli

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// presentVP answers an openid4vp:// link: resolve, print the consent preview, ask (unless
// yes), then respond or decline. Claim paths are printed, never their values.
func (c *cmd) presentVP(dir, trustFile, link, credID string, yes bool) error {
	trust, err := certs.LoadTrustList(trustFile)
	if err != nil {
		return err
	}
	w, err := c.openWith(dir, walletsdk.Config{VerifierTrust: trust})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := w.ResolveVP(ctx, link)
	if err != nil {
		return err
	}
	v := req.Verifier
	fmt.Fprintf(c.stdout, "verifier %s\n  certificate %s (SAN %s), issued by %s\n  answers go to %s (%s)\n",
		v.ClientID, v.Subject, strings.Join(v.DNSNames, ","), v.Issuer, req.ResponseURI, req.ResponseMode)
	choice := map[string]string{}
	for _, q := range req.Queries {
		cand := &q.Candidates[0]
		if credID != "" {
			for i := range q.Candidates {
				if q.Candidates[i].CredentialID == credID {
					cand = &q.Candidates[i]
					choice[q.ID] = credID
				}
			}
		}
		fmt.Fprintf(c.stdout, "query %s: credential %s (%s from %s)\n", q.ID, cand.CredentialID, cmp.Or(cand.VCT, cand.DocType), cand.Issuer)
		for _, d := range cand.Disclosed {
			fmt.Fprintf(c.stdout, "  discloses %s\n", d.Path)
		}
		if len(cand.Disclosed) == 0 {
			fmt.Fprintln(c.stdout, "  discloses no selectively disclosable claim")
		}
		if len(cand.AlwaysVisible) > 0 {
			fmt.Fprintf(c.stdout, "  always visible %s\n", strings.Join(cand.AlwaysVisible, ","))
		}
		if len(q.Candidates) > 1 {
			fmt.Fprintf(c.stdout, "  (%d credentials answer this query; --credential ID picks one)\n", len(q.Candidates))
		}
	}
	if !yes {
		fmt.Fprint(c.stdout, "present? [y/N] ")
		line, _ := bufio.NewReader(c.env.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			if _, err := w.DeclineVP(ctx, req); err != nil {
				return err
			}
			return fmt.Errorf("declined; the verifier was told access_denied")
		}
	}
	res, err := w.RespondVP(ctx, req, choice)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "presented to %s\n", v.ClientID)
	if res.RedirectURI != "" {
		fmt.Fprintf(c.stdout, "redirect_uri %s\n", res.RedirectURI)
	}
	return nil
}
