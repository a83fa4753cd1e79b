// An OpenID4VP 1.0 wallet built on @openid4vc/openid4vp (an independent implementation) that
// answers one openid4vp:// link: it resolves and validates the signed request (x5c chain to
// TRUST_ROOT checked here with node:crypto, as the library leaves that to its callback),
// presents the SD-JWT VC with only the claims the DCQL query names and a KB-JWT (aud =
// client_id, nonce; built with jose), creates the response (encrypted for direct_post.jwt)
// and submits it. It prints one JSON line: {"status","body","enc","jwe_header_members"} or
// {"error"}.
//
// Input (environment): LINK, CREDENTIAL (SD-JWT with every disclosure), HOLDER_JWK (private),
// TRUST_ROOT (base64 DER of the verifier's root); ENC, optional, the one content encryption
// the wallet supports (default A256GCM and A128GCM).
import { createHash, X509Certificate } from 'node:crypto'
import * as jose from 'jose'
import {
  parseOpenid4vpAuthorizationRequest,
  resolveOpenid4vpAuthorizationRequest,
  createOpenid4vpAuthorizationResponse,
  submitOpenid4vpAuthorizationResponse,
} from '@openid4vc/openid4vp'
import { setGlobalConfig } from '@openid4vc/utils'

// The verifier runs on loopback over plain http.
setGlobalConfig({ allowInsecureUrls: true })

const env = (k) => {
  if (!process.env[k]) throw new Error(`missing ${k}`)
  return process.env[k]
}
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const b64u = (b) => Buffer.from(b).toString('base64url')
const root = new X509Certificate(Buffer.from(env('TRUST_ROOT'), 'base64'))
const holderJwk = JSON.parse(env('HOLDER_JWK'))
const holderKey = await jose.importJWK(holderJwk, 'ES256')

const callbacks = {
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  getX509CertificateMetadata: (certificate) => {
    const c = new X509Certificate(Buffer.from(certificate, 'base64'))
    const names = (c.subjectAltName ?? '').split(', ')
    return {
      sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
      sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
    }
  },
  verifyJwt: async (signer, { compact }) => {
    if (signer.method !== 'x5c') return { verified: false }
    const chain = signer.x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64')))
    for (let i = 0; i < chain.length; i++) {
      const issuer = chain[i + 1] ?? root
      if (!chain[i].checkIssued(issuer) || !chain[i].verify(issuer.publicKey)) return { verified: false }
      const now = Date.now()
      if (now < Date.parse(chain[i].validFrom) || now > Date.parse(chain[i].validTo)) return { verified: false }
    }
    const key = await jose.importX509(chain[0].toString(), 'ES256')
    await jose.compactVerify(compact, key)
    return { verified: true, signerJwk: await jose.exportJWK(key) }
  },
  encryptJwe: async (encryptor, data) => {
    const key = await jose.importJWK(encryptor.publicJwk, encryptor.alg)
    const header = { alg: encryptor.alg, enc: encryptor.enc, kid: encryptor.publicJwk.kid }
    const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(data)).setProtectedHeader(header).encrypt(key)
    return { jwe, encryptionJwk: encryptor.publicJwk }
  },
}

// present keeps the disclosures of the top-level claims named by the query's paths and adds a
// KB-JWT over the result (RFC 9901 §4.3: sd_hash over issuer JWT~disclosures~).
async function present(sdjwt, names, aud, nonce) {
  const [jwt, ...rest] = sdjwt.split('~').filter((p) => p !== '')
  const kept = rest.filter((d) => names.includes(JSON.parse(Buffer.from(d, 'base64url').toString())[1]))
  const presented = [jwt, ...kept].join('~') + '~'
  const kb = await new jose.SignJWT({ nonce, aud, iat: Math.floor(Date.now() / 1000), sd_hash: b64u(createHash('sha256').update(presented).digest()) })
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .sign(holderKey)
  return presented + kb
}

try {
  const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: env('LINK') })
  const resolved = await resolveOpenid4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params, callbacks })
  const req = resolved.authorizationRequestPayload
  const vpToken = {}
  for (const cq of req.dcql_query.credentials) {
    const names = (cq.claims ?? []).map((c) => c.path[0])
    vpToken[cq.id] = [await present(env('CREDENTIAL'), names, req.client_id, req.nonce)]
  }
  const encrypted = req.response_mode === 'direct_post.jwt'
  const response = await createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: req,
    authorizationResponsePayload: { vp_token: vpToken },
    jarm: encrypted
      ? {
          encryption: { nonce: req.nonce },
          serverMetadata: {
            authorization_signing_alg_values_supported: ['ES256'],
            authorization_encryption_alg_values_supported: ['ECDH-ES'],
            authorization_encryption_enc_values_supported: process.env.ENC ? [process.env.ENC] : ['A256GCM', 'A128GCM'],
          },
        }
      : undefined,
    callbacks,
  })
  const submitted = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: req,
    authorizationResponsePayload: response.authorizationResponsePayload,
    jarm: response.jarm ? { responseJwt: response.jarm.responseJwt } : undefined,
    callbacks,
  })
  const jweHeader = response.jarm
    ? JSON.parse(Buffer.from(response.jarm.responseJwt.split('.')[0], 'base64url').toString())
    : {}
  out({ client_id: req.client_id, status: submitted.response.status, body: await submitted.response.text(), enc: jweHeader.enc ?? '', jwe_header_members: Object.keys(jweHeader).sort() })
} catch (e) {
  out({ error: String(e?.stack ?? e) })
  process.exitCode = 1
}
