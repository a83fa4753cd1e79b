package walletcli

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// PassphraseEnv names the environment variable holding the wallet passphrase.
const PassphraseEnv = "IDGATE_WALLET_PASSPHRASE"

const (
	keyFile          = "store.key"
	maxVerifierReply = 1 << 20
	requestTimeout   = 30 * time.Second
)

// Env is what the command needs from its surroundings; tests substitute it.
type Env struct {
	Getenv func(string) string
	HTTP   *http.Client
	Stdin  io.Reader // the holder's consent answer; nil means os.Stdin
}

// Run executes "wallet ARGS" and returns the exit code: 0 ok, 1 failure or rejection, 2 usage.
func Run(args []string, stdout, stderr io.Writer, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.HTTP == nil {
		env.HTTP = &http.Client{Timeout: requestTimeout}
	}
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: idgate wallet init|accept-offer|list|present --dir DIR ...  (idgate wallet SUBCOMMAND --help)")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := &cmd{stdout: stdout, stderr: stderr, env: env}
	var err error
	switch args[0] {
	case "init":
		err = c.init(args[1:])
	case "accept-offer":
		err = c.acceptOffer(args[1:])
	case "list":
		err = c.list(args[1:])
	case "present":
		err = c.present(args[1:])
	default:
		fmt.Fprintf(stderr, "idgate wallet: unknown subcommand %q\n", args[0])
		return 2
	}
	var ue usageError
	var help helpRequested
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprintf(stdout, "usage: idgate wallet %s [flags]\n\nflags:\n", args[0])
		help.fs.SetOutput(stdout)
		help.fs.PrintDefaults()
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "idgate wallet:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "idgate wallet:", err)
		return 1
	}
}

type usageError string

// helpRequested carries the flag set whose defaults --help prints.
type helpRequested struct{ fs *flag.FlagSet }

func (helpRequested) Error() string { return "help requested" }

// usageOr passes a --help request through and turns anything else into msg.
func usageOr(err error, msg string) error {
	var h helpRequested
	if errors.As(err, &h) {
		return h
	}
	return usageError(msg)
}

func (u usageError) Error() string { return string(u) }

type cmd struct {
	stdout, stderr io.Writer
	env            Env
}

// parse accepts flags before and after positional arguments ("URI --tx-code C").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpRequested{fs}
			}
			return nil, usageError(err.Error())
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func dirFlag(fs *flag.FlagSet) *string { return fs.String("dir", "", "wallet directory") }

func (c *cmd) init(args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	dir := dirFlag(fs)
	if pos, err := parse(fs, args); err != nil || len(pos) != 0 || *dir == "" {
		return usageOr(err, "usage: wallet init --dir DIR")
	}
	if pass := c.env.Getenv(PassphraseEnv); pass != "" {
		if _, err := walletsdk.New(walletsdk.Config{Dir: *dir, Passphrase: pass}); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "wallet ready in %s (sealed with the passphrase from %s)\n", *dir, PassphraseEnv)
		return nil
	}
	key, err := os.ReadFile(filepath.Join(*dir, keyFile))
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(*dir, 0o700); err != nil {
			return err
		}
		// O_EXCL: never overwrite a key that existing records are sealed with.
		f, err := os.OpenFile(filepath.Join(*dir, keyFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if _, err := walletsdk.New(walletsdk.Config{Dir: *dir, StoreKey: key}); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "wallet ready in %s (development key file %s; set %s to use a passphrase)\n",
		*dir, filepath.Join(*dir, keyFile), PassphraseEnv)
	return nil
}

// open opens the wallet in dir with the passphrase or the key file, as init set it up.
func (c *cmd) open(dir string, allowHTTP bool) (*walletsdk.Wallet, error) {
	return c.openWith(dir, walletsdk.Config{AllowInsecureHTTP: allowHTTP})
}

// openWith opens the wallet in dir with cfg's other settings.
func (c *cmd) openWith(dir string, cfg walletsdk.Config) (*walletsdk.Wallet, error) {
	if dir == "" {
		return nil, usageError("--dir is required")
	}
	cfg.Dir = dir
	if pass := c.env.Getenv(PassphraseEnv); pass != "" {
		cfg.Passphrase = pass
	} else {
		key, err := os.ReadFile(filepath.Join(dir, keyFile))
		if err != nil {
			return nil, usageError(fmt.Sprintf("no %s set and no key file (run wallet init --dir %s): %v", PassphraseEnv, dir, err))
		}
		cfg.StoreKey = key
	}
	if _, err := os.Stat(filepath.Join(dir, "wallet.hdr")); err != nil {
		return nil, usageError(fmt.Sprintf("%s is not an initialised wallet (run wallet init): %v", dir, err))
	}
	return walletsdk.New(cfg)
}

func (c *cmd) acceptOffer(args []string) error {
	fs := flag.NewFlagSet("accept-offer", flag.ContinueOnError)
	dir := dirFlag(fs)
	tx := fs.String("tx-code", "", "transaction code sent to the holder out of band")
	insecure := fs.Bool("insecure-http", false, "allow plain-http issuers on non-loopback hosts")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 1 {
		return usageOr(err, "usage: wallet accept-offer --dir DIR OFFER_URI [--tx-code C]")
	}
	w, err := c.open(*dir, *insecure)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	creds, err := w.AcceptOffer(ctx, pos[0], *tx)
	if err != nil {
		return err
	}
	for _, cr := range creds {
		fmt.Fprintf(c.stdout, "accepted %s %s from %s\n", cr.ID, cmp.Or(cr.VCT, cr.DocType), cr.Issuer)
	}
	return nil
}

