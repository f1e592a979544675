/* Server identity, checked by the service worker before it sends the pairing token or any buyer text.

   POST /v1/hello carries a fresh random nonce and no token; the server answers
   HMAC-SHA256(token, "responde-hello/v1|" + nonce + "|" + host). Only a server that knows our token can
   answer, and only for the host we are configured for (a squatter relaying the challenge to the real server
   on another port gets a proof for the wrong host). A verified server is remembered for TTL_MS in
   chrome.storage.session (memory only, not readable by content scripts; it survives this worker being
   stopped), keyed by the server's origin and a hash of the token, and forgotten at the first failure. */
(function (root) {
  const PROTOCOL = "responde-hello/v1";
  const TTL_MS = 10000;
  const TIMEOUT_MS = 5000;
  const CACHE = "verifiedServer";
  const pending = new Map(); // key -> Promise: one challenge at a time per server and token
  const encoder = new TextEncoder();

  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

  function base64url(bytes) {
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromHex(text) {
    if (typeof text !== "string" || !/^[0-9a-f]{64}$/.test(text)) return null;
    return new Uint8Array(text.match(/../g).map((pair) => parseInt(pair, 16)));
  }

  async function cacheKey(settings) {
    const digest = await crypto.subtle.digest("SHA-256", encoder.encode(settings.token));
    return `${new URL(settings.server).origin}|${hex(digest)}`;
  }

  /* One challenge: { ok: true } only when the answer is the HMAC of our token over our nonce and host. */
  async function challenge(settings) {
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(32)));
    let response;
    try {
      response = await fetch(`${settings.server}/v1/hello`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ nonce }),
        credentials: "omit",
        redirect: "error",
        cache: "no-store",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      return { ok: false, error: "serverDown" };
    }
    let answer = null;
    try {
      answer = response.ok ? await response.json() : null;
    } catch {
      answer = null;
    }
    const proof = answer && answer.protocol === PROTOCOL ? fromHex(answer.proof) : null;
    if (!proof) return { ok: false, error: "notVerified", status: response.status };
    const key = await crypto.subtle.importKey("raw", encoder.encode(settings.token), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const host = new URL(settings.server).host.toLowerCase();
    const valid = await crypto.subtle.verify("HMAC", key, proof, encoder.encode(`${PROTOCOL}|${nonce}|${host}`));
    return valid ? { ok: true } : { ok: false, error: "notVerified", status: response.status };
  }

  /* { ok: true } when the configured server has proved it knows our token (recently enough), else the
     error to show. `fresh` skips the remembered answer (the options page's Test connection). */
  async function ensure(settings, { fresh = false } = {}) {
    const key = await cacheKey(settings);
    if (!fresh) {
      const { [CACHE]: known } = await chrome.storage.session.get(CACHE);
      if (known && known.key === key && Date.now() - known.at >= 0 && Date.now() - known.at < TTL_MS) return { ok: true };
    }
    if (!pending.has(key)) pending.set(key, challenge(settings).finally(() => pending.delete(key)));
    const result = await pending.get(key);
    if (result.ok) await chrome.storage.session.set({ [CACHE]: { key, at: Date.now() } });
    else await forget();
    return result;
  }

  async function forget() {
    await chrome.storage.session.remove(CACHE);
  }

  root.RespondeIdentity = { PROTOCOL, TTL_MS, ensure, forget };
})(globalThis);
