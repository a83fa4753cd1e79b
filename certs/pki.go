package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// File base names of a development PKI: a contract the issuer, verifier and gate packages use.
const (
	FileRoot           = "root"
	FileIssuerEmployee = "issuer-employee"
	FileIssuerMDL      = "issuer-mdl"
	FileStatusList     = "status-list"
	FileGateReader     = "gate-reader"
	FileTLSIssuer      = "tls-issuer"
	FileTLSVerifier    = "tls-verifier"
	FileVerifierRP     = "verifier-request"
	FileTrust          = "trust.json"
)

// Subject common names of the development PKI's leaves (also the trust list's name allow-lists).
const (
	CNRoot           = "idgate Development Root CA"
	CNIssuerEmployee = "idgate Employee ID Issuer"
	CNIssuerMDL      = "idgate Driving Licence Issuer"
	CNStatusList     = "idgate Status List Signer"
	CNGateReader     = "idgate Gate Reader"
	CNVerifierRP     = "idgate Verifier"
)

// AirlineFile is the file base name of an airline's boarding pass signer, e.g. "airline-IG".
func AirlineFile(designator string) string { return "airline-" + designator }

// AirlineCN is the Subject CN of an airline's boarding pass signer, e.g. "idgate Airline IG".
func AirlineCN(designator string) string { return "idgate Airline " + designator }

const (
	rootValidity = 10 * 365 * 24 * time.Hour
	leafValidity = 2 * 365 * 24 * time.Hour
	tlsValidity  = 397 * 24 * time.Hour // CA/B Forum ceiling, so browsers accept it too
	backdate     = time.Hour            // tolerate clock skew between machines
)

// iataDesignator is a two-character IATA airline designator (letters and digits, e.g. IG, U2).
var iataDesignator = regexp.MustCompile(`^[A-Z0-9]{2}$`)

// Options configures Init. Zero values take the documented defaults.
type Options struct {
	IssuerURL string           // SAN URI of the credential and status list signers (the SD-JWT VC iss); default http://localhost:8081
	Airlines  []string         // IATA designators; default ["IG"]
	Hosts     []string         // TLS SANs (DNS names or IPs); default localhost, 127.0.0.1
	Now       func() time.Time // clock for validity windows; default time.Now
	// EmployeeVCT and LicenceVCT scope each credential issuer's certificate to its own vct in
	// trust.json, so one issuer's key cannot sign the other's credential type. Left empty,
	// both issuers are trusted for any vct (certs cannot import the credential profile).
	EmployeeVCT, LicenceVCT string
	// MdocCountry is the ISO 3166-1 alpha-2 country of the mDL IACA and Document Signer (the
	// mDL's issuing_country); default "UT", ISO 18013-5's example country Utopia.
	MdocCountry string
}

