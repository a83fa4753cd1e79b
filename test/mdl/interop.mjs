// Independent ISO/IEC 18013-5 implementation (@auth0/mdl 3.0.1) for idgate's interop test.
// Reads one JSON command on stdin, writes one JSON result on stdout:
//   {"op":"verify", "response":hex, "transcript":hex (SessionTranscriptBytes, tag 24), "iaca":PEM}
//     -> {"ok":true, "claims":{element: value}} or {"ok":false, "error":msg}
//   {"op":"verify-oid4vp", "response":hex, "clientId", "nonce", "jwk":public JWK or null,
//    "responseUri", "iaca":PEM, "nameSpace"}
//     -> as verify, with the SessionTranscript of OpenID4VP 1.0 Appendix B.2.6.1 computed here:
//        [null, null, ["OpenID4VPHandover", SHA-256(cbor([clientId, nonce, RFC 7638 thumbprint
//        of jwk or null, responseUri]))]]
//   {"op":"issue", "dsKey":JWK, "dsCert":PEM, "deviceKey":JWK (private), "transcript":hex,
//    "docType", "nameSpace", "values":{...}, "request":[element...], "validUntil":RFC3339}
//     -> {"ok":true, "response":hex} (DeviceResponse signed by the device key)
//   {"op":"issue", ... without "transcript", with "clientId", "nonce", "jwk", "responseUri"}
//     -> the same, device-signed over the OpenID4VP transcript computed here (see verify-oid4vp)
import { createHash } from 'node:crypto';
import { Verifier, Document, MDoc, DeviceResponse } from '@auth0/mdl';
import { cborEncode, DataItem } from '@auth0/mdl/lib/cbor/index.js';

const input = JSON.parse(await new Promise((resolve) => {
  let s = '';
  process.stdin.on('data', (d) => { s += d; });
  process.stdin.on('end', () => resolve(s));
}));

function plain(v) {
  if (v instanceof Uint8Array) return { bstr: Buffer.from(v).toString('hex') };
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && 'value' in v && 'tag' in v) return plain(v.value);
  return v;
}

// openid4vpTranscript is SessionTranscriptBytes (tag 24) for an OpenID4VP 1.0 redirect flow.
function openid4vpTranscript({ clientId, nonce, jwk, responseUri }) {
  const sha256 = (b) => createHash('sha256').update(b).digest();
  const thumbprint = jwk ? sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })) : null;
  const info = cborEncode([clientId, nonce, thumbprint, responseUri]);
  return cborEncode(DataItem.fromData([null, null, ['OpenID4VPHandover', sha256(info)]]));
}

async function run() {
  if (input.op === 'verify' || input.op === 'verify-oid4vp') {
    const transcript = input.op === 'verify' ? Buffer.from(input.transcript, 'hex') : openid4vpTranscript(input);
    const mdoc = await new Verifier([input.iaca]).verify(Buffer.from(input.response, 'hex'), {
      encodedSessionTranscript: transcript,
    });
    const doc = mdoc.documents[0];
    return { ok: true, docType: doc.docType, claims: plain(doc.getIssuerNameSpace(input.nameSpace)) };
  }
  if (input.op === 'issue') {
    const now = new Date();
    const { d: _d, ...devicePublic } = input.deviceKey;
    const signed = await new Document(input.docType)
      .addIssuerNameSpace(input.nameSpace, input.values)
      .useDigestAlgorithm('SHA-256')
      .addValidityInfo({ signed: now, validFrom: now, validUntil: new Date(input.validUntil) })
      .addDeviceKeyInfo({ deviceKey: devicePublic })
      .sign({ issuerPrivateKey: input.dsKey, issuerCertificate: input.dsCert, alg: 'ES256', kid: 'ds' });
    const pd = {
      id: 'idgate-interop',
      input_descriptors: [{
        id: input.docType,
        format: { mso_mdoc: { alg: ['ES256'] } },
        constraints: {
          limit_disclosure: 'required',
          fields: input.request.map((e) => ({ path: [`$['${input.nameSpace}']['${e}']`], intent_to_retain: false })),
        },
      }],
    };
    const resp = await DeviceResponse.from(new MDoc([signed]))
      .usingPresentationDefinition(pd)
      .usingSessionTranscriptBytes(input.transcript ? Buffer.from(input.transcript, 'hex') : openid4vpTranscript(input))
      .authenticateWithSignature(input.deviceKey, 'ES256')
      .sign();
    return { ok: true, response: Buffer.from(resp.encode()).toString('hex') };
  }
  throw new Error(`unknown op ${input.op}`);
}

try {
  process.stdout.write(JSON.stringify(await run()));
} catch (e) {
  if (process.env.IDGATE_MDL_DEBUG) console.error(e);
  process.stdout.write(JSON.stringify({ ok: false, error: String(process.env.IDGATE_MDL_DEBUG ? e.stack : (e && e.message || e)) }));
}
