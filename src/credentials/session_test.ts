import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";
import { forger } from "../../testing/_forger.ts";

/** A browser's cookie jar, reduced to what the app sees: the Cookie header. */
class Jar {
  readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1).trim());
    }
  }
}

type Ex = Awaited<ReturnType<typeof startExample>>;

/** `/login?next=…` then the provider; returns the callback URL to finish with. */
async function startLogin(ex: Ex, jar: Jar, next: string): Promise<string> {
  const login = await fetch(`${ex.tester.url}/login?${new URLSearchParams({ next })}`, {
    redirect: "manual",
    headers: { cookie: jar.header() },
  });
  await login.body?.cancel();
  jar.take(login);
  const authorize = await fetch(login.headers.get("location")!, { redirect: "manual" });
  await authorize.body?.cancel();
  return authorize.headers.get("location")!;
}

async function finish(jar: Jar, callback: string): Promise<Response> {
  const res = await fetch(callback, { redirect: "manual", headers: { cookie: jar.header() } });
  await res.body?.cancel();
  jar.take(res);
  return res;
}

describe("session cookies", () => {
  it("keeps the session cookie within 4096 bytes whatever the provider sends, without a 500", async () => {
    const forged = await forger();
    await using ex = await startExample({ fetch: forged.fetch });
    const email = `${"a".repeat(60)}@${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.com`;
    for (const name of ["N".repeat(5000), "\u{1F600}".repeat(3000), "\u2603".repeat(4000)]) {
      forged.set((c) => ({ ...c, email, name, picture: "x".repeat(5000) }));
      const jar = new Jar();
      const res = await finish(jar, await startLogin(ex, jar, "/hello"));
      assert.ok(res.status >= 300 && res.status < 400, `status ${res.status}`);
      const session = [...jar.cookies].find(([k]) => k.includes("session"));
      assert.ok(session, "a session was started");
      assert.ok(session[0].length + session[1].length + 1 <= 4096);
      const hello = await fetch(`${ex.tester.url}/hello`, { headers: { cookie: jar.header() } });
      assert.equal(await hello.text(), `hello ${email}`);
      // A refresh token too long to keep: the session goes on without it.
      forged.answer((body) => {
        body.refresh_token = "r".repeat(6000);
        return undefined;
      });
    }
  });

  it("keeps the Cookie header under 4 KB, session included, however many logins were abandoned", async () => {
    const forged = await forger();
    await using ex = await startExample({ fetch: forged.fetch });
    forged.set((c) => ({ ...c, name: "\u2603".repeat(150) }));
    const jar = new Jar();
    const first = await finish(jar, await startLogin(ex, jar, "/hello"));
    assert.ok(first.status < 400);
    for (let i = 0; i < 25; i++) {
      const next = `/shout?message=${"x".repeat(i % 2 === 0 ? 10 : 1500)}`;
      await startLogin(ex, jar, next);
      assert.ok(jar.header().length < 4096, `after ${i + 1} logins: ${jar.header().length}`);
    }
    // Two tabs logging in at once both finish; the Cookie header stays bounded.
    const one = await startLogin(ex, jar, "/one");
    const two = await startLogin(ex, jar, "/two");
    assert.equal((await finish(jar, two)).headers.get("location"), "/two");
    assert.equal((await finish(jar, one)).headers.get("location"), "/one");
    assert.ok(jar.header().length < 4096, `${jar.header().length}`);
  });
});

describe("WWW-Authenticate from provider data", () => {
  it("answers a sane challenge, or a 503, when the provider's error holds CR/LF or non-Latin-1 text", async () => {
    const forged = await forger();
    await using ex = await startExample({ fetch: forged.fetch });
    const answers = [
      // Codes that are not OAuth refusals are outages (503), their text repeated nowhere.
      { error: "invalid_grant\r\nSet-Cookie: a=b" },
      { error: "refus\u00e9 \u2603" },
      { error: "x".repeat(3000) },
      // A refusal with a hostile description: a 401 whose challenge stays one printable line.
      { error: "invalid_grant", error_description: "no\r\nSet-Cookie: a=b \u2603" },
    ];
    // One login each; its first use after the provider's expires_in refreshes at the provider.
    const clients = [];
    for (const _ of answers) clients.push(await ex.tester.client("ann@example.com"));
    ex.clock.advance(3700);
    for (const [i, answer] of answers.entries()) {
      forged.answer(() => Response.json(answer, { status: 400 }));
      const res = await ex.app.request("/me", {
        headers: { authorization: `Bearer ${clients[i].token}` },
      });
      assert.equal(res.status, i < 3 ? 503 : 401, JSON.stringify(answer));
      assert.ok(![...res.headers.values()].some((v) => v.includes("Set-Cookie: a=b")));
      const challenge = res.headers.get("www-authenticate") ?? "Bearer";
      assert.match(challenge, /^Bearer[\x20-\x7e]*$/);
      assert.ok(challenge.length <= 300);
    }
  });
});
