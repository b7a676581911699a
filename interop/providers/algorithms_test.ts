// ID tokens and signed userinfo in the algorithms providers offer, against
// emulations of a Keycloak realm (its discovery lists RS*, PS*, ES256/384/512,
// HS256/384/512 and EdDSA; a client may choose ES512, or HS256 keyed with the
// client secret) and of an Auth0 tenant (HS256 or RS256, per application).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair } from "jose";
import { emulate, type Emulation, type Person } from "./_emulator.ts";
import { harness } from "./_harness.ts";

const KEYCLOAK = "https://sso.example.com/realms/acme";
const KEYCLOAK_ALGORITHMS = [
  "PS384",
  "ES384",
  "RS384",
  "HS256",
  "HS512",
  "ES256",
  "RS256",
  "HS384",
  "ES512",
  "PS256",
  "PS512",
  "RS512",
  "EdDSA",
];
const CLIENT = { id: "acme-app", secret: "keycloak-client-secret-0123456789abcdef" };
const ANN: Person = {
  sub: "f3b9c1d2-ann",
  email: "ann@example.com",
  claims: { email_verified: true },
};

/** A Keycloak realm (discovery abridged to what the relying party reads). */
async function keycloak(
  discovery: Record<string, unknown> = {},
): Promise<Emulation & { metadataUrl: string }> {
  const metadataUrl = `${KEYCLOAK}/.well-known/openid-configuration`;
  const emulation = await emulate({
    metadataUrl,
    discovery: {
      issuer: KEYCLOAK,
      authorization_endpoint: `${KEYCLOAK}/protocol/openid-connect/auth`,
      token_endpoint: `${KEYCLOAK}/protocol/openid-connect/token`,
      userinfo_endpoint: `${KEYCLOAK}/protocol/openid-connect/userinfo`,
      end_session_endpoint: `${KEYCLOAK}/protocol/openid-connect/logout`,
      jwks_uri: `${KEYCLOAK}/protocol/openid-connect/certs`,
      id_token_signing_alg_values_supported: KEYCLOAK_ALGORITHMS,
      userinfo_signing_alg_values_supported: [...KEYCLOAK_ALGORITHMS, "none"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      ...discovery,
    },
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    issuerOf: () => KEYCLOAK,
  });
  return Object.assign(emulation, { metadataUrl });
}

describe("signing algorithms", () => {
  for (const alg of ["ES512", "ES384", "PS256", "EdDSA", "HS256", "HS384", "HS512"]) {
    it(`logs in with ID tokens in ${alg}, which the provider's discovery lists`, async () => {
      const realm = await keycloak();
      realm.alg = alg;
      const app = harness(realm, CLIENT);
      const login = await app.login(ANN);
      assert.equal(login.status, 307, `${await login.clone().text()} ${app.logs.join("\n")}`);
      assert.equal((await (await app.me(login)).json()).email, "ann@example.com");
    });
  }

  it("refuses, and logs by name, an algorithm the discovery does not list", async () => {
    // An Auth0 application set to RS256: its tenant's discovery lists HS256 and RS256.
    const realm = await keycloak({ id_token_signing_alg_values_supported: ["HS256", "RS256"] });
    const app = harness(realm, CLIENT);
    for (const alg of ["ES512", "PS256", "HS512"]) {
      realm.alg = alg;
      const login = await app.login(ANN);
      assert.equal(login.status, 400, alg);
      assert.ok(
        app.logs.some((l) => l.includes(`"${alg}"`) && l.includes("HS256, RS256")),
        app.logs.join("\n"),
      );
    }
  });

  it("never accepts an unsigned ID token, even when discovery lists none", async () => {
    const realm = await keycloak({ id_token_signing_alg_values_supported: ["none", "RS256"] });
    const app = harness(realm, CLIENT);
    const unsigned = (claims: Record<string, unknown>) =>
      `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${
        btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
      }.`;
    const original = realm.fetch;
    const forged: typeof fetch = async (input, init) => {
      const response = await original(input, init);
      const url = new Request(input, init).url;
      if (!url.endsWith("/token") || response.status !== 200) return response;
      const body = await response.json();
      const claims = JSON.parse(
        atob(body.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")),
      );
      return Response.json({ ...body, id_token: unsigned(claims) });
    };
    const bypass = harness({ ...realm, fetch: forged, metadataUrl: realm.metadataUrl }, CLIENT);
    assert.equal((await app.login(ANN)).status, 307, "the realm itself works");
    assert.equal((await bypass.login(ANN)).status, 400);
  });

  it("refuses an HS256 ID token keyed with another secret than the client's", async () => {
    const realm = await keycloak();
    realm.alg = "HS256";
    realm.macSecret = "another-secret-than-the-client-one-0123";
    const app = harness(realm, CLIENT);
    const login = await app.login(ANN);
    assert.equal(login.status, 400);
    assert.ok(app.logs.some((l) => /signature does not verify/.test(l)), app.logs.join("\n"));
  });
});

describe("signed userinfo (OIDC Core §5.3.2)", () => {
  for (const alg of ["RS256", "ES512", "HS256"]) {
    it(`logs in with the email from userinfo signed in ${alg}`, async () => {
      const realm = await keycloak();
      realm.emailInUserinfoOnly = true;
      realm.userinfoAlg = alg;
      const app = harness(realm, CLIENT);
      const login = await app.login(ANN);
      assert.equal(login.status, 307, `${await login.clone().text()} ${app.logs.join("\n")}`);
      assert.equal((await (await app.me(login)).json()).email, "ann@example.com");
    });
  }

  it("refuses signed userinfo signed by another key, and logs it", async () => {
    const realm = await keycloak();
    realm.emailInUserinfoOnly = true;
    realm.userinfoAlg = "RS256";
    realm.userinfoKey = (await generateKeyPair("RS256")).privateKey;
    const app = harness(realm, CLIENT);
    const login = await app.login({ ...ANN, email: "admin@example.com" });
    assert.equal(login.status, 400, await login.clone().text());
    assert.ok(app.logs.some((l) => /signed userinfo: its signature/.test(l)), app.logs.join("\n"));
  });

  it("refuses signed userinfo for another audience or issuer, or in an unlisted algorithm", async () => {
    const cases: [string, Record<string, unknown>, string?][] = [
      ["audience", { aud: "another-app" }],
      ["issuer", { iss: "https://sso.example.com/realms/other" }],
      ["no issuer", { iss: undefined }],
      ["algorithm", {}, "ES256"],
    ];
    for (const [what, edit, alg] of cases) {
      const realm = await keycloak({ userinfo_signing_alg_values_supported: ["RS256"] });
      realm.emailInUserinfoOnly = true;
      realm.userinfoAlg = alg ?? "RS256";
      realm.editUserinfo = (claims) => ({ ...claims, ...edit });
      const app = harness(realm, CLIENT);
      const login = await app.login(ANN);
      assert.equal(login.status, 400, what);
      assert.ok(app.logs.some((l) => /signed userinfo/.test(l)), `${what}: ${app.logs.join("\n")}`);
    }
  });
});
