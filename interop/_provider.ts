// panva's oidc-provider (OpenID Certified), run in-process on a free loopback
// port for the interop suite, with its development interactions (a login form
// that takes any login, and a consent page) driven by `ProviderBrowser`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Provider from "oidc-provider";
import { exportJWK, generateKeyPair, type JWK } from "jose";

/** How the provider is set up for one test. */
export interface ProviderSetup {
  /** The app's origin: its `/auth` and `/token` are the registered redirect URIs, `/` the post-logout one. */
  appOrigin: string;
  clientId?: string;
  clientSecret?: string;
  /** Rotate the refresh token at every refresh (oidc-provider's default rotates at 70% of its life). */
  rotateAlways?: boolean;
  /** Access-token lifetime in seconds: how long the app may rely on a refresh. */
  accessTokenTtl?: number;
  /** The client's `id_token_signed_response_alg` (ES512, HS256 with the client secret, …). */
  idTokenAlg?: string;
  /** The client's `userinfo_signed_response_alg`: userinfo answered as a signed JWT. */
  userinfoAlg?: string;
}

/** The algorithms the provider may sign ID tokens and userinfo with. */
const SIGNING_ALGS = ["RS256", "PS256", "ES256", "ES512", "EdDSA", "HS256", "HS384", "HS512"];

/** A running provider. */
export interface RunningProvider extends AsyncDisposable {
  issuer: string;
  metadataUrl: string;
  /** Provider events seen so far, by name (`refresh_token.consumed`, `grant.revoked`, …). */
  events: Map<string, number>;
  /** Answers every request with a 503 while true. */
  down: boolean;
  /** Signs from now on with a new key (the old one stays listed, as providers do). */
  rotateKeys(): Promise<void>;
  close(): Promise<void>;
}

const EVENTS = [
  "refresh_token.consumed",
  "grant.revoked",
  "grant.success",
  "end_session.success",
  "server_error",
];

async function signingKey(kid: string, alg = "RS256"): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: "sig" };
}

function configuration(setup: ProviderSetup, keys: JWK[]) {
  const app = setup.appOrigin;
  return {
    clients: [{
      client_id: setup.clientId ?? "interop-app",
      client_secret: setup.clientSecret ?? "interop-secret-0123456789",
      redirect_uris: [`${app}/auth`, `${app}/token`],
      post_logout_redirect_uris: [`${app}/`],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      ...(setup.idTokenAlg ? { id_token_signed_response_alg: setup.idTokenAlg } : {}),
      ...(setup.userinfoAlg ? { userinfo_signed_response_alg: setup.userinfoAlg } : {}),
    }],
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS,
      userinfoSigningAlgValues: SIGNING_ALGS,
    },
    jwks: { keys },
    // Any login is an account whose email is the login (the dev form takes any).
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: `sub-${id}`, email: id, email_verified: true, name: `Name of ${id}` }),
    }),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "offline_access", "email", "profile"],
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      jwtUserinfo: { enabled: setup.userinfoAlg !== undefined },
    },
    // Set explicitly (the defaults print notices); ID tokens outlive the app's clock jumps.
    ttl: {
      AccessToken: setup.accessTokenTtl ?? 3600,
      IdToken: 86_400,
      Interaction: 600,
      Session: 86_400,
      Grant: 86_400 * 14,
      RefreshToken: 86_400 * 14,
    },
    ...(setup.rotateAlways ? { rotateRefreshToken: true } : {}),
  };
}

/** Starts oidc-provider on `127.0.0.1:0`. */
export async function startProvider(setup: ProviderSetup): Promise<RunningProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const events = new Map<string, number>();
  let keys = [await signingKey("key-1")];
  // An ES512 key (P-521) besides the RSA one, for a client that chose ES512.
  if ([setup.idTokenAlg, setup.userinfoAlg].includes("ES512")) {
    keys.push(await signingKey("key-es512", "ES512"));
  }
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  const build = () => {
    // The default in-memory adapter is shared by instances: grants survive a rebuild.
    const provider = new Provider(issuer, configuration(setup, keys));
    for (const name of EVENTS) {
      provider.on(name, () => events.set(name, (events.get(name) ?? 0) + 1));
    }
    handler = provider.callback();
  };
  build();
  const running: RunningProvider = {
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    events,
    down: false,
    async rotateKeys() {
      keys = [await signingKey(`key-${keys.length + 1}`), ...keys];
      build();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    [Symbol.asyncDispose]: () => running.close(),
  };
  server.on("request", (req, res) => {
    if (!running.down) return handler(req, res);
    res.writeHead(503, { "content-type": "text/html" }).end("<h1>Service Unavailable</h1>");
  });
  return running;
}
