// The relying party against an emulation of Google's OpenID Connect, written
// from Google's documentation (see google.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TokenRefused } from "../../src/oidc/client.ts";
import { emulate } from "./_emulator.ts";
import { CLIENT_ID, CLIENT_SECRET, emulateGoogle, GOOGLE_ISSUER, googlePerson } from "./google.ts";
import { clientOf, harness, loginThrough } from "./_harness.ts";

const CLIENT = { id: CLIENT_ID, secret: CLIENT_SECRET };

describe("against Google", () => {
  it("accepts both spellings of Google's issuer, and keeps one across refreshes", async () => {
    const google = await emulateGoogle();
    google.spelling = "accounts.google.com";
    const app = harness(google, CLIENT);
    const login = await app.login(googlePerson("ann@gmail.com"));
    assert.equal(login.status, 307, await login.clone().text());
    assert.equal((await (await app.me(login)).json()).email, "ann@gmail.com");
    const rp = clientOf(google, CLIENT);
    const first = await loginThrough(rp, google, googlePerson("ann@gmail.com"));
    assert.equal(first.identity.iss, GOOGLE_ISSUER);
    google.spelling = GOOGLE_ISSUER;
    const again = await rp.refresh(first.refreshToken!, first.identity);
    assert.equal(again.identity.iss, GOOGLE_ISSUER);
    google.spelling = "accounts.google.com";
    await rp.refresh(again.refreshToken!, again.identity);
  });

  it("refuses any other issuer, and logs it", async () => {
    const google = await emulateGoogle();
    const app = harness(google, CLIENT);
    for (
      const iss of [
        "http://accounts.google.com",
        "https://accounts.google.com/",
        "accounts.google.com.evil.example",
        "https://evil.example",
      ]
    ) {
      google.spelling = iss;
      const login = await app.login(googlePerson("ann@gmail.com"));
      assert.equal(login.status, 400, iss);
      assert.ok(
        app.logs.some((l) => l.includes(JSON.stringify(iss)) && l.includes("accounts.google.com")),
        `${iss}: ${app.logs.join("\n")}`,
      );
    }
  });

  it("accepts a scheme-less issuer for Google's issuer only", async () => {
    const other = Object.assign(
      await emulate({
        metadataUrl: "https://idp.example.com/.well-known/openid-configuration",
        discovery: {
          issuer: "https://idp.example.com",
          authorization_endpoint: "https://idp.example.com/authorize",
          token_endpoint: "https://idp.example.com/token",
          jwks_uri: "https://idp.example.com/keys",
          id_token_signing_alg_values_supported: ["RS256"],
        },
        clientId: "rp",
        clientSecret: "rp-secret",
        issuerOf: () => "idp.example.com",
      }),
      { metadataUrl: "https://idp.example.com/.well-known/openid-configuration" },
    );
    const app = harness(other, { id: "rp", secret: "rp-secret" });
    const login = await app.login({ sub: "1", email: "ann@example.com" });
    assert.equal(login.status, 400);
    assert.ok(app.logs.some((l) => l.includes('"idp.example.com"')), app.logs.join("\n"));
  });

  it("lets in the domains of allowedDomains only: the email's and, for Workspace, hd", async () => {
    const google = await emulateGoogle();
    const app = harness(google, CLIENT, { allowedDomains: ["Example.com"] });
    const cases: [string, string | undefined, number][] = [
      ["ann@example.com", "example.com", 307],
      ["ann@EXAMPLE.com", undefined, 307], // a consumer account with a verified address there
      ["ann@example.org", "example.org", 400],
      ["ann@gmail.com", undefined, 400],
      ["ann@example.com", "example.org", 400], // an alias of another Workspace
      ["ann@sub.example.com", "sub.example.com", 400],
    ];
    for (const [email, hd, status] of cases) {
      const login = await app.login(googlePerson(email, hd));
      assert.equal(login.status, status, `${email} (hd ${hd})`);
      if (status === 400) assert.equal((await login.json()).error, "access_denied");
    }
    assert.ok(app.logs.some((l) => l.includes("ann@gmail.com")), app.logs.join("\n"));
  });

  it("ends at its next refresh a grant whose domain left allowedDomains", async () => {
    const google = await emulateGoogle();
    const first = await loginThrough(
      clientOf(google, CLIENT),
      google,
      googlePerson("ann@example.org", "example.org"),
    );
    const logs: string[] = [];
    const after = clientOf(google, CLIENT, { allowedDomains: ["example.com"] }, logs);
    await assert.rejects(after.refresh(first.refreshToken!, first.identity), TokenRefused);
    assert.ok(logs.some((l) => l.includes("example.org")), logs.join("\n"));
  });
});
