import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { createMockProvider, type MockProvider } from "./mod.ts";
import { authorizeRequest, post, REDIRECT } from "./_test_util.ts";

/** The hidden fields of the page's first form, plus `choice`. */
async function submit(provider: MockProvider, page: Response, choice: Record<string, string>) {
  const html = await page.text();
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html)!;
  const fields = new URLSearchParams();
  for (
    const [, name, value] of form[2].matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    )
  ) {
    if (name !== "mock_action") {
      fields.append(
        name,
        value.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(c)),
      );
    }
  }
  for (const [name, value] of Object.entries(choice)) fields.set(name, value);
  return await provider.fetch(
    new Request(form[1], {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: fields,
    }),
  );
}

async function idTokenOf(provider: MockProvider, location: string) {
  const code = new URL(location).searchParams.get("code")!;
  const res = await post(provider, "/oauth2/token", {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
  });
  return decodeJwt(res.body.id_token);
}

describe("the mock's login page", () => {
  it("is off by default: the mock logs in without asking", async () => {
    const res = await createMockProvider().fetch(authorizeRequest());
    assert.equal(res.status, 302);
  });

  it("asks who logs in, with the current email filled in and the request kept, all escaped", async () => {
    const provider = createMockProvider({ loginPage: true, email: "ada@example.com" });
    const res = await provider.fetch(authorizeRequest({ state: '"><b>x' }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    const page = await res.text();
    assert.match(page, /<form method="post" action="http:\/\/idp.test\/oauth2\/auth">/);
    assert.match(page, /name="mock_email" type="email" value="ada@example.com"/);
    assert.match(page, /name="state" value="&#34;&#62;&#60;b&#62;x"/);
    assert.ok(!page.includes("<b>x"));
    assert.match(page, /id="deny"/);
  });

  it("logs in whoever the person types, with the display name they give", async () => {
    const provider = createMockProvider({ loginPage: true });
    const page = await provider.fetch(authorizeRequest());
    const res = await submit(provider, page, {
      mock_action: "login",
      mock_email: "grace@example.com",
      mock_name: "Grace Hopper",
    });
    assert.equal(res.status, 302);
    const location = res.headers.get("location")!;
    assert.equal(new URL(location).searchParams.get("state"), "st");
    const claims = await idTokenOf(provider, location);
    assert.equal(claims.email, "grace@example.com");
    assert.equal(claims.name, "Grace Hopper");
  });

  it("answers access_denied to the app when the person denies", async () => {
    const provider = createMockProvider({ loginPage: true });
    const page = await provider.fetch(authorizeRequest());
    const res = await submit(provider, page, { mock_action: "deny" });
    const back = new URL(res.headers.get("location")!);
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), "st");
    assert.equal(back.searchParams.get("code"), null);
  });

  it("offers the recently used emails as one-click buttons, and login_hint or set_email as the default", async () => {
    const provider = createMockProvider({ loginPage: true });
    for (const email of ["a@example.com", "b@example.com"]) {
      const page = await provider.fetch(authorizeRequest());
      await (await submit(provider, page, { mock_action: "login", mock_email: email })).body
        ?.cancel();
    }
    const page = await provider.fetch(authorizeRequest({ login_hint: "hint@example.com" }));
    const text = await page.clone().text();
    assert.match(
      text,
      /name="mock_pick" value="b@example.com"[^>]*>b@example.com<\/button>\s*<button[^>]*value="a@example.com"/,
    );
    assert.match(text, /name="mock_email" type="email" value="hint@example.com"/);
    const picked = await submit(provider, page, {
      mock_action: "login",
      mock_pick: "a@example.com",
    });
    assert.equal(
      (await idTokenOf(provider, picked.headers.get("location")!)).email,
      "a@example.com",
    );
    provider.setEmail("set@example.com");
    const later = await (await provider.fetch(authorizeRequest())).text();
    assert.match(later, /name="mock_email" type="email" value="set@example.com"/);
  });

  it("sends an invalid email back as invalid_request, and prompt=none as login_required", async () => {
    const provider = createMockProvider({ loginPage: true });
    const page = await provider.fetch(authorizeRequest());
    const bad = await submit(provider, page, { mock_action: "login", mock_email: "nobody" });
    assert.equal(
      new URL(bad.headers.get("location")!).searchParams.get("error"),
      "invalid_request",
    );
    const none = await provider.fetch(authorizeRequest({ prompt: "none" }));
    assert.equal(
      new URL(none.headers.get("location")!).searchParams.get("error"),
      "login_required",
    );
  });

  it("refuses a loginPage option that is not a boolean", () => {
    // @ts-expect-error: not a boolean
    assert.throws(() => createMockProvider({ loginPage: "yes" }), /"loginPage"/);
  });
});
