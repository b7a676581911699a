// allowedDomains and allowedTenants: checked once, in OAuthManager's options
// and in configuration files (where they are allowed_domains, allowed_tenants).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OAuthManager, type OAuthManagerOptions } from "../mod.ts";
import { loadConfig } from "./config/config.ts";
import { GRAPH, SECRET } from "../testing/_fixtures.ts";

const BASE: OAuthManagerOptions = {
  serverMetadataUrl:
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
  secretKey: SECRET,
  clientId: "app",
  clientSecret: "s",
  capabilities: { graph: GRAPH },
};
const CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("OAuthManager allowedDomains and allowedTenants", () => {
  it("takes lists of domains and tenant ids, and throws a TypeError naming a bad entry", () => {
    new OAuthManager({ ...BASE, allowedDomains: ["example.com", "Exämple.org"] });
    new OAuthManager({ ...BASE, allowedTenants: [CONTOSO, CONTOSO.toUpperCase()] });
    const cases: [Partial<OAuthManagerOptions>, RegExp][] = [
      [{ allowedDomains: "example.com" as unknown as string[] }, /"allowedDomains" must be a list/],
      [{ allowedDomains: [] }, /"allowedDomains" must list at least one entry/],
      [{ allowedDomains: ["@example.com"] }, /"allowedDomains\[0\]" must be a domain without "@"/],
      [{ allowedDomains: ["example.com", "*.example.com"] }, /"allowedDomains\[1\]"/],
      [{ allowedDomains: ["example..com"] }, /"allowedDomains\[0\]"/],
      [{ allowedDomains: [3 as unknown as string] }, /"allowedDomains\[0\]" must be a string/],
      [
        { allowedTenants: ["contoso.onmicrosoft.com"] },
        /"allowedTenants\[0\]" must be a tenant id/,
      ],
      [{ allowedTenants: ["common"] }, /"allowedTenants\[0\]"/],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => new OAuthManager({ ...BASE, ...options }), {
        name: "TypeError",
        message,
      });
    }
  });

  it("reads allowed_domains and allowed_tenants from a configuration, and reports bad entries by path", async () => {
    const section = {
      server_metadata_url: BASE.serverMetadataUrl,
      secret_key: SECRET,
      client_id: "app",
      capabilities: { graph: { read: [] } },
    };
    const options = await loadConfig({
      ...section,
      allowed_domains: ["example.com"],
      allowed_tenants: [CONTOSO],
    });
    assert.deepEqual(options.allowedDomains, ["example.com"]);
    assert.deepEqual(options.allowedTenants, [CONTOSO]);
    new OAuthManager(options);
    await assert.rejects(
      loadConfig({ ...section, allowed_domains: ["ann@example.com"], allowed_tenants: "x" }),
      {
        name: "ConfigError",
        message: 'allowed_domains.0: must be a domain without "@", not "ann@example.com"\n' +
          "allowed_tenants: must be a list of strings, not a string",
      },
    );
  });
});
