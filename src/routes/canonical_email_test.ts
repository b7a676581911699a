// One form of an email everywhere: the provider's `Ann@Example.com`, a mixed-case
// entry of an existing file and a management call on `ANN@example.com` are one
// account, `ann@example.com` (issue 18, item 5).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { startExample } from "../../testing/_fixtures.ts";

const USERS = "Ann@Example.com: [read]\nroot@example.com: [admin]\n";

describe("emails in one canonical form", () => {
  it("revokes the provider's Ann@Example.com when asked for ann@example.com", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("Ann@Example.com");
    const read = async () => {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${ann.token}` },
      });
      return { status: res.status, text: await res.text() };
    };
    const before = await read();
    assert.equal(before.status, 200);
    const root = await ex.tester.client("root@example.com");
    await root.post("/token/revoke", { user: "ann@example.com" });
    assert.equal((await read()).status, 401, "the provider's spelling is revoked too");
    assert.equal(before.text, "read by ann@example.com", "the app sees the canonical form");
  });

  it("addresses the same account from a management call in another case, keeping the file's entry", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const listed = (await root.get("/manage_capabilities/list", { email: "ANN@example.com" }))
      .json<{ email: string; capabilities: string[] }>();
    assert.deepEqual([listed.email, listed.capabilities], ["ann@example.com", ["read"]]);
    await root.post("/manage_capabilities/add", { email: "ann@EXAMPLE.com", capability: "write" });
    const file = await readFile(ex.userFile, "utf8");
    assert.equal(file.match(/ann@example\.com/gi)?.length, 1, file);
    const ann = await ex.tester.client("aNN@example.COM");
    const written = await fetch(`${ex.tester.url}/write`, {
      headers: { authorization: `Bearer ${ann.token}` },
    });
    assert.equal(await written.text(), "written by ann@example.com");
  });
});
