// One app against one oidc-provider, for the interop suite.
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, type OAuthManagerOptions } from "../mod.ts";
import { serve } from "../testing/_serve.ts";
import { type ProviderSetup, type RunningProvider, startProvider } from "./_provider.ts";
import { ProviderBrowser } from "./_browser.ts";

export const SECRET = "_QJmFoID44fdSjVh3usvpTUMCZpbupFXLbsPbOv5w9k";

/** The app, its provider and what the manager logged. */
export interface Interop extends AsyncDisposable {
  app: string;
  provider: RunningProvider;
  oauth: OAuthManager;
  logs: string[];
  /** Moves the app's clock forward, so that its cached provider answers expire. */
  advance(seconds: number): void;
  /** The app's clock. */
  clock: () => number;
  /** The options the app's manager was made with (to make a replica of it). */
  options: OAuthManagerOptions;
  browser(email: string, deny?: boolean): ProviderBrowser;
  /** GET on the app with a bearer token. */
  bearer(token: string, path?: string): Promise<Response>;
}

/** Serves an app on a free port, starts oidc-provider for it, and wires them. */
export async function startInterop(
  options: Partial<OAuthManagerOptions> & { provider?: Omit<ProviderSetup, "appOrigin"> } = {},
): Promise<Interop> {
  let handler: (request: Request) => Response | Promise<Response> = () => new Response(null);
  const served = await serve((request) => handler(request));
  const { provider: setup, ...overrides } = options;
  const provider = await startProvider({ appOrigin: served.url, ...setup });
  const logs: string[] = [];
  let skew = 0;
  const clock = () => Date.now() + skew;
  const managerOptions: OAuthManagerOptions = {
    serverMetadataUrl: provider.metadataUrl,
    secretKey: SECRET,
    clientId: setup?.clientId ?? "interop-app",
    clientSecret: setup?.clientSecret ?? "interop-secret-0123456789",
    clientKwargs: { scope: "openid email profile" },
    capabilities: { graph: { read: [] } },
    clock,
    log: (line) => logs.push(line),
    ...overrides,
  };
  const oauth = new OAuthManager(managerOptions);
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/", (c) => c.text("home"));
  app.get(
    "/me",
    oauth.requireUser(),
    (c) => c.json({ email: c.var.email, name: c.var.user?.name }),
  );
  handler = app.fetch;
  const interop: Interop = {
    app: served.url,
    provider,
    oauth,
    logs,
    advance: (seconds) => (skew += seconds * 1000),
    clock,
    options: managerOptions,
    browser: (email, deny) => new ProviderBrowser(provider.issuer, { email, deny }),
    bearer: (token, path = "/me") =>
      fetch(`${served.url}${path}`, { headers: { Authorization: `Bearer ${token}` } }),
    async [Symbol.asyncDispose]() {
      await provider.close();
      await served.close();
    },
  };
  return interop;
}
