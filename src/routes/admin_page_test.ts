import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { startExample } from "../../testing/_fixtures.ts";
import type { TestBrowser } from "../../testing/mod.ts";
import { MemoryAuditLog } from "../audit/memory_audit_log.ts";
import { TOKEN_USERS as USERS } from "./_test_util.ts";

const HTML = { accept: "text/html,*/*;q=0.8" };

/** A form posted by the browser's session, with the given site headers. */
async function postForm(
  browser: TestBrowser,
  app: string,
  path: string,
  fields: Record<string, string>,
  site: Record<string, string>,
): Promise<Response> {
  const cookie = [...browser.cookies(app)].map(([k, v]) => `${k}=${v}`).join("; ");
  return await fetch(`${app}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...HTML, ...site },
    body: new URLSearchParams(fields),
  });
}

async function page(app: string, path: string, token: string): Promise<string> {
  const res = await fetch(`${app}${path}`, {
    headers: { ...HTML, authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200, path);
  assert.match(
    res.headers.get("content-security-policy")!,
    /default-src 'none'.*form-action 'self'/,
  );
  // The markup's layout is the formatter's: compare without the spaces between tags.
  return (await res.text()).replace(/>\s+</g, "><");
}

describe("the admin page", () => {
  it("lists accounts with stored and effective capabilities, searched and paged", async () => {
    const users = USERS +
      Array.from({ length: 120 }, (_, i) => `u${i}@example.org: [write]\n`).join("");
    await using ex = await startExample({ users, audit: new MemoryAuditLog() });
    const root = await ex.tester.client("root@example.com");
    const first = await page(ex.tester.url, "/manage_capabilities/", root.token!);
    assert.match(first, /123 accounts, 1 to 50 shown/);
    assert.match(
      first,
      /<td><a href="\/manage_capabilities\/account\?email=ann%40example.com">ann@example.com<\/a><\/td><td>read<\/td><td>read<\/td>/,
    );
    assert.match(first, /<a rel="next" href="\/manage_capabilities\/\?from=50">/);
    const last = await page(ex.tester.url, "/manage_capabilities/?from=100", root.token!);
    assert.match(last, /101 to 123 shown/);
    assert.match(last, /u119@example.org<\/a><\/td><td>write<\/td><td>read, write<\/td>/);
    const search = await page(ex.tester.url, "/manage_capabilities/?q=U11", root.token!);
    assert.match(search, /11 accounts\./);
    assert.doesNotMatch(search, /ann@example.com/);
  });

  it("shows the delegation limit: what the manager may grant is enabled, what it may not is explained", async () => {
    await using ex = await startExample({ users: USERS, audit: new MemoryAuditLog() });
    const manager = await ex.tester.client("manager@example.com");
    const ann = await page(
      ex.tester.url,
      "/manage_capabilities/account?email=ann%40example.com",
      manager.token!,
    );
    assert.match(ann, /id="add-write">Add<\/button>/);
    assert.match(ann, /id="remove-read">Remove<\/button>/);
    assert.match(
      ann,
      /id="add-admin" disabled>Add<\/button><\/form><span class="why">You do not hold &#34;admin&#34;.<\/span>/,
    );
    assert.doesNotMatch(ann, /id="limit"/);
    const root = await page(
      ex.tester.url,
      "/manage_capabilities/account?email=root%40example.com",
      manager.token!,
    );
    assert.match(root, /id="limit">This account holds .*&#34;admin&#34;.*which you do not hold/);
    assert.match(root, /id="revoke-all" disabled>/);
    await ex.tester.client("ann@example.com").then((ann) =>
      fetch(`${ex.tester.url}/manage_capabilities/`, {
        headers: { authorization: `Bearer ${ann.token}` },
      })
    ).then(async (res) => {
      assert.equal(res.status, 403);
      await res.body?.cancel();
    });
    const guest = await fetch(`${ex.tester.url}/manage_capabilities/`, { headers: HTML });
    assert.equal(guest.status, 401);
    assert.match(await guest.text(), /id="log-in"/);
  });

  it("grants, revokes one token and every token through its forms, and shows them in the history", async () => {
    const audit = new MemoryAuditLog();
    await using ex = await startExample({ users: USERS, audit });
    const service = await ex.tester.serviceClient("baker@service", { as: "root@example.com" });
    await ex.mock.setEmail("manager@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const app = ex.tester.url;
    const same = { origin: app, "sec-fetch-site": "same-origin" };
    const granted = await postForm(browser, app, "/manage_capabilities/change", {
      email: "ann@example.com",
      capability: "write",
      action: "add",
    }, same);
    assert.equal(granted.status, 303);
    assert.equal(
      granted.headers.get("location"),
      "/manage_capabilities/account?email=ann%40example.com&done=added%3Awrite",
    );
    const shown = await page(
      app,
      granted.headers.get("location")!,
      (await ex.tester.client("root@example.com")).token!,
    );
    assert.match(shown, /id="notice">Added write.</);
    const spoofed = await page(
      app,
      "/manage_capabilities/account?email=ann%40example.com&done=Call+0800-EVIL",
      (await ex.tester.client("root@example.com")).token!,
    );
    assert.doesNotMatch(spoofed, /id="notice"|EVIL/, "a link cannot put its own words on the page");
    const ann = await ex.tester.client("ann@example.com");
    assert.equal((await ann.get("/write")).text, "written by ann@example.com", "the grant is used");

    const root = await ex.tester.client("root@example.com");
    const bakerPage = await page(
      app,
      "/manage_capabilities/account?email=baker%40service",
      root.token!,
    );
    const id = /<td>service<\/td><td><code>([^<]+)<\/code>/.exec(bakerPage)?.[1];
    assert.ok(id, "the service token is listed");
    assert.ok(!bakerPage.includes(service.token!), "never the token itself");
    assert.match(bakerPage, /<td>root@example.com<\/td>/, "with its maker");
    const hello = await fetch(`${app}/hello`, {
      headers: { authorization: `Bearer ${service.token}` },
    });
    assert.equal(await hello.text(), "hello baker@service");
    await ex.mock.setEmail("root@example.com");
    const rootBrowser = ex.tester.browser();
    await rootBrowser.get("/login");
    const revoked = await postForm(rootBrowser, app, "/manage_capabilities/revoke", {
      email: "baker@service",
      id,
    }, same);
    assert.equal(revoked.status, 303);
    const refused = await fetch(`${app}/hello`, {
      headers: { authorization: `Bearer ${service.token}` },
    });
    assert.equal(refused.status, 401, "the revoked token no longer works");
    await refused.body?.cancel();
    assert.doesNotMatch(
      await page(app, "/manage_capabilities/account?email=baker%40service", root.token!),
      new RegExp(`<code>${id}</code>`),
    );

    const all = await postForm(browser, app, "/manage_capabilities/revoke_all", {
      email: "ann@example.com",
    }, same);
    assert.equal(all.status, 303);
    const gone = await fetch(`${app}/read`, { headers: { authorization: `Bearer ${ann.token}` } });
    assert.equal(gone.status, 401);
    await gone.body?.cancel();

    const history = await page(
      app,
      "/manage_capabilities/account?email=ann%40example.com",
      root.token!,
    );
    assert.match(history, /account revoked ann@example.com/);
    assert.match(history, /capabilities: read → read, write/);
    assert.match(history, /<td>manager@example.com<\/td><td>session, page<\/td>/);
    const kinds = (await audit.query({ kinds: ["token_revoked"] })).entries.map((e) => e.via);
    assert.deepEqual(kinds, ["page"]);
  });

  it("refuses every form posted from another site, and changes nothing", async () => {
    await using ex = await startExample({ users: USERS, audit: new MemoryAuditLog() });
    await ex.mock.setEmail("root@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const app = ex.tester.url;
    const forms: [string, Record<string, string>][] = [
      ["/manage_capabilities/change", {
        email: "ann@example.com",
        capability: "admin",
        action: "add",
      }],
      ["/manage_capabilities/revoke", { email: "ann@example.com", id: "x" }],
      ["/manage_capabilities/revoke_all", { email: "ann@example.com" }],
    ];
    for (const [path, fields] of forms) {
      const sites: Record<string, string>[] = [
        { origin: "https://evil.example" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const site of sites) {
        const res = await postForm(browser, app, path, fields, site);
        assert.equal(res.status, 403, `${path} ${JSON.stringify(site)}`);
        assert.match(await res.text(), /cross_site_request/);
      }
    }
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
    const ann = await ex.tester.client("ann@example.com");
    assert.equal((await ann.get("/read")).status, 200, "ann's tokens were not revoked");
    const json = await postForm(browser, app, "/manage_capabilities/change", {
      email: "ann@example.com",
      capability: "write",
      action: "add",
      extra: "1",
    }, { origin: app });
    assert.equal(json.status, 400, "unknown fields are refused");
    await json.body?.cancel();
  });
});