func (o Options) withDefaults() (Options, error) {
	if o.IssuerURL == "" {
		o.IssuerURL = "http://localhost:8081"
	}
	u, err := url.Parse(o.IssuerURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return o, newErr(ErrPKI, err, "issuer URL %q must be an absolute http(s) URL", o.IssuerURL)
	}
	if len(o.Airlines) == 0 {
		o.Airlines = []string{"IG"}
	}
	seen := map[string]bool{}
	var airlines []string
	for _, a := range o.Airlines {
		a = strings.ToUpper(strings.TrimSpace(a))
		if !iataDesignator.MatchString(a) {
			return o, newErr(ErrPKI, nil, "airline designator %q is not two letters/digits", a)
		}
		if !seen[a] {
			seen[a] = true
			airlines = append(airlines, a)
		}
	}
	o.Airlines = airlines
	if len(o.Hosts) == 0 {
		o.Hosts = []string{"localhost", "127.0.0.1"}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MdocCountry == "" {
		o.MdocCountry = "UT"
	}
	return o, nil
}

// PKI is a loaded development PKI.
//
// Design: one self-signed root (MaxPathLen 0) signs every leaf directly; there is no intermediate,
// so every x5c is just [leaf]. The root's key stays in the directory because this is a
// development PKI; a production deployment replaces the directory with HSM-backed Signers.
type PKI struct {
	Dir            string
	Root           *x509.Certificate
	EmployeeIssuer Signer
	MDLIssuer      Signer
	StatusList     Signer
	VerifierRP     Signer            // OpenID4VP Request Object signer; SAN dNSNames are the DNS hosts of Options.Hosts
	Airlines       map[string]Signer // by designator
	GateReader     *ecdsa.PrivateKey
	GateReaderCert *x509.Certificate
	Trust          *TrustList
	// IACA is the mdoc Issuing Authority CA root; MDLDocumentSigner signs mDL MSOs under it.
	IACA              *x509.Certificate
	MDLDocumentSigner Signer
	// WalletProviderCA is a development wallet provider's root; WalletProvider signs key
	// attestations under it (a stand-in for a wallet backend, for the demo and tests). Load
	// reads them; LoadIssuer does not (the issuer trusts the provider through trust.json).
	WalletProviderCA *x509.Certificate
	WalletProvider   Signer
}

// plan lists every file base name (.key + .crt) the PKI with these options consists of.
func plan(o Options) []string {
	names := []string{FileRoot, FileIssuerEmployee, FileIssuerMDL, FileStatusList, FileGateReader, FileTLSIssuer, FileTLSVerifier, FileVerifierRP, FileIACA, FileDocumentSignerMDL, FileWalletProviderCA, FileWalletProvider}
	for _, a := range o.Airlines {
		names = append(names, AirlineFile(a))
	}
	return names
}

func planFiles(o Options) []string {
	var files []string
	for _, n := range plan(o) {
		files = append(files, n+".key", n+".crt")
	}
	return append(files, FileTrust)
}

// Init creates a development PKI in dir, or loads the one already there (created=false). It never
// overwrites: a directory holding only part of the PKI's files is refused with ErrPKI naming the
// missing files. Keys are ECDSA P-256, written 0600 in a 0700 directory.
func Init(dir string, opts Options) (pki *PKI, created bool, err error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, false, err
	}
	var present, missing []string
	for _, f := range planFiles(o) {
		switch _, err := os.Stat(filepath.Join(dir, f)); {
		case err == nil:
			present = append(present, f)
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, f)
		default:
			return nil, false, newErr(ErrPKI, err, "stat %s", f)
		}
	}
	switch {
	case len(missing) == 0:
		p, err := Load(dir, o.Airlines)
		return p, false, err
	case len(present) > 0:
		return nil, false, newErr(ErrPKI, nil, "%s holds a partial PKI (missing %s); move it away or complete it by hand", dir, strings.Join(missing, ", "))
	}
	files, err := generate(o)
	if err != nil {
		return nil, false, err
	}
	if err := writeAll(dir, files); err != nil {
		return nil, false, err
	}
	p, err := Load(dir, o.Airlines)
	return p, err == nil, err
}

// Load reads a PKI written by Init, every key of it (the airline signers named by airlines):
// for development tools that play every role. A service loads only its own keys (LoadIssuer).
func Load(dir string, airlines []string) (*PKI, error) {
	p, err := LoadIssuer(dir)
	if err != nil {
		return nil, err
	}
	if p.VerifierRP, err = LoadSigner(dir, FileVerifierRP); err != nil {
		return nil, newErr(ErrPKI, err, "%s", FileVerifierRP)
	}
	if err := ProfileRequestSigner.Check(p.VerifierRP.Chain()[0]); err != nil {
		return nil, newErr(ErrPKI, err, "%s.crt", FileVerifierRP)
	}
	if err := p.loadWalletProvider(dir); err != nil {
		return nil, err
	}
	for _, a := range airlines {
		a = strings.ToUpper(a)
		if p.Airlines[a], err = LoadSigner(dir, AirlineFile(a)); err != nil {
			return nil, newErr(ErrPKI, err, "airline %s", a)
		}
		if err := ProfileBoardingPassSigner.Check(p.Airlines[a].Chain()[0]); err != nil {
			return nil, newErr(ErrPKI, err, "%s.crt", AirlineFile(a))
		}
	}
	key, cert, err := LoadGateReader(dir)
	if err != nil {
		return nil, err
	}
	if !cert.Equal(p.GateReaderCert) {
		return nil, newErr(ErrPKI, nil, "gate reader certificate changed while loading")
	}
	p.GateReader = key
	return p, nil
}

