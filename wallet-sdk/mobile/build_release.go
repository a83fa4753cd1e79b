//go:build !idgate_dev

package mobile

// developmentBuild is false in a release binding: OpenDevelopmentWallet is refused.
const developmentBuild = false
