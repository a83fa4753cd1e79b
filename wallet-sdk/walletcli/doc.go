// Package walletcli is the "idgate wallet" subcommand: a holder wallet on the command line
// for demos and operators, over package walletsdk.
//
//	idgate wallet init --dir DIR
//	idgate wallet accept-offer --dir DIR URI [--tx-code C]
//	idgate wallet list --dir DIR [--json]
//	idgate wallet present --dir DIR --verifier URL --credential ID|--vct VCT --claims a,b
//
// Store key. If IDGATE_WALLET_PASSPHRASE is set, the store is sealed with a key derived from
// it (PBKDF2-SHA256, 600k iterations) and nothing secret is written to disk. Otherwise init
// writes 32 random bytes to DIR/store.key (0600) and every command reads them from there:
// convenient for development and demos, but anyone who can read DIR can decrypt the wallet,
// so the file key only protects against reading a copied store without its key file. A
// phone app keeps the key in the platform keychain instead (see package mobile).
//
// present creates a request at the verifier (POST URL/v1/presentation-requests with the vct
// and claims), answers it with walletsdk.Present, POSTs {"presentation": ...} to
// URL/v1/presentation-requests/{id}/verify and prints the verifier's JSON answer; the exit
// code is non-zero when the verifier rejects the presentation.
package walletcli