// LoadIssuer reads what the credential issuer needs and nothing more: the root, the credential,
// status-list and mDL Document Signer keys, the trust list and the gate readers' certificate —
// not their private key (the issuer only seals templates to it), not the verifier's or the
// airlines' keys, not the development wallet provider. GateReader, VerifierRP, Airlines and
// WalletProvider stay empty; an issuer machine's PKI
// folder need not hold those keys at all.
func LoadIssuer(dir string) (*PKI, error) {
	p := &PKI{Dir: dir, Airlines: map[string]Signer{}}
	rootChain, err := readChain(filepath.Join(dir, FileRoot+".crt"))
	if err != nil {
		return nil, newErr(ErrPKI, err, "root")
	}
	p.Root = rootChain[0]
	// Every certificate must be of its role's profile: a PKI made before the profiles existed
	// (no EKUs) fails here, at start-up, with the file named, not at the first verification.
	if err := ProfileRoot.checkCA(p.Root); err != nil {
		return nil, newErr(ErrPKI, err, "%s.crt", FileRoot)
	}
	for _, s := range []struct {
		name string
		prof Profile
		dst  *Signer
	}{
		{FileIssuerEmployee, ProfileCredentialSigner, &p.EmployeeIssuer},
		{FileIssuerMDL, ProfileCredentialSigner, &p.MDLIssuer},
		{FileStatusList, ProfileStatusListSigner, &p.StatusList},
	} {
		if *s.dst, err = LoadSigner(dir, s.name); err != nil {
			return nil, newErr(ErrPKI, err, "%s", s.name)
		}
		if err := s.prof.Check((*s.dst).Chain()[0]); err != nil {
			return nil, newErr(ErrPKI, err, "%s.crt", s.name)
		}
	}
	if err := p.loadMdoc(dir); err != nil {
		return nil, err
	}
	if p.GateReaderCert, err = LoadGateReaderCert(dir); err != nil {
		return nil, err
	}
	if _, err := p.GateReaderCert.Verify(x509.VerifyOptions{Roots: rootPool(p.Root), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, newErr(ErrPKI, err, "gate reader certificate does not chain to the root")
	}
	if p.Trust, err = LoadTrustList(filepath.Join(dir, FileTrust)); err != nil {
		return nil, newErr(ErrPKI, err, "trust list")
	}
	return p, nil
}

// LoadGateReaderCert reads the gate readers' certificate alone, of ProfileGateReader and with a
// P-256 key: what a party that seals templates to the readers needs.
func LoadGateReaderCert(dir string) (*x509.Certificate, error) {
	chain, err := readChain(filepath.Join(dir, FileGateReader+".crt"))
	if err != nil {
		return nil, newErr(ErrPKI, err, "gate reader certificate")
	}
	if err := ProfileGateReader.Check(chain[0]); err != nil {
		return nil, newErr(ErrPKI, err, "gate reader certificate")
	}
	if pub, ok := chain[0].PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		return nil, newErr(ErrPKI, nil, "gate reader certificate key is %T, want ECDSA P-256", chain[0].PublicKey)
	}
	return chain[0], nil
}

// LoadGateReader reads the gate readers' key-agreement key and certificate. The key is returned
// as *ecdsa.PrivateKey because that is the P-256 type JOSE libraries (jwx v2 ECDH-ES) accept;
// call its ECDH method for crypto/ecdh. Its certificate must be of ProfileGateReader (key
// agreement only, template-encryption EKU): it never verifies a signature, and a certificate of
// another role is never taken for the readers' key.
func LoadGateReader(dir string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := readKey(filepath.Join(dir, FileGateReader+".key"))
	if err != nil {
		return nil, nil, newErr(ErrPKI, err, "gate reader key")
	}
	ek, ok := key.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, nil, newErr(ErrPKI, nil, "gate reader key is %T, want ECDSA P-256", key)
	}
	cert, err := LoadGateReaderCert(dir)
	if err != nil {
		return nil, nil, err
	}
	if !ek.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, newErr(ErrPKI, nil, "gate reader key does not match its certificate")
	}
	return ek, cert, nil
}

// leafSpec describes one leaf certificate Init issues.
type leafSpec struct {
	file string
	tmpl *x509.Certificate
}

