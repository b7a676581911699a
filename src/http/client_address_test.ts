import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { peerAddress } from "./client_address.ts";

async function addressWith(env: unknown): Promise<string> {
  const app = new Hono();
  app.get("/", (c) => c.text(peerAddress(c) ?? "unknown"));
  return await (await app.fetch(new Request("http://localhost/"), env)).text();
}

describe("peerAddress()", () => {
  it("reads what Deno.serve, Bun.serve and @hono/node-server hand Hono, and says unknown otherwise", async () => {
    assert.equal(
      await addressWith({ remoteAddr: { hostname: "192.0.2.1", port: 1 } }),
      "192.0.2.1",
    );
    const bun = { requestIP: (_: Request) => ({ address: "2001:db8::1", port: 1 }) };
    assert.equal(await addressWith(bun), "2001:db8::1");
    assert.equal(await addressWith({ incoming: { socket: { remoteAddress: "::1" } } }), "::1");
    assert.equal(await addressWith(undefined), "unknown");
    assert.equal(await addressWith({ requestIP: () => null }), "unknown");
    const broken = {
      get remoteAddr() {
        throw new Error("no");
      },
    };
    assert.equal(await addressWith(broken), "unknown");
  });
});
