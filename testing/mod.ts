/**
 * Test helpers: `OAuthMock` serves the mock OpenID provider in the same
 * process, and `AppTester` serves your app and gives clients that log in
 * real users through it — no browser, no secrets.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { type OAuthEnv, OAuthManager } from "@easy-oauth/hono";
 * import { AppTester, OAuthMock } from "@easy-oauth/hono/testing";
 *
 * // The app is made by a function: the server and each test make their own.
 * function createApp(options: { serverMetadataUrl: string; secretKey: string }) {
 *   const oauth = new OAuthManager({
 *     ...options,
 *     clientId: "test",
 *     capabilities: { graph: { payroll: [] } },
 *   });
 *   const app = oauth.install(new Hono<OAuthEnv>());
 *   app.get("/payroll/view", oauth.requireCapability("payroll"), (c) => c.text("$$$"));
 *   return app;
 * }
 *
 * await using mock = await OAuthMock.start({ port: 0 });
 * const app = createApp({
 *   serverMetadataUrl: mock.metadataUrl,
 *   secretKey: "nyhCSijUg7k_8fxdREV_ZOEHuZGRzc0Nrv1zpc78CZU",
 * });
 * await using tester = await AppTester.start(app, mock);
 * await (await tester.client()).get("/payroll/view", {}, { expect: 401 });
 * await (await tester.client("simple.user@website.web")).get("/payroll/view", {}, { expect: 403 });
 * ```
 *
 * @module
 */
export { OAuthMock, type OAuthMockOptions } from "./oauth_mock.ts";
export { AppTester, type AppTesterOptions, type Fetchable } from "./app_tester.ts";
export type { Handler } from "./_serve.ts";
export type { MockEndpoint, MockFault, MockQuirks, MockUser } from "../mock/mod.ts";
export {
  type Query,
  type RequestOptions,
  TestBrowser,
  TestClient,
  type TestResponse,
} from "./http_client.ts";
