// Runs the WebAuthn ceremonies for register.html and offers.html against /passkey/*.
// Options arrive as JSON (base64url binary fields) and are converted to ArrayBuffers here,
// so no browser support for parseCreationOptionsFromJSON is needed.
"use strict";

const b64uToBuf = (s) => {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
};
const bufToB64u = (buf) => {
  let s = "";
  for (const x of new Uint8Array(buf)) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

async function post(path, body) {
  const r = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body), credentials: "same-origin", cache: "no-store",
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.message || ("HTTP " + r.status));
  return j;
}

function status(msg, cls) {
  const el = document.getElementById("status");
  el.textContent = msg;
  el.className = cls || "";
}

const descriptors = (list) => (list || []).map((d) => ({ ...d, id: b64uToBuf(d.id) }));

function attestationJSON(c) {
  const resp = {
    clientDataJSON: bufToB64u(c.response.clientDataJSON),
    attestationObject: bufToB64u(c.response.attestationObject),
  };
  if (c.response.getTransports) resp.transports = c.response.getTransports();
  return {
    id: c.id, rawId: bufToB64u(c.rawId), type: c.type, response: resp,
    authenticatorAttachment: c.authenticatorAttachment || undefined,
    clientExtensionResults: c.getClientExtensionResults(),
  };
}

function assertionJSON(c) {
  return {
    id: c.id, rawId: bufToB64u(c.rawId), type: c.type,
    authenticatorAttachment: c.authenticatorAttachment || undefined,
    response: {
      clientDataJSON: bufToB64u(c.response.clientDataJSON),
      authenticatorData: bufToB64u(c.response.authenticatorData),
      signature: bufToB64u(c.response.signature),
      userHandle: c.response.userHandle ? bufToB64u(c.response.userHandle) : undefined,
    },
    clientExtensionResults: c.getClientExtensionResults(),
  };
}

async function register() {
  const invite = new URLSearchParams(location.search).get("invite");
  if (!invite) throw new Error("this page must be opened from your invitation link");
  const begin = await post("/passkey/register/begin", { invite });
  const pk = begin.publicKey;
  pk.challenge = b64uToBuf(pk.challenge);
  pk.user.id = b64uToBuf(pk.user.id);
  pk.excludeCredentials = descriptors(pk.excludeCredentials);
  const cred = await navigator.credentials.create({ publicKey: pk });
  await post("/passkey/register/finish", { session: begin.session, credential: attestationJSON(cred) });
  history.replaceState(null, "", location.pathname); // drop the used invitation from the URL bar
  status("Passkey registered. You can now collect your credentials.", "ok");
}

async function collect() {
  const begin = await post("/passkey/login/begin", {});
  const pk = begin.publicKey;
  pk.challenge = b64uToBuf(pk.challenge);
  pk.allowCredentials = descriptors(pk.allowCredentials);
  const cred = await navigator.credentials.get({ publicKey: pk });
  const res = await post("/passkey/login/finish", { session: begin.session, credential: assertionJSON(cred) });
  const ul = document.getElementById("offers");
  ul.replaceChildren();
  for (const o of res.offers) {
    const li = document.createElement("li");
    li.className = "offer";
    const a = document.createElement("a");
    a.href = o.offer_uri;
    a.textContent = "Open " + o.credential_type + " in your wallet";
    const code = document.createElement("code");
    code.className = "offer-uri";
    code.textContent = o.offer_uri;
    li.append(a, document.createElement("br"), code, document.createElement("br"),
      "expires " + new Date(o.expires_at).toLocaleTimeString());
    ul.append(li);
  }
  status(res.offers.length ? res.offers.length + " offer(s) ready." : "Nothing waiting for you: all your credentials are collected.", "ok");
}

document.addEventListener("DOMContentLoaded", () => {
  const run = document.body.dataset.page === "register" ? register : collect;
  const btn = document.getElementById("go");
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    status("Waiting for your authenticator…");
    try {
      await run();
    } catch (e) {
      status(e.message || String(e), "error");
    } finally {
      btn.disabled = false;
    }
  });
  if (!window.PublicKeyCredential) status("This browser does not support passkeys.", "error");
});
