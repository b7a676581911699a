// The protocol core of the provider emulations (Entra ID, Google, …): an
// authorization-code flow with PKCE, refresh tokens, a key set and userinfo,
// served in process as a `fetch` for the manager's `fetch` option. Each
// provider's file supplies what its documentation states: the discovery
// document, the claims of its tokens, the keys' metadata.
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

/** Someone who logs in at the emulated provider. */
export interface Person {
  sub: string;
  email?: string;
  /** Other claims of the ID token (`tid`, `hd`, `email_verified`, `xms_edov`, …). */
  claims?: Record<string, unknown>;
}

/** What a provider's emulation is made of. */
export interface EmulationSetup {
  /** Where the app finds the discovery document. */
  metadataUrl: string;
  /** The discovery document, as the provider's documentation shows it. */
  discovery: Record<string, unknown>;
  clientId: string;
  clientSecret: string;
  /** The `iss` of a person's tokens. */
  issuerOf(person: Person): string;
  /** Extra members of each listed key (Entra ID tags its keys with an `issuer`). */
  keyMetadata?: Record<string, unknown>;
  /** Whether a refresh answer carries a new ID token (Entra ID and Google: yes). */
  idTokenOnRefresh?: boolean;
}

/** Knobs a test turns. */
export interface Emulation {
  readonly fetch: typeof fetch;
  /** The browser's visit to the authorization endpoint: the redirect back to the app. */
  authorize(url: string | URL, person: Person): URL;
  /** The algorithm of the next ID tokens (a listed one, or not). */
  alg: string;
  /** Edits the claims of the next ID tokens. */
  edit: (claims: JWTPayload) => JWTPayload;
  /** Answers userinfo as a JWT signed in this algorithm (`undefined`: JSON). */
  userinfoAlg?: string;
  /** Signs userinfo JWTs with this key instead of the provider's (a forgery). */
  userinfoKey?: CryptoKey;
  /** Edits the claims of the next signed userinfo answers. */
  editUserinfo: (claims: JWTPayload) => JWTPayload;
  /** Keys HS* signatures with this instead of the client secret (a forgery). */
  macSecret?: string;
  /** Puts the email in userinfo only (OIDC Core §5.4). */
  emailInUserinfoOnly: boolean;
  /** Signs a JWT as the provider does. */
  sign(claims: JWTPayload, alg?: string): Promise<string>;
  /** The grants' people, by refresh token (a test may change a person between refreshes). */
  readonly people: Map<string, Person>;
}

const ASYMMETRIC = ["RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"];

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)).buffer);
}

/** Starts an emulation (keys made for every asymmetric algorithm it may sign with). */
export async function emulate(setup: EmulationSetup): Promise<Emulation> {
  const keys = new Map<string, { privateKey: CryptoKey; jwk: JWK }>();
  for (const alg of ASYMMETRIC) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: `key-${alg}`, use: "sig", alg };
    keys.set(alg, { privateKey, jwk: { ...jwk, ...setup.keyMetadata } });
  }
  const codes = new Map<string, { person: Person; nonce?: string; challenge: string }>();
  const accessTokens = new Map<string, Person>();
  const people = new Map<string, Person>();
  const endpoints = setup.discovery as Record<string, string>;

  async function sign(claims: JWTPayload, alg = emulation.alg, key?: CryptoKey): Promise<string> {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT", kid: `key-${alg}` });
    if (alg.startsWith("HS")) {
      return await jwt.sign(new TextEncoder().encode(emulation.macSecret ?? setup.clientSecret));
    }
    return await jwt.sign(key ?? keys.get(alg)!.privateKey);
  }

  function idTokenClaims(person: Person, nonce?: string): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    const email = emulation.emailInUserinfoOnly || person.email === undefined
      ? {}
      : { email: person.email };
    return emulation.edit({
      iss: setup.issuerOf(person),
      sub: person.sub,
      aud: setup.clientId,
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...(nonce ? { nonce } : {}),
      ...email,
      ...person.claims,
    });
  }

  async function tokenAnswer(person: Person, nonce?: string, withIdToken = true) {
    const accessToken = random();
    accessTokens.set(accessToken, person);
    const refreshToken = random();
    people.set(refreshToken, person);
    return Response.json({
      token_type: "Bearer",
      access_token: accessToken,
      expires_in: 3599,
      scope: "openid email profile",
      ...(withIdToken ? { id_token: await sign(idTokenClaims(person, nonce)) } : {}),
      refresh_token: refreshToken,
    }, { headers: { "cache-control": "no-store" } });
  }

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const basic = request.headers.get("authorization");
    const credentials = basic?.startsWith("Basic ")
      ? atob(basic.slice(6)).split(":").map(decodeURIComponent)
      : [form.get("client_id"), form.get("client_secret")];
    if (credentials[0] !== setup.clientId || credentials[1] !== setup.clientSecret) {
      return Response.json({ error: "invalid_client" }, { status: 401 });
    }
    if (form.get("grant_type") === "authorization_code") {
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = new TextEncoder().encode(form.get("code_verifier") ?? "");
      const challenge = base64url(await crypto.subtle.digest("SHA-256", verifier));
      if (!grant || challenge !== grant.challenge) {
        return Response.json({ error: "invalid_grant" }, { status: 400 });
      }
      return await tokenAnswer(grant.person, grant.nonce);
    }
    if (form.get("grant_type") === "refresh_token") {
      const person = people.get(form.get("refresh_token") ?? "");
      if (!person) return Response.json({ error: "invalid_grant" }, { status: 400 });
      return await tokenAnswer(person, undefined, setup.idTokenOnRefresh ?? true);
    }
    return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
  }

  async function userinfo(request: Request): Promise<Response> {
    const person = accessTokens.get(request.headers.get("authorization")?.slice(7) ?? "");
    if (!person) {
      return new Response(null, { status: 401, headers: { "www-authenticate": "Bearer" } });
    }
    const claims = { sub: person.sub, email: person.email, ...person.claims };
    if (!emulation.userinfoAlg) return Response.json(claims);
    const signed = emulation.editUserinfo({
      ...claims,
      iss: setup.issuerOf(person),
      aud: setup.clientId,
    });
    return new Response(await sign(signed, emulation.userinfoAlg, emulation.userinfoKey), {
      headers: { "content-type": "application/jwt" },
    });
  }

  const emulation: Emulation = {
    alg: "RS256",
    edit: (claims) => claims,
    editUserinfo: (claims) => claims,
    emailInUserinfoOnly: false,
    people,
    sign: (claims, alg) => sign(claims, alg),
    authorize(url, person) {
      const params = new URL(url).searchParams;
      const code = random();
      codes.set(code, {
        person,
        nonce: params.get("nonce") ?? undefined,
        challenge: params.get("code_challenge") ?? "",
      });
      const back = new URL(params.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", params.get("state")!);
      return back;
    },
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const url = request.url.split("?")[0];
      if (url === setup.metadataUrl) return Response.json(setup.discovery);
      if (url === endpoints.jwks_uri) {
        return Response.json({ keys: [...keys.values()].map((k) => k.jwk) });
      }
      if (url === endpoints.token_endpoint && request.method === "POST") {
        return await token(request);
      }
      if (url === endpoints.userinfo_endpoint) return await userinfo(request);
      return new Response("not found", { status: 404 });
    },
  };
  return emulation;
}
