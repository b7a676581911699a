// An app in process whose provider is an emulation reached through the
// manager's `fetch` option, and a person's login through it.
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, type OAuthManagerOptions } from "../../mod.ts";
import { OidcClient, type TokenResult } from "../../src/oidc/client.ts";
import * as oauth from "oauth4webapi";
import type { LoginPolicy } from "../../src/oidc/_allowed.ts";
import type { Emulation, Person } from "./_emulator.ts";

const APP = "http://app.test";

/** The app and what its manager logged. */
export interface Harness {
  logs: string[];
  /** Logs `person` in: the app's answer to the provider's redirect back. */
  login(person: Person): Promise<Response>;
  /** GET /me with the session cookies of a login's answer. */
  me(login: Response): Promise<Response>;
}

/** An app with `options`, its provider the emulation. */
export function harness(
  emulation: Emulation & { metadataUrl: string },
  client: { id: string; secret: string },
  options: Partial<OAuthManagerOptions> = {},
): Harness {
  const logs: string[] = [];
  const oauth = new OAuthManager({
    serverMetadataUrl: emulation.metadataUrl,
    clientId: client.id,
    clientSecret: client.secret,
    secretKey: "vaRdQLF9Cfb_Lrp5FmulWqdvhEHYDhHcjhw7biPHO0Q",
    clientKwargs: { scope: "openid email profile" },
    capabilities: { graph: { read: [] } },
    fetch: emulation.fetch,
    log: (line) => logs.push(line),
    ...options,
  });
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/me", oauth.requireUser(), (c) => c.json({ email: c.var.email, sub: c.var.user?.sub }));
  const cookiesOf = (response: Response) =>
    response.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  return {
    logs,
    async login(person) {
      const start = await app.request(`${APP}/login?next=/me`);
      const location = start.headers.get("location");
      if (!location) throw new Error(`/login answered ${start.status}: ${await start.text()}`);
      const back = emulation.authorize(location, person);
      return await app.request(back.href, { headers: { cookie: cookiesOf(start) } });
    },
    me: async (login) => await app.request(`${APP}/me`, { headers: { cookie: cookiesOf(login) } }),
  };
}

/** The relying party alone (for refreshes), with `policy`. */
export function clientOf(
  emulation: Emulation & { metadataUrl: string },
  client: { id: string; secret: string },
  policy: LoginPolicy = {},
  logs: string[] = [],
): OidcClient {
  return new OidcClient({
    serverMetadataUrl: emulation.metadataUrl,
    clientId: client.id,
    clientSecret: client.secret,
    fetch: emulation.fetch,
    clock: Date.now,
    policy,
    log: (line) => logs.push(line),
  });
}

/** Logs `person` in through the relying party alone, as the app would. */
export async function loginThrough(
  client: OidcClient,
  emulation: Emulation,
  person: Person,
): Promise<TokenResult> {
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const redirectUri = `${APP}/auth`;
  const url = await client.authorizationUrl({
    redirectUri,
    state,
    nonce,
    codeVerifier,
    extra: { scope: "openid email profile" },
    offline: true,
  });
  const back = emulation.authorize(url, person);
  return await client.exchangeCode(back, { state, nonce, codeVerifier, redirectUri });
}
