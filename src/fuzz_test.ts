// A bounded, seeded fuzz of the whole app: thousands of random and mutated
// credentials (bearer tokens and session cookies, cross-purpose too) and
// management bodies. Nothing may answer 5xx, no forgery may be accepted, and no
// body may move authority past the delegation limit.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../testing/_fixtures.ts";

const SEED = 0x5eed_2026;
const CREDENTIALS = 7_000;
const BODIES = 4_000;
const CALLBACKS = 1_000;

const USERS = `root@example.com: [admin]
mgr@example.com: [user_management, read]
ann@example.com: [read]
deploy@service: [admin]
helper@service: [read]
`;

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

class Fuzzer {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = random(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  text(alphabet: string, max: number): string {
    let out = "";
    for (let i = this.int(max + 1); i > 0; i--) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** A token changed the way an attacker would: bit flips, cuts, splices, swapped segments. */
  mutate(token: string, others: readonly string[]): string {
    const at = this.int(token.length);
    switch (this.int(8)) {
      case 0:
        return token.slice(0, at) + this.pick([...B64]) + token.slice(at + 1);
      case 1:
        return token.slice(0, at);
      case 2:
        return token + this.text(B64, 8);
      case 3:
        return token.slice(0, at) + token.slice(at + 1);
      case 4: {
        const parts = token.split(".");
        const donor = this.pick(others).split(".");
        const i = this.int(parts.length);
        parts[i] = donor[i] ?? "";
        return parts.join(".");
      }
      case 5: {
        const parts = token.split(".");
        parts[this.int(parts.length)] = this.text(B64, 60);
        return parts.join(".");
      }
      case 6:
        return token.split(".").reverse().join(".");
      default:
        return token.replace(/\./g, () => (this.next() < 0.5 ? "." : ".."));
    }
  }
}

function bytesOf(segment: string): string | null {
  try {
    return atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
}

/** Whether `candidate` decodes to the same bytes as a genuine token (base64 has spare bits). */
function isGenuine(candidate: string, genuine: readonly string[]): boolean {
  const parts = candidate.split(".");
  return genuine.some((token) => {
    const original = token.split(".");
    return original.length === parts.length &&
      original.every((segment, i) =>
        bytesOf(segment) !== null && bytesOf(segment) === bytesOf(parts[i])
      );
  });
}

describe("fuzzing", () => {
  it(`answers ${CREDENTIALS} forged credentials, ${BODIES} hostile bodies and ${CALLBACKS} forged callbacks without a 5xx or an acceptance`, async () => {
    await using ex = await startExample({ users: USERS });
    const fuzz = new Fuzzer(SEED);
    const [root, mgr, ann] = await Promise.all(
      ["root@example.com", "mgr@example.com", "ann@example.com"].map((email) =>
        ex.tester.client(email)
      ),
    );
    const service = await ex.tester.serviceClient("helper@service", { as: "root@example.com" });
    const api = (await root.post("/token/api", {
      name: "reader",
      capabilities: ["read"],
      expires_in: 3600,
    })).json<{ api_token: string }>().api_token;
    const browser = ex.tester.browser();
    await ex.mock.setEmail("ann@example.com");
    await browser.get("/login");
    const session = browser.cookies(ex.tester.url).get("easy_oauth_session")!;
    const genuine = [root.token!, mgr.token!, ann.token!, service.token!, api, session];
    const failures: string[] = [];
    let genuineAccepted = 0;
    const check = (what: string, status: number, accepted: boolean) => {
      if (status >= 500 || accepted) failures.push(`${what} → ${status}`);
    };

    for (let i = 0; i < CREDENTIALS; i++) {
      const kind = fuzz.int(10);
      const credential = kind === 0
        ? fuzz.text(PRINTABLE.replace(/[ ;,"\\]/g, ""), 300)
        : kind === 1
        ? fuzz.pick(genuine) // cross-purpose: a genuine value where another kind is expected
        : fuzz.mutate(fuzz.pick(genuine), genuine);
      const asCookie = fuzz.next() < 0.35;
      const headers: Record<string, string> = asCookie
        ? { cookie: `easy_oauth_session=${credential}` }
        : {
          authorization: fuzz.pick(["Bearer ", "bearer ", "BEARER  ", "Basic ", "Bearer\t", ""]) +
            credential,
        };
      const res = await ex.app.request(fuzz.pick(["/read", "/me", "/write"]), { headers });
      await res.body?.cancel();
      const forged = !isGenuine(credential, genuine);
      // A genuine value may only open as what it was made for.
      const misused = !forged &&
        (asCookie ? credential !== session : credential === session);
      if (!forged && !misused && res.ok) genuineAccepted++;
      check(
        `credential #${i} ${JSON.stringify(credential.slice(0, 80))}`,
        res.status,
        (forged || misused) && res.ok,
      );
    }

    const emails = [
      "root@example.com",
      "ann@example.com",
      "deploy@service",
      "helper@service",
      "new@example.com",
      "bot@service",
      "api:reader",
      "__proto__",
      "a@b\nc: [admin]",
      "",
    ];
    const capabilities = [
      "read",
      "write",
      "admin",
      "user_management",
      "moderate",
      "reed",
      "__proto__",
    ];
    const value = (): unknown =>
      fuzz.pick([
        () => fuzz.pick(emails),
        () => fuzz.pick(capabilities),
        () => Array.from({ length: fuzz.int(4) }, () => fuzz.pick(capabilities)),
        () => fuzz.int(1e6) - 1000,
        () => null,
        () => ({ nested: fuzz.pick(capabilities) }),
        () => fuzz.text(PRINTABLE, 40),
        () => fuzz.pick(genuine.filter((t) => t !== mgr.token)),
      ])();
    const fields = ["email", "capability", "capabilities", "name", "expires_in", "token", "user"];
    const routes = [
      "/manage_capabilities/add",
      "/manage_capabilities/remove",
      "/manage_capabilities/set",
      "/token/api",
      "/token/revoke",
      "/token",
    ];
    for (let i = 0; i < BODIES; i++) {
      const route = fuzz.pick(routes);
      const caller = fuzz.next() < 0.8 ? mgr : ann;
      const body: Record<string, unknown> = {};
      for (let n = fuzz.int(4); n >= 0; n--) body[fuzz.pick(fields)] = value();
      let text = JSON.stringify(body);
      if (fuzz.next() < 0.15) text = text.replace(/^\{/, `{"${fuzz.pick(fields)}": 1, `);
      if (fuzz.next() < 0.1) text = fuzz.mutate(text, [text]);
      const init: RequestInit = route === "/token"
        ? { headers: { authorization: `Bearer ${caller.token}` } }
        : {
          method: "POST",
          headers: { authorization: `Bearer ${caller.token}`, "content-type": "application/json" },
          body: text,
        };
      const path = route === "/token"
        ? `/token?user=${encodeURIComponent(String(value()))}`
        : route;
      const res = await ex.app.request(path, init);
      const answer = await res.text();
      const what = `${caller.email} ${path} ${text.slice(0, 120)}`;
      check(what, res.status, caller === ann && res.ok);
      if (res.ok && route === "/token") {
        const granted = JSON.parse(answer).capabilities as string[];
        if (granted.some((name) => !["read", "user_management"].includes(name))) {
          failures.push(`${what} → a service token with ${granted}`);
        }
      }
    }

    // Login callbacks with forged login-state cookies and states: never a session.
    const started = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    await started.body?.cancel();
    const [loginCookie] = started.headers.getSetCookie()[0].split(";");
    const at = loginCookie.indexOf("=");
    const [loginName, loginValue] = [loginCookie.slice(0, at), loginCookie.slice(at + 1)];
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    for (let i = 0; i < CALLBACKS; i++) {
      const value = fuzz.next() < 0.8 ? fuzz.mutate(loginValue, genuine) : fuzz.pick(genuine);
      const query = new URLSearchParams({
        state: fuzz.next() < 0.7 ? state : fuzz.mutate(state, [state]),
        code: fuzz.text(B64, 43),
      });
      const res = await ex.app.request(`/auth?${query}`, {
        headers: { cookie: `${loginName}=${value}` },
      });
      await res.body?.cancel();
      const session = res.headers.getSetCookie().some((line) => /session=[^;]/.test(line));
      check(`callback #${i} ${value.slice(0, 60)}`, res.status, session || res.ok);
    }

    assert.deepEqual(failures.slice(0, 20), []);
    assert.ok(genuineAccepted > 0, "the harness itself works: genuine credentials get in");
    const users = await ex.oauth.capabilities.users();
    assert.deepEqual(users.get("root@example.com"), ["admin"]);
    assert.deepEqual(users.get("deploy@service"), ["admin"]);
    for (const [email, list] of users) {
      if (email === "root@example.com" || email === "deploy@service") continue;
      const beyond = list.filter((name) => !["read", "user_management"].includes(name));
      assert.deepEqual(beyond, [], `${email} was given ${beyond}`);
    }
  });
});
