package mobile

import walletsdk "github.com/idgate/idgate/wallet-sdk"

// OpenDevelopmentWallet is OpenWalletWithRoots for a developer build that reaches a
// development issuer over plain HTTP on a non-loopback host, such as the emulator's host
// address (http://10.0.2.2:8080 on Android). It works only in a binding built with
// `gomobile bind -tags idgate_dev`; a release binding (without the tag) refuses it with code
// "config", so the option cannot reach users.
func OpenDevelopmentWallet(dir string, storeKey, verifierRootsPEM, statusListRootsPEM []byte, keys PlatformKeyStore) (*Wallet, error) {
	if !developmentBuild {
		return nil, &walletsdk.Error{Code: walletsdk.CodeConfig, Msg: "plain-HTTP issuers need a binding built with -tags idgate_dev"}
	}
	return openWithRoots(dir, storeKey, verifierRootsPEM, statusListRootsPEM, keys, true)
}
