import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";
import { OAuthManager } from "../manager.ts";

// The mock's discovery document lists no end_session_endpoint, as Auth0
// tenants made before 14 November 2023 (their logout is /v2/logout).
const AUTH0_LOGOUT = "https://tenant.example.auth0.com/v2/logout";

async function logout(ex: Awaited<ReturnType<typeof startExample>>): Promise<Response> {
  const browser = ex.tester.browser();
  await browser.get("/login");
  const cookie = [...browser.cookies(ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${ex.tester.url}/logout`, {
    redirect: "manual",
    headers: { cookie, "sec-fetch-site": "same-origin" },
  });
  await res.body?.cancel();
  return res;
}

describe("providerLogout at a provider without end_session_endpoint", () => {
  it("sends the browser to providerLogoutUrl with client_id and Auth0's returnTo", async () => {
    await using ex = await startExample({ providerLogout: true, providerLogoutUrl: AUTH0_LOGOUT });
    const res = await logout(ex);
    assert.equal(res.status, 303);
    const target = new URL(res.headers.get("location")!);
    assert.equal(`${target.origin}${target.pathname}`, AUTH0_LOGOUT);
    assert.equal(target.searchParams.get("client_id"), "example-client");
    assert.equal(target.searchParams.get("returnTo"), `${ex.tester.url}/`);
    assert.equal(target.searchParams.get("post_logout_redirect_uri"), `${ex.tester.url}/`);
    assert.ok(!ex.logs.some((l) => /lists no end_session_endpoint/.test(l)), ex.logs.join("\n"));
  });

  it("logs once, at the first discovery, that /logout stays local when no logout endpoint is known", async () => {
    await using ex = await startExample({ providerLogout: true });
    assert.equal((await logout(ex)).headers.get("location"), "/");
    assert.equal((await logout(ex)).headers.get("location"), "/");
    const told = ex.logs.filter((l) => /lists no end_session_endpoint.*providerLogoutUrl/.test(l));
    assert.equal(told.length, 1, ex.logs.join("\n"));
  });

  it("logs nothing about logout when providerLogout is off", async () => {
    await using ex = await startExample();
    await logout(ex);
    assert.ok(!ex.logs.some((l) => /end_session_endpoint/.test(l)), ex.logs.join("\n"));
  });

  for (
    const [value, problem] of [
      ["http://tenant.example.auth0.com/v2/logout", /must use https/],
      ["/v2/logout", /must be an absolute URL/],
      ["https://tenant.example.auth0.com/v2/logout#x", /no fragment/],
    ] as const
  ) {
    it(`refuses providerLogoutUrl ${JSON.stringify(value)} with a TypeError naming it`, () => {
      assert.throws(
        () =>
          new OAuthManager({
            serverMetadataUrl: "https://idp.example.com/.well-known/openid-configuration",
            clientId: "app",
            secretKey: "uCfYDYtcpTnqn1UaDvf5YOFAsUuWVeyeIG6U7XJYQC4",
            capabilities: { graph: {} },
            providerLogoutUrl: value,
          }),
        (error: unknown) =>
          error instanceof TypeError && /^"providerLogoutUrl" /.test(error.message) &&
          problem.test(error.message),
      );
    });
  }
});

describe("the offline login's prompt", () => {
  it("replaces a prompt configured in clientKwargs with prompt=consent, for the offline login only", async () => {
    await using ex = await startExample({
      clientKwargs: { scope: "openid email", prompt: "select_account" },
    });
    const promptAt = async (path: string) => {
      const res = await fetch(`${ex.tester.url}${path}`, { redirect: "manual" });
      await res.body?.cancel();
      return new URL(res.headers.get("location")!).searchParams.get("prompt");
    };
    assert.equal(await promptAt("/login"), "select_account");
    assert.equal(await promptAt("/login?offline_token=true"), "consent");
    assert.equal(await promptAt("/login?redirect=token"), "consent");
  });
});
