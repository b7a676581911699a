import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type * as oauth from "oauth4webapi";
import { basicAuthorization, chooseAuthMethod, clientAuth } from "./_client_auth.ts";

const GOOGLE_ID = "1234-abc.apps.googleusercontent.com";
const GOOGLE_SECRET = "GOCSPX-ab_cd.ef";
const as: oauth.AuthorizationServer = { issuer: "https://accounts.google.com" };

describe("client authentication", () => {
  it("sends Google-shaped credentials in Basic without escaping unreserved characters", async () => {
    const headers = new Headers();
    await clientAuth("client_secret_basic", GOOGLE_SECRET)(
      as,
      { client_id: GOOGLE_ID },
      new URLSearchParams(),
      headers,
    );
    assert.equal(
      headers.get("authorization"),
      "Basic MTIzNC1hYmMuYXBwcy5nb29nbGV1c2VyY29udGVudC5jb206R09DU1BYLWFiX2NkLmVm",
    );
    assert.equal(
      atob(headers.get("authorization")!.slice(6)),
      "1234-abc.apps.googleusercontent.com:GOCSPX-ab_cd.ef",
    );
  });

  it("still escapes what would break the header: the colon, spaces, non-ASCII", () => {
    assert.equal(atob(basicAuthorization("a:b", "c d/é").slice(6)), "a%3Ab:c+d%2F%C3%A9");
  });

  it("uses the configured method, else discovery's, preferring basic", () => {
    assert.equal(chooseAuthMethod("client_secret_post", true, as), "client_secret_post");
    assert.equal(chooseAuthMethod(undefined, true, as), "client_secret_basic");
    assert.equal(chooseAuthMethod(undefined, false, as), "none");
    const postOnly = { ...as, token_endpoint_auth_methods_supported: ["client_secret_post"] };
    assert.equal(chooseAuthMethod(undefined, true, postOnly), "client_secret_post");
  });

  it("puts the secret in the body for client_secret_post, nowhere for none", async () => {
    const body = new URLSearchParams();
    const headers = new Headers();
    await clientAuth("client_secret_post", "s3")(as, { client_id: "id" }, body, headers);
    assert.equal(body.get("client_secret"), "s3");
    assert.equal(headers.get("authorization"), null);
    const none = new URLSearchParams();
    await clientAuth("none", "s3")(as, { client_id: "id" }, none, headers);
    assert.equal(none.get("client_secret"), null);
  });
});
