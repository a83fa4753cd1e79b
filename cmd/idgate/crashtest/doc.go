// Package crashtest kills the issuer with SIGKILL while wallets collect credentials, restarts
// it, and checks what survived (scripts/crash-test.sh runs it through the hidden
// `idgate crashtest` command; the gate's counterpart is loadtest.GateCrash).
//
// # Data flow
//
//  1. A development PKI (certs.Init) for the issuer's URL (http://localhost, a host name as
//     passkeys need, on a free 127.0.0.1 port), an operator token file, and `idgate issuer
//     serve` started as a child process on SQLite (a file in the run's directory) or
//     PostgreSQL (IssuerConfig.DB).
//  2. Through the operator API: one holder, one offer and one passkey invitation per wallet,
//     before any kill.
//  3. The burst: every wallet (wallet-sdk, its own encrypted store and device keys) runs
//     AcceptOffer concurrently, retrying transport errors as the SDK does. A monitor kills the
//     issuer with SIGKILL each time another fraction of the wallets finished (IssuerConfig.Kills
//     kill points), and starts it again on the same database. Every /token and /credential
//     answer a wallet read is kept; every transport error a wallet saw is counted. After its
//     credential each wallet registers the holder's passkey (passkeytest's authenticator),
//     beginning the ceremony again after a transport error or a session the restarted issuer
//     no longer knows.
//  4. With the issuer up again: each offer's code is redeemed by a fresh wallet, which must
//     not get a credential (no code or token is good twice).
//  5. The issuer is stopped and the store opened directly: every credential a wallet
//     received is stored, valid, with the status slot and holder key it carries; no slot is
//     used twice; each holder has exactly one credential and at most one passkey, the one the
//     issuer answered registered; the audit log has no gap and every holder, offer,
//     redemption, status list, credential, invitation and passkey has its event.
//
// Only loopback addresses are used; every wait is bounded.
package crashtest
