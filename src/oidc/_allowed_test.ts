import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { domainProblem, notAllowedReason, tenantProblem } from "./_allowed.ts";

describe("who may log in", () => {
  it("checks the email's domain and Google's hd against allowedDomains", () => {
    const policy = { allowedDomains: ["example.com"] };
    const reason = (claims: Record<string, unknown>) => notAllowedReason(claims, policy);
    assert.equal(reason({ email: "ann@Example.COM" }), null);
    assert.equal(reason({ email: "ann@example.com", hd: "example.com" }), null);
    assert.match(reason({ email: "ann@example.org" })!, /"example.org" is not in allowedDomains/);
    assert.match(reason({ email: "ann@example.com", hd: "example.org" })!, /\(hd\) "example.org"/);
    assert.match(reason({ email: "ann@example.com", hd: 3 })!, /hd/);
    assert.match(reason({ email: 'a"@b@example.org' })!, /"example.org"/, "the last @ counts");
    assert.equal(notAllowedReason({ email: "ann@example.org" }, {}), null);
  });

  it("checks the tid against allowedTenants, case-insensitively", () => {
    const tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const policy = { allowedTenants: [tid] };
    assert.equal(notAllowedReason({ email: "a@b.c", tid: tid.toUpperCase() }, policy), null);
    assert.match(notAllowedReason({ email: "a@b.c" }, policy)!, /no tid claim/);
    assert.match(notAllowedReason({ email: "a@b.c", tid: "other" }, policy)!, /"other"/);
  });

  it("names what is wrong with an entry of the lists", () => {
    assert.equal(domainProblem("xn--bcher-kva.example"), null);
    assert.equal(domainProblem("bücher.example"), null);
    for (const bad of ["", ".example.com", "example.com.", "-a.com", "a b.com", "a_b.com", 3]) {
      assert.notEqual(domainProblem(bad), null, String(bad));
    }
    assert.equal(tenantProblem("72F988BF-86F1-41AF-91AB-2D7CD011DB47"), null);
    assert.notEqual(tenantProblem("organizations"), null);
  });
});
