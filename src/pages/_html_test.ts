import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { constant, escapeHtml, html, pageResponse, toString, wantsHtml } from "./_html.ts";

async function accepts(accept: string | undefined): Promise<boolean> {
  const app = new Hono();
  app.get("/", (c) => c.text(String(wantsHtml(c))));
  const headers: Record<string, string> = accept === undefined ? {} : { accept };
  const res = await app.request("/", { headers });
  return (await res.text()) === "true";
}

describe("html", () => {
  it("escapes every interpolated value, in content and in attributes", () => {
    const evil = `"><script>alert('x')</script>&`;
    const out = toString(html`<a href="${evil}">${evil}</a>`);
    assert.ok(!out.includes("<script>"));
    assert.equal(
      escapeHtml(evil),
      "&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;",
    );
    assert.equal(out, `<a href="${escapeHtml(evil)}">${escapeHtml(evil)}</a>`);
  });

  it("inserts markup made by html or constant as is, joins lists and drops false and null", () => {
    const item = (text: string) => html`<li>${text}</li>`;
    const out = toString(html`<ul>${["a<", "b"].map(item)}${false}${null}${constant("<hr>")}</ul>`);
    assert.equal(out, "<ul><li>a&#60;</li><li>b</li><hr></ul>");
  });

  it("does not take a plain object with a toString for markup", () => {
    const sneaky = { toString: () => "<b>" };
    assert.equal(toString(html`${sneaky}`), "&#60;b&#62;");
  });

  it("serves pages uncached, unframed, without referrer, scripts only with the nonce", async () => {
    const res = pageResponse(403, "No <entry>", html`<p>x</p>`, { nonce: "abc" });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("referrer-policy"), "same-origin");
    const csp = res.headers.get("content-security-policy")!;
    assert.match(csp, /script-src 'nonce-abc'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(await res.text(), /<title>No &#60;entry&#62;<\/title>/);
    const plain = pageResponse(200, "t", html``);
    assert.match(plain.headers.get("content-security-policy")!, /script-src 'none'/);
  });

  it("wantsHtml() is true for a browser's navigation and false for scripts", async () => {
    const chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    assert.equal(await accepts(chromium), true);
    assert.equal(await accepts("text/html"), true);
    assert.equal(await accepts(undefined), false);
    assert.equal(await accepts("*/*"), false);
    assert.equal(await accepts("application/json"), false);
    assert.equal(await accepts("application/json, text/html;q=0.5"), false);
    assert.equal(await accepts("text/html;q=0"), false);
  });
});
