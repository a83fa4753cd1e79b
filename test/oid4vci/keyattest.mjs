// Key attestations of OpenID4VCI 1.0 (Appendix D, F) checked and made by an independent
// implementation, @openid4vc/openid4vci, for wallet-sdk/interop_keyattest_node_test.go.
// Input (stdin, JSON): {credential_issuer, nonce, now, provider_root_pem, jwt_proof,
// attestation_proof, provider_key_pem, provider_x5c, device_jwk}. Output (stdout, JSON):
// what the library's issuer made of idgate's wallet proofs, and a key attestation the library
// made with the given wallet provider key.
import { X509Certificate, createPrivateKey, createHash } from 'node:crypto'
import * as jose from 'jose'
import { Openid4vciIssuer, createKeyAttestationJwt, verifyKeyAttestationJwt } from '@openid4vc/openid4vci'
import { setGlobalConfig } from '@openid4vc/utils'

// idgate's test issuer is plain http on 127.0.0.1.
setGlobalConfig({ allowInsecureUrls: true })

const job = JSON.parse(await new Promise((resolve) => {
  let s = ''
  process.stdin.on('data', (d) => { s += d })
  process.stdin.on('end', () => resolve(s))
}))
const root = new X509Certificate(job.provider_root_pem)
const now = new Date(job.now * 1000)

// verifyJwt trusts a jwk-named signer (the proof's holder key) as itself and an x5c-named one
// (a key attestation) only when its leaf is issued and signed by the wallet provider's root.
const callbacks = {
  verifyJwt: async (signer, { compact }) => {
    let key, signerJwk
    if (signer.method === 'jwk') {
      signerJwk = signer.publicJwk
      key = await jose.importJWK(signerJwk, signer.alg)
    } else if (signer.method === 'x5c') {
      const leaf = new X509Certificate(Buffer.from(signer.x5c[0], 'base64'))
      if (!leaf.checkIssued(root) || !leaf.verify(root.publicKey)) return { verified: false }
      signerJwk = leaf.publicKey.export({ format: 'jwk' })
      key = leaf.publicKey
    } else {
      return { verified: false }
    }
    try {
      await jose.compactVerify(compact, key)
      return { verified: true, signerJwk }
    } catch {
      return { verified: false, signerJwk }
    }
  },
  signJwt: async (signer, { header, payload }) => {
    const key = createPrivateKey(job.provider_key_pem)
    const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(header).sign(key)
    return { jwt, signerJwk: key.export({ format: 'jwk' }) }
  },
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (n) => crypto.getRandomValues(new Uint8Array(n)),
}

const issuer = new Openid4vciIssuer({ callbacks })
const issuerMetadata = { credentialIssuer: { credential_issuer: job.credential_issuer }, authorizationServers: [] }
const out = {}
const outcome = async (f) => {
  try {
    return await f()
  } catch (e) {
    return { error: String(e?.message ?? e) + (e?.cause ? ': ' + String(e.cause?.message ?? e.cause) : '') }
  }
}

if (job.jwt_proof) {
  out.jwt_proof = await outcome(async () => {
    const r = await issuer.verifyCredentialRequestJwtProof({ jwt: job.jwt_proof, issuerMetadata, expectedNonce: job.nonce, now })
    return {
      proof_key: r.signer.publicJwk, attested_keys: r.keyAttestation?.payload.attested_keys,
      key_storage: r.keyAttestation?.payload.key_storage, attestation_nonce: r.keyAttestation?.payload.nonce,
    }
  })
}
if (job.attestation_proof) {
  out.attestation_proof = await outcome(async () => {
    const r = await issuer.verifyCredentialRequestAttestationProof({ keyAttestationJwt: job.attestation_proof, expectedNonce: job.nonce, now })
    return { attested_keys: r.payload.attested_keys, key_storage: r.payload.key_storage, typ: r.header.typ }
  })
}
if (job.provider_key_pem) {
  out.created = await outcome(async () => {
    const jwt = await createKeyAttestationJwt({
      callbacks, issuedAt: now, expiresAt: new Date(now.getTime() + 3600_000), nonce: job.nonce,
      attestedKeys: [job.device_jwk], keyStorage: ['iso_18045_high'], use: 'proof_type.jwt',
      signer: { method: 'x5c', x5c: job.provider_x5c, alg: 'ES256' },
    })
    // The library's own verification of what it made, for comparison.
    await verifyKeyAttestationJwt({ keyAttestationJwt: jwt, callbacks, use: 'proof_type.jwt', now })
    return { jwt }
  })
}
process.stdout.write(JSON.stringify(out) + '\n')
