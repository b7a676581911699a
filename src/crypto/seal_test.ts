import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Sealer } from "./seal.ts";

const SECRET = "0123456789abcdef0123456789abcdef-first";
const OTHER = "0123456789abcdef0123456789abcdef-other";

describe("Sealer", () => {
  it("opens what it sealed, with purpose, id and issue time", async () => {
    const sealer = new Sealer(SECRET, () => 1_700_000_000_000);
    const token = await sealer.seal("user_token", { email: "a@b.c" }, { ttl: 60 });
    assert.equal(token.split(".").length, 5);
    assert.ok(!token.includes("a@b.c"));
    const claims = await sealer.open("user_token", token);
    assert.equal(claims?.email, "a@b.c");
    assert.equal(claims?.pur, "user_token");
    assert.equal(claims?.iat, 1_700_000_000);
    assert.equal(claims?.exp, 1_700_000_060);
    assert.equal(typeof claims?.jti, "string");
  });

  it("does not open a value sealed for another purpose", async () => {
    const sealer = new Sealer(SECRET);
    const token = await sealer.seal("session", { email: "a@b.c" });
    assert.equal(await sealer.open("user_token", token), null);
    assert.ok(await sealer.open("session", token));
  });

  it("does not open tampered values, garbage, or values sealed under another key", async () => {
    const sealer = new Sealer(SECRET);
    const token = await sealer.seal("session", { email: "a@b.c" });
    const parts = token.split(".");
    const flipped = parts[3][0] === "A" ? "B" : "A";
    parts[3] = flipped + parts[3].slice(1);
    assert.equal(await sealer.open("session", parts.join(".")), null);
    assert.equal(await sealer.open("session", "garbage"), null);
    assert.equal(await sealer.open("session", "a.b.c.d.e"), null);
    assert.equal(await new Sealer(OTHER).open("session", token), null);
  });

  it("refuses expired values according to the clock", async () => {
    let now = 1_700_000_000_000;
    const sealer = new Sealer(SECRET, () => now);
    const token = await sealer.seal("login_state", {}, { ttl: 600 });
    now += 599_000;
    assert.ok(await sealer.open("login_state", token));
    now += 2_000;
    assert.equal(await sealer.open("login_state", token), null);
  });

  it("rotates keys: the first secret seals, all secrets open", async () => {
    const old = await new Sealer(OTHER).seal("session", { n: 1 });
    const rotated = new Sealer([SECRET, OTHER]);
    assert.equal((await rotated.open("session", old))?.n, 1);
    const fresh = await rotated.seal("session", { n: 2 });
    assert.equal((await new Sealer(SECRET).open("session", fresh))?.n, 2);
    assert.equal(await new Sealer(OTHER).open("session", fresh), null);
  });

  it("throws a TypeError naming secretKey when the secret is short or missing", () => {
    assert.throws(
      () => new Sealer("short"),
      /"secretKey" must be at least 16 .*generate one with: deno run -A jsr:@easy-oauth\/hono\/cli secret/,
    );
    assert.throws(() => new Sealer([]), /"secretKey"/);
  });
});
