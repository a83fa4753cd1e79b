//go:build tools

// Package tools pins the build tools that are Go modules: gobind generates and checks the
// mobile bindings of wallet-sdk/mobile (scripts/gobind-check.sh).
package tools

import (
	_ "golang.org/x/mobile/bind"
	_ "golang.org/x/mobile/cmd/gobind"
)
