// An OpenID4VP 1.0 verifier built on @openid4vc/openid4vp (an independent implementation) for
// one transaction: it signs the Request Object with an x5c signer, serves it at request_uri
// (GET, or POST with the wallet_nonce echoed) on 127.0.0.1, parses the wallet's response with
// parseOpenid4vpAuthorizationResponse (decrypting direct_post.jwt with its ephemeral key) and
// prints JSON lines on stdout: {"link"} when ready, then {"result"} or {"error"}.
//
// Input (environment): LEAF_X5C (base64 DER of the signing certificate), LEAF_JWK (its private
// JWK), DCQL (query JSON), MODE (direct_post | direct_post.jwt), METHOD (get | post), PREFIX
// (x509_san_dns | x509_hash).
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import * as jose from 'jose'
import {
  createOpenid4vpAuthorizationRequest,
  parseOpenid4vpAuthorizationResponse,
} from '@openid4vc/openid4vp'
import { setGlobalConfig } from '@openid4vc/utils'

// The transaction runs on loopback over plain http (the wallet allows http only there).
setGlobalConfig({ allowInsecureUrls: true })

const env = (k) => {
  if (!process.env[k]) throw new Error(`missing ${k}`)
  return process.env[k]
}
const leafX5c = env('LEAF_X5C')
const leafJwk = JSON.parse(env('LEAF_JWK'))
const dcql = JSON.parse(env('DCQL'))
const mode = env('MODE')
const method = env('METHOD')
const prefix = env('PREFIX')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const b64u = (b) => Buffer.from(b).toString('base64url')

setTimeout(() => { out({ error: 'timeout: no response within 30s' }); process.exit(1) }, 30000).unref()

const signingKey = await jose.importJWK(leafJwk, 'ES256')
const { d: _d, ...leafPublic } = leafJwk

// The ephemeral response encryption key (HAIP: ECDH-ES on P-256).
const enc = await jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true })
const encPublic = await jose.exportJWK(enc.publicKey)
encPublic.kid = await jose.calculateJwkThumbprint(encPublic)
encPublic.alg = 'ECDH-ES'
encPublic.use = 'enc'

const callbacks = {
  signJwt: async (signer, { header, payload }) => {
    const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(header)
      .sign(signingKey)
    return { jwt, signerJwk: leafPublic }
  },
  decryptJwe: async (jwe) => {
    const { plaintext } = await jose.compactDecrypt(jwe, enc.privateKey)
    return { decrypted: true, decryptionJwk: encPublic, payload: new TextDecoder().decode(plaintext) }
  },
  verifyJwt: async () => ({ verified: false }),
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
}

const server = http.createServer()
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://localhost:${server.address().port}`
const clientId = prefix === 'x509_hash'
  ? `x509_hash:${b64u(createHash('sha256').update(Buffer.from(leafX5c, 'base64')).digest())}`
  : 'x509_san_dns:localhost'

const payload = {
  response_type: 'vp_token',
  client_id: clientId,
  response_uri: `${base}/response`,
  response_mode: mode,
  nonce: b64u(randomBytes(32)),
  state: b64u(randomBytes(16)),
  dcql_query: dcql,
  client_metadata: {
    jwks: { keys: [encPublic] },
    encrypted_response_enc_values_supported: ['A128GCM', 'A256GCM'],
    vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
  },
}

// The library rejects request_uri_method in the payload (it wants GET/POST) and sets aud to the
// request_uri: both are worked around as the OpenID4VP text requires.
async function createRequest(walletNonce) {
  return createOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: payload,
    jar: {
      requestUri: `${base}/request`,
      jwtSigner: { method: 'x5c', x5c: [leafX5c], alg: 'ES256' },
      expiresInSeconds: 300,
      additionalJwtPayload: { aud: 'https://self-issued.me/v2', ...(walletNonce ? { wallet_nonce: walletNonce } : {}) },
    },
    wallet: walletNonce ? { nonce: walletNonce } : undefined,
    callbacks,
  })
}

const readBody = (req) => new Promise((resolve, reject) => {
  let s = ''
  req.on('data', (d) => { s += d; if (s.length > 1 << 20) reject(new Error('body too large')) })
  req.on('end', () => resolve(s)).on('error', reject)
})

server.on('request', async (req, res) => {
  try {
    if (req.url === '/request' && (req.method === 'GET') === (method === 'get')) {
      let walletNonce
      if (req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req))
        walletNonce = form.get('wallet_nonce')
        if (!walletNonce || !JSON.parse(form.get('wallet_metadata') ?? 'null')?.vp_formats_supported) {
          res.writeHead(400).end('wallet_nonce and wallet_metadata are required')
          return
        }
      }
      const created = await createRequest(walletNonce)
      res.writeHead(200, { 'Content-Type': 'application/oauth-authz-req+jwt' }).end(created.jar.authorizationRequestJwt)
      return
    }
    if (req.url === '/response' && req.method === 'POST') {
      const fields = Object.fromEntries(new URLSearchParams(await readBody(req)))
      const parsed = await parseOpenid4vpAuthorizationResponse({
        authorizationResponse: fields,
        authorizationRequestPayload: payload,
        callbacks,
      })
      const jweHeader = fields.response ? jose.decodeProtectedHeader(fields.response) : null
      res.writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ redirect_uri: `${base}/done#response_code=${b64u(randomBytes(16))}` }))
      out({
        result: {
          client_id: clientId,
          nonce: parsed.expectedNonce,
          state_ok: parsed.authorizationResponsePayload.state === payload.state,
          // The library's own DCQL view of the response (for direct_post it parses the form's JSON text).
          vp_token: parsed.type === 'dcql' ? parsed.dcql.presentations : null,
          jwe_header: jweHeader,
          enc_kid: encPublic.kid,
        },
      })
      server.close()
      return
    }
    res.writeHead(404).end()
  } catch (e) {
    res.writeHead(400, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ error: 'invalid_request', error_description: 'rejected' }))
    out({ error: String(e?.stack ?? e) })
    process.exitCode = 1
    server.close()
  }
})

const created = await createRequest()
const link = created.authorizationRequest + (method === 'post' ? '&request_uri_method=post' : '')
out({ link })
