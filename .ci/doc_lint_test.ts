import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { diagnostics, tolerated } from "./doc_lint.ts";

const report = (symbol: string, type: string) =>
  `error[private-type-ref]: public type '${symbol}' references private type '${type}'\n  --> mod.ts`;

describe("the doc lint filter", () => {
  it("tolerates exactly the four references to Hono's types that Deno reports as private", () => {
    assert.ok(tolerated(report("OAuthManager.prototype.routes", "Hono")));
    assert.ok(tolerated(report("OAuthManager.prototype.middleware", "MiddlewareHandler")));
    assert.ok(tolerated(report("OAuthManager.prototype.getEmail", "Context")));
    assert.ok(tolerated(report('OAuthManagerOptions["clientAddress"]', "Context")));
  });

  it("keeps any other report, a Hono type named elsewhere included", () => {
    assert.ok(!tolerated(report("OAuthManager.prototype.install", "Hono")));
    assert.ok(!tolerated(report("requireSomething", "Context")));
    assert.ok(!tolerated(report('OAuthManagerOptions["fetch"]', "Context")));
    assert.ok(!tolerated(report("OAuthManager.prototype.routes", "Env")));
    assert.ok(!tolerated("error[missing-jsdoc]: exported symbol is missing JSDoc documentation"));
  });

  it("splits deno doc --lint's output into its diagnostics", () => {
    const text = `${report("a", "B")}\n\n${
      report("c", "D")
    }\nerror: Found 2 documentation lint errors.`;
    assert.equal(diagnostics(text).length, 2);
  });
});
