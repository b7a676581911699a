// The relying party against an emulation of Microsoft Entra ID's multi-tenant
// endpoints, written from Microsoft's documentation (see entra.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LoginError, TokenRefused } from "../../src/oidc/client.ts";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CONSUMERS_TENANT,
  emulateEntra,
  entraPerson,
  LOGIN,
} from "./entra.ts";
import { clientOf, harness, loginThrough } from "./_harness.ts";

const CLIENT = { id: CLIENT_ID, secret: CLIENT_SECRET };
const CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const FABRIKAM = "3c2f8a59-5b1e-4d6f-9a0e-8e1f1a2b3c4d";

async function json(response: Response | Promise<Response>) {
  return await (await response).json();
}

describe("against Entra ID's multi-tenant endpoints", () => {
  for (const endpoint of ["common", "organizations"]) {
    it(`logs in through /${endpoint}/v2.0, whose discovery states the {tenantid} template`, async () => {
      const entra = await emulateEntra(endpoint);
      const app = harness(entra, CLIENT);
      const login = await app.login(entraPerson(CONTOSO, "ann@contoso.com"));
      assert.equal(login.status, 307, await login.clone().text());
      assert.equal((await json(app.me(login))).email, "ann@contoso.com");
    });
  }

  it("logs in a personal account through /consumers/v2.0, whose discovery states its tenant's issuer", async () => {
    const entra = await emulateEntra("consumers");
    const app = harness(entra, CLIENT);
    const login = await app.login(entraPerson(CONSUMERS_TENANT, "ann@outlook.com"));
    assert.equal(login.status, 307, await login.clone().text());
    assert.equal((await json(app.me(login))).email, "ann@outlook.com");
  });

  it("keeps a tenant's issuer across refreshes, and refuses a refreshed token of another tenant", async () => {
    const entra = await emulateEntra();
    const rp = clientOf(entra, CLIENT);
    const first = await loginThrough(rp, entra, entraPerson(CONTOSO, "ann@contoso.com"));
    assert.equal(first.identity.iss, `${LOGIN}/${CONTOSO}/v2.0`);
    const again = await rp.refresh(first.refreshToken!, first.identity);
    assert.equal(again.identity.iss, first.identity.iss);
    entra.people.get(again.refreshToken!)!.claims!.tid = FABRIKAM;
    await assert.rejects(rp.refresh(again.refreshToken!, again.identity), TokenRefused);
  });

  it("refuses a token whose iss is not the template filled in with its own tid, and logs both", async () => {
    const entra = await emulateEntra();
    const app = harness(entra, CLIENT);
    entra.edit = (claims) => ({ ...claims, iss: `${LOGIN}/${FABRIKAM}/v2.0` });
    const login = await app.login(entraPerson(CONTOSO, "ann@contoso.com"));
    assert.equal(login.status, 400);
    assert.equal((await login.json()).error, "login_failed");
    assert.ok(
      app.logs.some((l) =>
        l.includes(`"${LOGIN}/${FABRIKAM}/v2.0"`) && l.includes(`"${LOGIN}/${CONTOSO}/v2.0"`)
      ),
      app.logs.join("\n"),
    );
    for (const tid of [undefined, "common", `${CONTOSO}/v2.0#`]) {
      entra.edit = (claims) => ({ ...claims, tid });
      const res = await app.login(entraPerson(CONTOSO, "ann@contoso.com"));
      assert.equal(res.status, 400, `tid ${tid}`);
    }
  });

  it("refuses a token signed with a key the key set tags for another issuer", async () => {
    const entra = await emulateEntra("common", `${LOGIN}/${FABRIKAM}/v2.0`);
    const app = harness(entra, CLIENT);
    const login = await app.login(entraPerson(CONTOSO, "ann@contoso.com"));
    assert.equal(login.status, 400);
    assert.ok(app.logs.some((l) => /key that signed it/.test(l)), app.logs.join("\n"));
  });

  it("lets in the tenants of allowedTenants only, and refuses the others with a logged reason", async () => {
    const entra = await emulateEntra("organizations");
    const app = harness(entra, CLIENT, { allowedTenants: [CONTOSO.toUpperCase()] });
    const ann = await app.login(entraPerson(CONTOSO, "ann@contoso.com"));
    assert.equal(ann.status, 307, await ann.clone().text());
    const bob = await app.login(entraPerson(FABRIKAM, "bob@fabrikam.com"));
    assert.equal(bob.status, 400);
    assert.equal((await bob.json()).error, "access_denied");
    assert.ok(
      app.logs.some((l) => l.includes("bob@fabrikam.com") && l.includes(FABRIKAM)),
      app.logs.join("\n"),
    );
  });

  it("ends at its next refresh a grant whose tenant left allowedTenants", async () => {
    const entra = await emulateEntra();
    const before = clientOf(entra, CLIENT);
    const first = await loginThrough(before, entra, entraPerson(FABRIKAM, "bob@fabrikam.com"));
    const after = clientOf(entra, CLIENT, { allowedTenants: [CONTOSO] });
    await assert.rejects(after.refresh(first.refreshToken!, first.identity), TokenRefused);
    await assert.rejects(
      loginThrough(after, entra, entraPerson(FABRIKAM, "bob@fabrikam.com")),
      (error: Error) => error instanceof LoginError && error.code === "access_denied",
    );
  });

  it("refuses an email the token marks as not verified by the tenant (xms_edov: false)", async () => {
    // A single-tenant app: a user of the tenant whose email's domain the tenant does not own.
    const entra = await emulateEntra(CONTOSO);
    const app = harness(entra, CLIENT);
    const spoofed = await app.login(
      entraPerson(CONTOSO, "ceo@fabrikam.com", { xms_edov: false }),
    );
    assert.equal(spoofed.status, 400);
    assert.match((await spoofed.json()).detail, /not verified by its tenant/);
    const verified = await app.login(entraPerson(CONTOSO, "ann@contoso.com", { xms_edov: true }));
    assert.equal(verified.status, 307);
  });
});