// generate issues the whole PKI in memory: file name -> contents.
func generate(o Options) (map[string][]byte, error) {
	now := o.Now()
	issuerURL, _ := url.Parse(o.IssuerURL)
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	rootTmpl := &x509.Certificate{
		Subject:        pkix.Name{CommonName: CNRoot, Organization: []string{"idgate"}},
		NotBefore:      now.Add(-backdate),
		NotAfter:       now.Add(rootValidity),
		MaxPathLen:     0,
		MaxPathLenZero: true,
	}
	ProfileRoot.Apply(rootTmpl)
	root, err := CreateCertificate(rootTmpl, nil, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{FileRoot + ".crt": EncodeCertsPEM([]*x509.Certificate{root})}
	if files[FileRoot+".key"], err = EncodeKeyPEM(rootKey); err != nil {
		return nil, err
	}

	leaf := func(p Profile, cn string, uris ...*url.URL) *x509.Certificate {
		t := &x509.Certificate{
			Subject:   pkix.Name{CommonName: cn, Organization: []string{"idgate"}},
			NotBefore: now.Add(-backdate),
			NotAfter:  now.Add(leafValidity),
			URIs:      uris,
		}
		p.Apply(t)
		return t
	}
	tlsLeaf := func(cn string) *x509.Certificate {
		t := leaf(Profile{KeyUsage: x509.KeyUsageDigitalSignature}, cn)
		t.NotAfter = now.Add(tlsValidity)
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		for _, h := range o.Hosts {
			if ip := net.ParseIP(h); ip != nil {
				t.IPAddresses = append(t.IPAddresses, ip)
			} else {
				t.DNSNames = append(t.DNSNames, h)
			}
		}
		return t
	}
	// The verifier's OpenID4VP request signer: wallets compare its SAN dNSName with the
	// x509_san_dns client_id and the response_uri host, so it names the verifier's hosts.
	verifierRP := leaf(ProfileRequestSigner, CNVerifierRP)
	for _, h := range o.Hosts {
		if net.ParseIP(h) == nil {
			verifierRP.DNSNames = append(verifierRP.DNSNames, h)
		}
	}
	leaves := []leafSpec{
		{FileIssuerEmployee, leaf(ProfileCredentialSigner, CNIssuerEmployee, issuerURL)},
		{FileIssuerMDL, leaf(ProfileCredentialSigner, CNIssuerMDL, issuerURL)},
		{FileStatusList, leaf(ProfileStatusListSigner, CNStatusList, issuerURL)},
		{FileGateReader, leaf(ProfileGateReader, CNGateReader)},
		{FileTLSIssuer, tlsLeaf("idgate issuer TLS")},
		{FileTLSVerifier, tlsLeaf("idgate verifier TLS")},
		{FileVerifierRP, verifierRP},
	}
	for _, a := range o.Airlines {
		leaves = append(leaves, leafSpec{AirlineFile(a), leaf(ProfileBoardingPassSigner, AirlineCN(a))})
	}
	for _, l := range leaves {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		cert, err := CreateCertificate(l.tmpl, root, key.Public(), rootKey)
		if err != nil {
			return nil, fmt.Errorf("certs: issue %s: %w", l.file, err)
		}
		files[l.file+".crt"] = EncodeCertsPEM([]*x509.Certificate{cert})
		if files[l.file+".key"], err = EncodeKeyPEM(key); err != nil {
			return nil, err
		}
	}

	mdocAnchor, err := generateMdoc(o, files)
	if err != nil {
		return nil, err
	}
	walletAnchor, err := generateWalletProvider(o, files)
	if err != nil {
		return nil, err
	}
	anchors := []trustFileAnchor{
		mdocAnchor, walletAnchor,
		{Purpose: PurposeStatusList, Scope: ScopeAny, Roots: []string{FileRoot + ".crt"}, Names: []string{CNStatusList}},
	}
	if o.EmployeeVCT != "" && o.LicenceVCT != "" {
		anchors = append(anchors,
			trustFileAnchor{Purpose: PurposeCredential, Scope: o.EmployeeVCT, Roots: []string{FileRoot + ".crt"}, Names: []string{CNIssuerEmployee}},
			trustFileAnchor{Purpose: PurposeCredential, Scope: o.LicenceVCT, Roots: []string{FileRoot + ".crt"}, Names: []string{CNIssuerMDL}})
	} else {
		anchors = append(anchors, trustFileAnchor{Purpose: PurposeCredential, Scope: ScopeAny, Roots: []string{FileRoot + ".crt"}, Names: []string{CNIssuerEmployee, CNIssuerMDL}})
	}
	for _, a := range o.Airlines {
		anchors = append(anchors, trustFileAnchor{
			Purpose: PurposeBoardingPass, Scope: a, Roots: []string{FileRoot + ".crt"},
			Names: []string{AirlineCN(a)}, Certs: []string{AirlineFile(a) + ".crt"},
		})
	}
	anchors = append(anchors, trustFileAnchor{Purpose: PurposeVerifier, Scope: ScopeAny, Roots: []string{FileRoot + ".crt"}, Names: []string{CNVerifierRP}})
	if files[FileTrust], err = marshalTrustFile(anchors); err != nil {
		return nil, err
	}
	return files, nil
}

// CreateCertificate signs tmpl with parentKey (self-signed when parent is nil), giving it a random
// 128-bit serial, and parses the result.
func CreateCertificate(tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	t := *tmpl
	t.SerialNumber = serial.Add(serial, big.NewInt(1)) // never zero
	if parent == nil {
		parent = &t
	}
	der, err := x509.CreateCertificate(rand.Reader, &t, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// writeAll creates dir (0700) and every file with O_EXCL (keys 0600, the rest 0644). On any failure
// it removes the files it created, so a failed Init leaves no partial PKI behind.
func writeAll(dir string, files map[string][]byte) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return newErr(ErrPKI, err, "create %s", dir)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return newErr(ErrPKI, err, "chmod %s", dir)
	}
	var written []string
	defer func() {
		if err != nil {
			for _, w := range written {
				os.Remove(w)
			}
		}
	}()
	for name, data := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".key") {
			mode = 0o600
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return newErr(ErrPKI, err, "create %s", name)
		}
		written = append(written, path)
		_, werr := f.Write(data)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return newErr(ErrPKI, werr, "write %s", name)
		}
	}
	return nil
}
