// GET /token for people: the token, a copy button, a curl line and its expiry.
import { constant, html, pageResponse, scriptNonce } from "./_html.ts";

/** What the token page shows. */
export interface TokenPageData {
  token: string;
  email: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The URL the curl line calls (absolute). */
  checkUrl: string;
}

// Copies the token; falls back to selecting it where the clipboard API is refused.
const COPY_SCRIPT = constant(
  `const t=document.getElementById("token"),b=document.getElementById("copy");
b.addEventListener("click",async()=>{try{await navigator.clipboard.writeText(t.value)}
catch{t.select();document.execCommand("copy")}b.textContent="Copied"});`,
);

/** "Logged in": a page of the app's own that goes on to `path` at once. */
export function continuePage(path: string): Response {
  const body = html`<meta http-equiv="refresh" content="0;url=${path}">
<h1>You are logged in</h1>
<p><a id="continue" href="${path}">Continue to your token</a></p>`;
  return pageResponse(200, "You are logged in", body);
}

/**
 * Before the second, offline login of `/token`: why the provider asks again
 * (a token for scripts outlives the session: it needs a refresh token).
 */
export function offlineLoginPage(loginUrl: string): Response {
  const body = html`
    <h1>One more step for a token</h1>
    <p>A token for scripts keeps working after you log out, so the app needs <em>offline access</em>
    to your account: your provider will ask you once more, and may ask you to agree to it.</p>
    <p
      class="actions"><a id="continue" href="${loginUrl}">Continue to your provider</a><a href="/">Home</a></p>
  `;
  return pageResponse(200, "One more step for a token", body);
}

/** The page that hands a token to a person. */
export function tokenPage(data: TokenPageData): Response {
  const nonce = scriptNonce();
  const iso = new Date(data.expiresAt).toISOString();
  const curl = `curl -H "Authorization: Bearer ${data.token}" ${shellWord(data.checkUrl)}`;
  const body = html`<h1>Your token</h1>
<p>For <strong id="email">${data.email}</strong>. It expires on
<time id="expires" datetime="${iso}">${iso.replace("T", " ").slice(0, 16)} UTC</time>.
Anyone who holds it acts as you: keep it secret.</p>
<textarea id="token" rows="6" readonly>${data.token}</textarea>
<p class="actions"><button id="copy" type="button">Copy</button><a href="/">Home</a></p>
<p>Send it as a bearer token:</p>
<pre><code id="curl">${curl}</code></pre>
<script nonce="${nonce}">${COPY_SCRIPT}</script>`;
  return pageResponse(200, "Your token", body, { nonce });
}

/** A URL as one shell word: quoted unless made only of characters no shell treats specially. */
function shellWord(url: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(url) ? url : `'${url.replaceAll("'", "'\\''")}'`;
}
