import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { parse } from "yaml";
import { startExample } from "../../testing/_fixtures.ts";
import { CAPABILITY_USERS as USERS } from "./_test_util.ts";

describe("/manage_capabilities", () => {
  it("adds, removes and sets capabilities, keeping the file's comments", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const added = await root.post("/manage_capabilities/add", {
      email: "ann@example.com",
      capability: "write",
    });
    assert.deepEqual(added.json(), {
      status: "ok",
      email: "ann@example.com",
      capabilities: ["read", "write"],
      effective: ["read", "write"],
    });
    await root.post("/manage_capabilities/remove", {
      email: "ann@example.com",
      capability: "read",
    });
    const set = await root.post("/manage_capabilities/set", {
      email: "new@example.com",
      capabilities: ["moderate"],
    });
    assert.deepEqual(set.json<{ capabilities: string[] }>().capabilities, ["moderate"]);
    const text = await readFile(ex.userFile, "utf8");
    assert.match(text, /# Who may do what/);
    assert.match(text, /- admin # the boss/);
    assert.deepEqual(parse(text), {
      "root@example.com": ["admin"],
      "ann@example.com": ["write"],
      "new@example.com": ["moderate"],
    });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/write");
  });

  it("refuses changes without user_management (403) or without login (401)", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    await ann.post("/manage_capabilities/add", { email: "ann@example.com", capability: "write" }, {
      expect: 403,
    });
    const guest = await ex.tester.client();
    await guest.post(
      "/manage_capabilities/add",
      { email: "ann@example.com", capability: "write" },
      { expect: 401 },
    );
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
  });

  it("answers bad bodies with a clear 4xx and leaves the file alone", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const post = (body: BodyInit, type = "application/json") =>
      fetch(`${ex.tester.url}/manage_capabilities/add`, {
        method: "POST",
        headers: { authorization: `Bearer ${root.token}`, "content-type": type },
        body,
      });
    const cases: [BodyInit, string, number][] = [
      ["email=a@b.c&capability=read", "application/x-www-form-urlencoded", 415],
      ["{not json", "application/json", 400],
      ["[1, 2]", "application/json", 400],
      [JSON.stringify({ email: "a@b.c" }), "application/json", 400],
      [JSON.stringify({ email: 42, capability: "read" }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c", capability: ["read"] }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c", capability: "fly" }), "application/json", 400],
      [JSON.stringify({ email: "not an email", capability: "read" }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c\n  - admin", capability: "read" }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c", capability: "read", extra: 1 }), "application/json", 400],
      [
        JSON.stringify({ email: "a@b.c", capability: "x".repeat(70 * 1024) }),
        "application/json",
        413,
      ],
    ];
    for (const [body, type, status] of cases) {
      const res = await post(body, type);
      assert.equal(res.status, status, String(body).slice(0, 60));
      const json = await res.json();
      assert.equal(typeof json.error, "string");
      assert.equal(typeof json.detail, "string");
    }
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const res = await fetch(`${ex.tester.url}/manage_capabilities/add`, {
      method: "POST",
      headers: { authorization: `Bearer ${root.token}`, "content-type": "application/json" },
      body: chunked,
      // @ts-ignore: needed by fetch for a streamed body
      duplex: "half",
    });
    assert.equal(res.status, 413);
    await res.body?.cancel();
    const set = await root.post("/manage_capabilities/set", {
      email: "a@b.c",
      capabilities: "read",
    }, {
      expect: 400,
    });
    assert.match(set.text, /capabilities/);
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
  });

  it("refuses cookie-authenticated changes from another origin", async () => {
    await using ex = await startExample({ users: USERS });
    await ex.mock.setEmail("root@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const body = { email: "ann@example.com", capability: "write" };
    const evil = await browser.post("/manage_capabilities/add", body, {
      expect: 403,
      headers: { origin: "https://evil.example" },
    });
    assert.equal(evil.json<{ error: string }>().error, "cross_site_request");
    await browser.post("/manage_capabilities/add", body, {
      expect: 403,
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
    await browser.post("/manage_capabilities/add", body, { headers: { origin: ex.tester.url } });
  });

  it("loses nothing when 100 adds for different users run at once", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const emails = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`);
    await Promise.all(
      emails.map((email) => root.post("/manage_capabilities/add", { email, capability: "read" })),
    );
    const stored = parse(await readFile(ex.userFile, "utf8")) as Record<string, string[]>;
    for (const email of emails) assert.deepEqual(stored[email], ["read"], email);
    assert.deepEqual(stored["root@example.com"], ["admin"]);
  });

  it("picks up a hand edit of the file", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/write", {}, { expect: 403 });
    await writeFile(ex.userFile, USERS.replace("- read", "- write"));
    ex.clock.advance(2);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await ann.get("/write");
  });
});
