// ID tokens and userinfo signed as a client of oidc-provider (OpenID
// Certified) may choose: ES512, HS256 keyed with the client secret (OIDC Core
// §10.1), and signed userinfo (§5.3.2).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startInterop } from "./_setup.ts";

/** Long enough for HS512 (oidc-provider wants as many bytes as the MAC has). */
const LONG_SECRET = "interop-secret-long-enough-for-hs512-0123456789-0123456789-abcdef";

describe("against oidc-provider, in the signing algorithms a client may choose", () => {
  for (
    const [what, setup] of [
      ["ID tokens in ES512", { idTokenAlg: "ES512" }],
      ["ID tokens in HS256 keyed with the client secret", {
        idTokenAlg: "HS256",
        clientSecret: LONG_SECRET,
      }],
      ["ID tokens in HS512 and userinfo signed in ES512", {
        idTokenAlg: "HS512",
        userinfoAlg: "ES512",
        clientSecret: LONG_SECRET,
      }],
      ["ID tokens in ES512 and userinfo signed in HS256", {
        idTokenAlg: "ES512",
        userinfoAlg: "HS256",
        clientSecret: LONG_SECRET,
      }],
    ] as const
  ) {
    it(`logs in and refreshes with ${what}`, async () => {
      const seen = new Set<string>();
      const recording: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const type = response.headers.get("content-type") ?? "";
        if (type.startsWith("application/jwt")) seen.add("signed userinfo");
        if (new URL(new Request(input).url).pathname === "/token" && response.ok) {
          const { id_token } = await response.clone().json();
          if (id_token) seen.add(JSON.parse(atob(id_token.split(".")[0])).alg);
        }
        return response;
      };
      await using op = await startInterop({ provider: setup, fetch: recording });
      const browser = op.browser("ann@example.com");
      const page = await browser.get(`${op.app}/token`);
      assert.equal(page.status, 200, `${page.text}\n${op.logs.join("\n")}`);
      const token = JSON.parse(page.text).refresh_token;
      op.advance(3700); // the next use refreshes, and checks the new answer the same way
      const res = await op.bearer(token);
      assert.equal(res.status, 200, op.logs.join("\n"));
      assert.equal((await res.json()).email, "ann@example.com");
      assert.ok(seen.has(setup.idTokenAlg ?? "RS256"), [...seen].join());
      assert.equal(seen.has("signed userinfo"), "userinfoAlg" in setup, [...seen].join());
    });
  }
});