func (c *cmd) list(args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	dir := dirFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if pos, err := parse(fs, args); err != nil || len(pos) != 0 {
		return usageOr(err, "usage: wallet list --dir DIR [--json]")
	}
	w, err := c.open(*dir, false)
	if err != nil {
		return err
	}
	creds, err := w.Credentials()
	if err != nil {
		return err
	}
	if *asJSON {
		type item struct {
			ID          string         `json:"id"`
			Format      string         `json:"format"`
			VCT         string         `json:"vct,omitempty"`
			DocType     string         `json:"doctype,omitempty"`
			Issuer      string         `json:"issuer"`
			IssuedAt    time.Time      `json:"issued_at"`
			ExpiresAt   time.Time      `json:"expires_at,omitzero"`
			Claims      map[string]any `json:"claims"`
			Disclosable []string       `json:"disclosable"`
		}
		out := make([]item, len(creds))
		for i, cr := range creds {
			out[i] = item{cr.ID, cr.Format, cr.VCT, cr.DocType, cr.Issuer, cr.IssuedAt, cr.ExpiresAt, cr.Claims, cr.Disclosable}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tISSUER\tEXPIRES\tCLAIMS")
	for _, cr := range creds {
		names := make([]string, 0, len(cr.Claims))
		for k := range cr.Claims {
			names = append(names, k)
		}
		sort.Strings(names)
		exp := "-"
		if !cr.ExpiresAt.IsZero() {
			exp = cr.ExpiresAt.Format(time.DateOnly)
		}
		// Claim names only: values stay out of terminals and logs.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cr.ID, cmp.Or(cr.VCT, cr.DocType), cr.Issuer, exp, strings.Join(names, ","))
	}
	return tw.Flush()
}

func (c *cmd) present(args []string) error {
	fs := flag.NewFlagSet("present", flag.ContinueOnError)
	dir := dirFlag(fs)
	verifierURL := fs.String("verifier", "", "verifier base URL")
	credID := fs.String("credential", "", "credential id")
	vct := fs.String("vct", "", "credential type (picks the best stored credential)")
	claims := fs.String("claims", "", "comma-separated claims to disclose")
	trust := fs.String("trust", "", "trust list JSON whose verifier anchors name the relying parties to present to (OpenID4VP link)")
	yes := fs.Bool("yes", false, "consent without asking (OpenID4VP link)")
	pos, err := parse(fs, args)
	if err == nil && len(pos) == 1 && *verifierURL == "" && *vct == "" && *claims == "" {
		if *trust == "" {
			return usageError("usage: wallet present --dir DIR --trust TRUST.json [--yes] [--credential ID] 'openid4vp://...'")
		}
		return c.presentVP(*dir, *trust, pos[0], *credID, *yes)
	}
	if err != nil || len(pos) != 0 || *verifierURL == "" || (*credID == "") == (*vct == "") || *claims == "" {
		return usageOr(err, "usage: wallet present --dir DIR --verifier URL --credential ID|--vct VCT --claims a,b\n"+
			"       wallet present --dir DIR --trust TRUST.json [--yes] [--credential ID] 'openid4vp://...'")
	}
	w, err := c.open(*dir, false)
	if err != nil {
		return err
	}
	var cred *walletsdk.Credential
	if *credID != "" {
		cred, err = w.Credential(*credID)
	} else {
		cred, err = w.FindCredential(*vct)
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := strings.TrimRight(*verifierURL, "/")
	names := strings.Split(*claims, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	status, body, err := c.postJSON(ctx, base+"/v1/presentation-requests", map[string]any{"vct": cred.VCT, "claims": names})
	if err != nil {
		return err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		c.stdout.Write(append(body, '\n'))
		return fmt.Errorf("verifier refused to create a presentation request (HTTP %d)", status)
	}
	req, err := walletsdk.ParsePresentationRequest(body)
	if err != nil {
		return err
	}
	if req.ID == "" || strings.ContainsAny(req.ID, "/?#") {
		return errors.New("verifier's request has no usable id")
	}
	pres, err := w.Present(ctx, cred.ID, req)
	if err != nil {
		return err
	}
	status, body, err = c.postJSON(ctx, base+"/v1/presentation-requests/"+req.ID+"/verify", map[string]string{"presentation": pres})
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") == nil {
		body = pretty.Bytes()
	}
	c.stdout.Write(append(body, '\n'))
	if status != http.StatusOK {
		return fmt.Errorf("verifier rejected the presentation (HTTP %d)", status)
	}
	return nil
}

func (c *cmd) postJSON(ctx context.Context, url string, v any) (int, []byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.env.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxVerifierReply+1))
	if err != nil {
		return 0, nil, err
	}
	if len(body) > maxVerifierReply {
		return 0, nil, errors.New("verifier answer exceeds 1 MiB")
	}
	return resp.StatusCode, body, nil
}
