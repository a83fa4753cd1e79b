//go:build idgate_dev

package mobile

// developmentBuild is true in a binding built with -tags idgate_dev.
const developmentBuild = true
