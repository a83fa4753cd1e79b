// Package mobile is the gomobile-bindable facade over walletsdk for iOS and Android apps
// (gomobile bind -javapkg=org.idgate.wallet ./wallet-sdk/mobile). Its signatures use only
// types gomobile can bridge: string, []byte, int64, bool, error and the PlatformKeyStore
// callback; structured results travel as JSON strings. Every call may wait on the network
// (bounded at two minutes): call it off the main thread; Cancel, from any thread, ends the
// calls in progress.
//
// Data flow: the app fetches the 32-byte store key from the platform keychain and calls
// OpenWallet with its PlatformKeyStore over Android Keystore/StrongBox or the iOS Secure
// Enclave (null for software keys). PreviewOffer shows a scanned offer (issuer, credential
// names, whether a transaction code is needed) and AcceptPreviewedOffer accepts it with the
// code the user typed (AcceptOffer does both at once), returning the new credential ids;
// ListJSON and CredentialJSON feed the credential UI; Present takes the verifier's request JSON and returns
// the SD-JWT+KB presentation to send. OpenWalletWithRoots also takes the trusted relying
// parties' roots, for OpenID4VP, and the status list signers' roots, for CredentialStatus
// (valid, revoked, suspended). OpenWalletWithKeyAttester adds the app's KeyAttester, which
// obtains OpenID4VCI key attestations of device keys for issuers that require them. ResolveVP turns a scanned openid4vp:// link into a consent
// preview JSON with a request_id, and RespondVP (with the holder's choice) or DeclineVP
// answers it. PresentMdoc presents a held mdoc to a reader outside OpenID4VP (an airport
// gate) from its request JSON. ErrorCode maps any returned error to walletsdk's stable code so the app can
// localise messages.
package mobile
