// payroll_test.ts — run with `deno test -A` (or `bun test`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager } from "@easy-oauth/hono";
import { AppTester, OAuthMock } from "@easy-oauth/hono/testing";

test("only accountants and admins see the payroll", async () => {
  await using mock = await OAuthMock.start({ port: 0 }); // port 0: any free port
  const oauth = new OAuthManager({
    serverMetadataUrl: mock.metadataUrl,
    secretKey: "AS32Vv7DevTRfyndrP0dtAOEk8wSk2kvuEciIP9Fon8",
    clientId: "test",
    capabilities: {
      graph: { payroll: [], user_management: [] },
      userOverrides: { "mr.bean@website.web": ["payroll"], "admin@website.web": ["admin"] },
    },
  });
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/payroll/view", oauth.requireCapability("payroll"), (c) => c.text("$$$"));

  await using tester = await AppTester.start(app, mock, { prefix: "" });
  const guest = await tester.client();
  const user = await tester.client("simple.user@website.web"); // logs in through GET /token
  const accountant = await tester.client("mr.bean@website.web");
  const admin = await tester.client("admin@website.web");

  await guest.get("/payroll/view", {}, { expect: 401 });
  await user.get("/payroll/view", {}, { expect: 403 });
  await accountant.get("/payroll/view"); // expect defaults to 200
  const res = await admin.get("/payroll/view");
  assert.equal(res.text, "$$$");

  const bot = await tester.serviceClient("bot@service", { as: "admin@website.web" });
  await bot.get("/payroll/view", {}, { expect: 403 });

  const browser = tester.browser(); // a cookie jar that follows redirects
  await mock.setEmail("mr.bean@website.web");
  const page = await browser.get("/login", { next: "/payroll/view" }); // comes back after login
  assert.equal(page.text, "$$$");
});
