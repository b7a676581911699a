import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve } from "./_serve.ts";

describe("serve()", () => {
  it("listens on a free port for port 0, reports it, and answers through the handler", async () => {
    const served = await serve((request) => new Response(new URL(request.url).pathname), {
      port: 0,
    });
    try {
      assert.ok(served.port > 0);
      assert.equal(served.url, `http://127.0.0.1:${served.port}`);
      const response = await fetch(`${served.url}/hello`);
      assert.equal(await response.text(), "/hello");
    } finally {
      await served.close();
    }
  });

  it("stops listening on close(), and a second close() is harmless", async () => {
    const served = await serve(() => new Response("ok"), { port: 0 });
    await (await fetch(served.url)).body?.cancel();
    await served.close();
    await served.close();
    await assert.rejects(fetch(served.url));
  });

  it("rejects with a TypeError naming a bad port or hostname", async () => {
    const handler = () => new Response();
    await assert.rejects(serve(handler, { port: 70000 }), { name: "TypeError", message: /"port"/ });
    await assert.rejects(serve(handler, { port: 1.5 }), { name: "TypeError", message: /"port"/ });
    await assert.rejects(serve(handler, { hostname: "" }), {
      name: "TypeError",
      message: /"hostname"/,
    });
  });

  it("rejects when the port is taken", async () => {
    const served = await serve(() => new Response(), { port: 0 });
    try {
      await assert.rejects(serve(() => new Response(), { port: served.port }));
    } finally {
      await served.close();
    }
  });
});
