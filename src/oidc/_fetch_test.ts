// The bounds of every call to the provider, against a real loopback server:
// a provider that hangs, redirects or answers without end is an outage for
// this call, never a hung request or a body read into memory whole.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { serve, type Served } from "../../testing/_serve.ts";
import { boundedFetch, MAX_RESPONSE_BYTES, ProviderUnavailable } from "./_fetch.ts";

describe("boundedFetch()", () => {
  let server: Served;
  let followed = 0;
  const hanging: Array<() => void> = [];

  before(async () => {
    server = await serve((request) => {
      const path = new URL(request.url).pathname;
      if (path === "/hang") {
        return new Promise<Response>((resolve) =>
          hanging.push(() => resolve(new Response("late")))
        );
      }
      if (path === "/redirect") return Response.redirect(`${server.url}/elsewhere`, 302);
      if (path === "/elsewhere") {
        followed++;
        return new Response("followed");
      }
      if (path === "/large") return new Response(new Uint8Array(MAX_RESPONSE_BYTES + 1));
      if (path === "/endless") {
        const chunk = new Uint8Array(64 * 1024);
        let sent = 0;
        // A chunked body with no Content-Length that would never end.
        return new Response(
          new ReadableStream({
            pull(controller) {
              sent += chunk.length;
              if (sent > 64 * MAX_RESPONSE_BYTES) controller.close();
              else controller.enqueue(chunk);
            },
          }),
        );
      }
      return new Response("ok");
    });
  });
  after(async () => {
    for (const release of hanging) release();
    await server.close();
  });

  it("gives up on a provider that does not answer in time", async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise((resolve) =>
      timer = setTimeout(() => resolve("still waiting"), 3_000)
    );
    const outcome = await Promise.race([
      boundedFetch(fetch, 100)(`${server.url}/hang`).then(() => "answered", (e) => e),
      hung,
    ]);
    clearTimeout(timer);
    assert.ok(outcome instanceof ProviderUnavailable, `the call ended with ${outcome}`);
  });

  it("hands a redirect back instead of following it", async () => {
    const response = await boundedFetch(fetch)(`${server.url}/redirect`);
    assert.equal(response.status, 302);
    assert.equal(followed, 0);
  });

  it("refuses an answer larger than the limit, announced or chunked", async () => {
    await assert.rejects(boundedFetch(fetch)(`${server.url}/large`), /too large/);
    await assert.rejects(boundedFetch(fetch)(`${server.url}/endless`), /too large/);
  });

  it("reads an ordinary answer whole", async () => {
    const response = await boundedFetch(fetch)(`${server.url}/`);
    assert.equal(await response.text(), "ok");
  });
});
