package main

import (
	"io"

	"github.com/idgate/idgate/wallet-sdk/walletcli"
)

// The wallet subcommand lives in wallet-sdk/walletcli, where it is tested against an
// in-process issuer and verifier.
func init() {
	register("wallet", "holder wallet: wallet init|accept-offer|list|present", runWallet)
}

func runWallet(args []string, stdout, stderr io.Writer) int {
	return walletcli.Run(args, stdout, stderr, walletcli.Env{})
}
