import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadError, MINIMAL, removeConfigDirs, SECRET, upstream } from "./_test_util.ts";

after(removeConfigDirs);

/** [config text, expected message after "config.yaml: ", expected path]. */
const VALIDATION: [string, string, string, (string | number)[]][] = [
  [
    "an unknown key, with a suggestion",
    upstream((t) => t.replace("client_secret:", "client_secrett:")),
    'client_secrett: unknown key (did you mean "client_secret"?)',
    ["client_secrett"],
  ],
  [
    "an unknown camelCase key, with a camelCase suggestion",
    upstream((t) => t.replace("auto_admin:", "autoAdmn:")),
    'capabilities.autoAdmn: unknown key (did you mean "autoAdmin"?)',
    ["capabilities", "autoAdmn"],
  ],
  [
    "the same key in both spellings",
    upstream((t) => t + 'clientId: "other"\n'),
    'clientId: is given twice, also as "client_id"',
    ["clientId"],
  ],
  [
    "a wrong type",
    upstream((t) => t.replace('prefix: ""', "prefix: 3")),
    "prefix: must be a string, not a number",
    ["prefix"],
  ],
  [
    "a wrong type in a list",
    upstream((t) => t.replace("default_capabilities: [read]", "default_capabilities: [read, 3]")),
    "capabilities.default_capabilities.1: must be a string, not a number",
    ["capabilities", "default_capabilities", 1],
  ],
  [
    "a graph edge to an undefined capability",
    upstream((t) => t.replace("write: [read]", "write: [reed]")),
    'capabilities.graph.write: "reed" is not a capability (did you mean "read"?)',
    ["capabilities", "graph", "write"],
  ],
  [
    "an implication cycle",
    upstream((t) => t.replace("read: []", "read: [write]")),
    "capabilities.graph.read: implication cycle: read -> write -> read",
    ["capabilities", "graph", "read"],
  ],
  [
    "a default capability not in the graph",
    upstream((t) => t.replace("default_capabilities: [read]", "default_capabilities: [reed]")),
    'capabilities.default_capabilities: "reed" is not a capability (did you mean "read"?)',
    ["capabilities", "default_capabilities"],
  ],
  [
    "a guest capability not in the graph",
    upstream((t) => t.replace("guest_capabilities: []", "guest_capabilities: [wrte]")),
    'capabilities.guest_capabilities: "wrte" is not a capability (did you mean "write"?)',
    ["capabilities", "guest_capabilities"],
  ],
  [
    "an override capability not in the graph",
    upstream((t) =>
      t.replace(
        "  auto_admin: true",
        "  auto_admin: true\n  user_overrides:\n    a@b.c: [moderator]",
      )
    ),
    'capabilities.user_overrides.a@b.c: "moderator" is not a capability (did you mean "moderate"?)',
    ["capabilities", "user_overrides", "a@b.c"],
  ],
  [
    "admin without auto_admin",
    upstream((t) =>
      t.replace("auto_admin: true", "auto_admin: false").replace(
        "default_capabilities: [read]",
        "default_capabilities: [admin]",
      )
    ),
    'capabilities.default_capabilities: "admin" is not a capability',
    ["capabilities", "default_capabilities"],
  ],
  [
    "a short secret key",
    upstream((t) => t.replace(SECRET, "short")),
    "secret_key: must be at least 16 characters long, not 5 (generate one with: " +
    "easy-oauth secret, or deno run -A jsr:@easy-oauth/hono/cli secret (in this repository: deno task cli secret))",
    ["secret_key"],
  ],
  [
    "a secret key that is easy to guess",
    upstream((t) => t.replace(SECRET, "passwordpassword")),
    "secret_key: is too easy to guess: it uses a single kind of character (generate a random " +
    "one with: easy-oauth secret, or deno run -A jsr:@easy-oauth/hono/cli secret (in this repository: deno task cli secret))",
    ["secret_key"],
  ],
  [
    "a bad URL",
    upstream((t) => t.replace("https://accounts.google.com", "accounts.google.com")),
    'server_metadata_url: must be an http: or https: URL, not "accounts.google.com/.well-known/openid-configuration"',
    ["server_metadata_url"],
  ],
  [
    "a bad prefix",
    upstream((t) => t.replace('prefix: ""', "prefix: api/")),
    'prefix: must be "" or a plain path like "/api/v1", not "api/"',
    ["prefix"],
  ],
  [
    "a client_kwargs value that is not a string",
    upstream((t) => t.replace("prompt: select_account", "max_age: 3600")),
    "client_kwargs.max_age: must be a string, not a number",
    ["client_kwargs", "max_age"],
  ],
  [
    "a PKCE method other than S256 in client_kwargs",
    upstream((t) => t.replace("prompt: select_account", "code_challenge_method: plain")),
    'client_kwargs.code_challenge_method: must be "S256" (the only PKCE method used), not "plain"',
    ["client_kwargs", "code_challenge_method"],
  ],
  [
    "an unknown token_endpoint_auth_method in client_kwargs",
    upstream((t) =>
      t.replace("prompt: select_account", "token_endpoint_auth_method: private_key_jwt")
    ),
    "client_kwargs.token_endpoint_auth_method: must be one of client_secret_basic, " +
    'client_secret_post, none, not "private_key_jwt"',
    ["client_kwargs", "token_endpoint_auth_method"],
  ],
  [
    "an unknown token_endpoint_auth_method",
    MINIMAL + "token_endpoint_auth_method: client_secret_jwt\n",
    "token_endpoint_auth_method: must be one of client_secret_basic, client_secret_post, none, " +
    'not "client_secret_jwt"',
    ["token_endpoint_auth_method"],
  ],
  [
    "a missing secret key",
    MINIMAL.replace(`secret_key: ${SECRET}\n`, ""),
    "secret_key: is required",
    ["secret_key"],
  ],
  [
    "a bad force_user email",
    MINIMAL + "force_user: {email: nobody}\n",
    'force_user.email: is not a valid email: it has no "@"',
    ["force_user", "email"],
  ],
];

describe("loadConfig() validation", () => {
  for (const [what, text, message, path] of VALIDATION) {
    it(`names the place and the problem for ${what}`, async () => {
      const err = await loadError(text);
      assert.equal(err.message.slice(err.message.indexOf(": ") + 2), message);
      assert.ok(err.message.startsWith(err.file!) && err.file!.endsWith("config.yaml"));
      assert.deepEqual(err.path, path);
    });
  }

  it("reports every problem, with the first one's path", async () => {
    const err = await loadError(
      upstream((t) =>
        t.replace("write: [read]", "write: [reed]").replace('prefix: ""', "prefix: 3")
      ),
    );
    assert.deepEqual(err.path, ["capabilities", "graph", "write"]);
    assert.equal(err.message.split("\n").length, 2);
    assert.match(err.message, /\n.*config\.yaml: prefix: must be a string, not a number$/);
  });
});
