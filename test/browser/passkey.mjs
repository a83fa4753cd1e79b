// End-to-end: a holder registers a passkey from an operator's invitation link and collects
// their credential offer, in headless Chromium with a CDP virtual authenticator (CTAP2,
// internal, resident key, user verification). Then a cloned credential (sign counter reset)
// must be refused. Env: ISSUER_URL (http://localhost:PORT), INVITE_URL, CHROMIUM.
// Exits non-zero on any failure.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { ISSUER_URL, INVITE_URL, CHROMIUM = "/usr/bin/chromium" } = process.env;
if (!ISSUER_URL || !INVITE_URL) throw new Error("ISSUER_URL and INVITE_URL are required");

const t0 = Date.now();
const profile = mkdtempSync(join(tmpdir(), "idgate-chromium-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(15000);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });

  // 1. Registration from the invitation link.
  await page.goto(INVITE_URL);
  await page.click("#go");
  await page.locator("#status.ok").waitFor();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  if (credentials.length !== 1 || !credentials[0].isResidentCredential) throw new Error("expected one resident credential, got " + JSON.stringify(credentials.map((c) => c.isResidentCredential)));
  console.log("registered passkey (resident, rpId " + credentials[0].rpId + ")");

  // 2. Discoverable login shows the offer URI.
  await page.goto(ISSUER_URL + "/passkey/offers");
  await page.click("#go");
  await page.locator("#status.ok").waitFor();
  const uris = await page.locator(".offer-uri").allTextContents();
  if (uris.length !== 1 || !uris[0].startsWith("openid-credential-offer://?credential_offer=")) throw new Error("offer URI missing: " + JSON.stringify(uris));
  const offer = JSON.parse(new URL(uris[0].replace("openid-credential-offer://", "https://x/")).searchParams.get("credential_offer"));
  if (offer.credential_issuer !== ISSUER_URL) throw new Error("offer names issuer " + offer.credential_issuer);
  console.log("offer shown for " + offer.credential_configuration_ids.join(","));

  // 3. A clone: the same credential with its counter reset must be refused.
  const [cred] = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
  await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: cred.credentialId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...cred, signCount: 0 } });
  await page.reload();
  await page.click("#go");
  await page.locator("#status.error").waitFor();
  const msg = await page.locator("#status").textContent();
  if (!/counter/i.test(msg)) throw new Error("clone not refused: " + msg);
  if (await page.locator(".offer-uri").count() !== 0) throw new Error("clone saw offers");
  console.log("cloned authenticator refused: " + msg);
} catch (e) {
  failed = true;
  console.error("browser test FAILED:", e.message);
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`browser passkey test ${failed ? "failed" : "passed"} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
process.exit(failed ? 1 : 0);
