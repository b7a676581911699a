// Return paths after login, each through the whole login dance with the mock
// provider, and in forceUser mode (RFC 9700 §4.11).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager } from "../../mod.ts";
import { SECRET, startExample } from "../../testing/_fixtures.ts";

/** Paths that must land the browser on the app itself. */
const HOSTILE = [
  "//evil.com",
  "///evil.com",
  "////evil.com/x",
  "/\\evil.com",
  "\\\\evil.com",
  "\\/evil.com",
  "/\\/evil.com",
  "https://evil.com",
  "http:evil.com",
  "HTTPS://evil.com/",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.com",
  " //evil.com",
  "/%2F/evil.com",
  "/%2f%2fevil.com",
  "%2F%2Fevil.com",
  "/%5Cevil.com",
  "/%5C%5Cevil.com",
  "/%252F%252Fevil.com",
  "%252F%252Fevil.com",
  "/%25252F%25252Fevil.com",
  "/..//evil.com",
  "/.//evil.com",
  "/a/..//evil.com",
  "/a/../..//evil.com",
  "/%2e%2e//evil.com",
  "/.%2e//evil.com",
  "/%2E//evil.com",
  "/././/evil.com",
  "/a/%2e%2e/%2e%2e//evil.com",
  "/..;/..//evil.com",
  "/.\\evil.com",
  "/\t/evil.com",
  "/\n/evil.com",
  "/\r\nLocation: https://evil.com",
  "/%0d%0aSet-Cookie:%20a=b",
  "/%09/evil.com",
  "/\u0000/evil.com",
  "/\uFF0F/evil.com",
  "/\uFF0F\uFF0Fevil.com",
  "/\u2215\u2215evil.com",
  "\u2044\u2044evil.com",
  "/\uFF3Cevil.com",
  "/%EF%BC%8F%EF%BC%8Fevil.com",
  "/\u200B/evil.com",
  "/\u3002/evil.com",
  `/${"a/".repeat(1100)}`,
];

/** Paths that must come back exactly as given. */
const KEPT: [string, string][] = [
  ["/", "/"],
  ["/shout?message=hi", "/shout?message=hi"],
  ["/a/b#section", "/a/b#section"],
  ["/a/./b/../c", "/a/c"],
  ["/read?next=%2F%2Fx", "/read?next=%2F%2Fx"],
];

const APP = "http://app.test";

/** Where a browser that follows `location` from the app ends up: the app's origin, on a sane path. */
function assertLandsOnApp(location: string | null, target: string): void {
  const label = JSON.stringify(target);
  assert.ok(location !== null, `${label}: no Location`);
  assert.ok(location.startsWith("/"), `${label} → ${JSON.stringify(location)}`);
  assert.ok(!/^\/[\\/]/.test(location), `${label} → ${JSON.stringify(location)}`);
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\u0000-\u001f\u007f\\]/.test(location), `${label} → ${JSON.stringify(location)}`);
  assert.equal(new URL(location, APP).origin, APP, `${label} → ${JSON.stringify(location)}`);
}

function cookiesOf(res: Response): string {
  return res.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
}

describe("the return path after login", () => {
  it(`keeps ${HOSTILE.length} hostile return paths on the app through the whole login dance`, async () => {
    await using ex = await startExample();
    assert.ok(HOSTILE.length + KEPT.length >= 40);
    const dance = async (next: string): Promise<string | null> => {
      const login = await fetch(`${ex.tester.url}/login?${new URLSearchParams({ next })}`, {
        redirect: "manual",
      });
      await login.body?.cancel();
      const authorize = await fetch(login.headers.get("location")!, { redirect: "manual" });
      await authorize.body?.cancel();
      const back = await fetch(authorize.headers.get("location")!, {
        redirect: "manual",
        headers: { cookie: cookiesOf(login) },
      });
      await back.body?.cancel();
      assert.ok(back.status >= 300 && back.status < 400, `${JSON.stringify(next)}: ${back.status}`);
      return back.headers.get("location");
    };
    for (const next of HOSTILE) assertLandsOnApp(await dance(next), next);
    for (const [next, expected] of KEPT) assert.equal(await dance(next), expected);
  });

  it("keeps them on the app in forceUser mode too", async () => {
    const oauth = new OAuthManager({
      secretKey: SECRET,
      forceUser: { email: "dev@example.com" },
      capabilities: { graph: { read: [] } },
    });
    const app = oauth.install(new Hono<OAuthEnv>());
    for (const next of HOSTILE) {
      const res = await app.request(`${APP}/login?${new URLSearchParams({ next })}`);
      assertLandsOnApp(res.headers.get("location"), next);
    }
    for (const [next, expected] of KEPT) {
      const res = await app.request(`${APP}/login?${new URLSearchParams({ next })}`);
      assert.equal(res.headers.get("location"), expected);
    }
  });
});
