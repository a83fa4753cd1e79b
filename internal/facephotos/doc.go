// Package facephotos embeds the repository's face photographs: Barack Obama three times and
// Joe Biden once, official White House photographs in the public domain, downscaled to about
// 640 px (testdata/PROVENANCE.md says where each comes from and how it was made).
//
// The demo enrols [Portrait], boards with [Live] and shows [Impostor] denied; the face tests
// use every same-person pair as genuine and every cross pair as impostor.
package facephotos
