import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { canonicalIssuer, isStatedIssuer, issuersFor, keyMaySign, MSA_TENANT } from "./_issuer.ts";

const MS = "https://login.microsoftonline.com";
const TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("issuer rules", () => {
  it("accepts a discovery issuer that is the expected one, or Entra ID's template for its aliases only", () => {
    const common = new URL(`${MS}/common/v2.0`);
    assert.ok(isStatedIssuer(`${MS}/common/v2.0`, common));
    assert.ok(isStatedIssuer(`${MS}/{tenantid}/v2.0`, common));
    assert.ok(isStatedIssuer(`${MS}/{tenantid}/v2.0`, new URL(`${MS}/organizations/v2.0`)));
    assert.ok(isStatedIssuer(`${MS}/${MSA_TENANT}/v2.0`, new URL(`${MS}/consumers/v2.0`)));
    assert.ok(!isStatedIssuer(`${MS}/${MSA_TENANT}/v2.0`, common), "only /consumers is MSA");
    assert.ok(!isStatedIssuer(`${MS}/{tenantid}/v2.0`, new URL(`${MS}/${TID}/v2.0`)));
    assert.ok(!isStatedIssuer(`https://evil.example/{tenantid}/v2.0`, common));
    assert.ok(!isStatedIssuer(`${MS}/{tenantid}/v1.0`, common));
    assert.ok(!isStatedIssuer(`${MS}/${TID}/v2.0`, common), "a tenant is not the template");
  });

  it("fills the template with the token's own tid, and accepts Google's two spellings for Google only", () => {
    assert.deepEqual(issuersFor(`${MS}/{tenantid}/v2.0`, { tid: TID }), [`${MS}/${TID}/v2.0`]);
    for (const tid of [undefined, 42, "common", `${TID}/x`, TID.toUpperCase()]) {
      assert.deepEqual(issuersFor(`${MS}/{tenantid}/v2.0`, { tid }), [], String(tid));
    }
    assert.deepEqual(issuersFor("https://accounts.google.com", {}), [
      "https://accounts.google.com",
      "accounts.google.com",
    ]);
    assert.deepEqual(issuersFor("https://idp.example", { tid: TID }), ["https://idp.example"]);
    assert.equal(canonicalIssuer("accounts.google.com"), "https://accounts.google.com");
    assert.equal(canonicalIssuer("idp.example"), "idp.example");
  });

  it("lets a key sign for the issuer its tag names, filled in with the token's tid", () => {
    assert.ok(keyMaySign(undefined, `${MS}/${TID}/v2.0`, TID));
    assert.ok(keyMaySign(`${MS}/{tenantid}/v2.0`, `${MS}/${TID}/v2.0`, TID));
    assert.ok(keyMaySign(`${MS}/${TID}/v2.0`, `${MS}/${TID}/v2.0`, TID));
    assert.ok(!keyMaySign(`${MS}/${MSA_TENANT}/v2.0`, `${MS}/${TID}/v2.0`, TID));
    assert.ok(!keyMaySign(42, `${MS}/${TID}/v2.0`, TID));
  });
});
