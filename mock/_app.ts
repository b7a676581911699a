// The mock provider's routes, as a Hono app.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authorize } from "./_authorize.ts";
import { describeServer, discoveryDocument, PATHS } from "./_discovery.ts";
import { NO_STORE, OAuthError, oauthErrorResponse } from "./_http.ts";
import { revoke } from "./_revoke.ts";
import { emailFromBody } from "./_set_email.ts";
import { fromOwnPage, issuerOf, type MockState } from "./_state.ts";
import { token } from "./_token.ts";
import { userinfo } from "./_userinfo.ts";

/** No legitimate request to the mock comes near this; larger ones are refused unread. */
const MAX_BODY_BYTES = 64 * 1024;

/** The Hono app serving every endpoint of one provider. */
export function createApp(state: MockState, setEmail: (email: string) => void): Hono {
  const app = new Hono();
  app.use(state.controls.middleware);
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () =>
        oauthErrorResponse(new OAuthError("invalid_request", "The body is too large.", 413)),
    }),
  );
  app.get(PATHS.discovery, (c) => c.json(discoveryDocument(issuerOf(state, c.req.raw))));
  app.on(["GET", "POST"], PATHS.authorization, (c) => authorize(state, c.req.raw));
  app.post(PATHS.token, (c) => token(state, c.req.raw));
  app.on(["GET", "POST"], PATHS.userinfo, (c) => userinfo(state, c.req.raw));
  app.get(PATHS.jwks, async (c) => c.json(await state.signer.jwks()));
  app.post(PATHS.revocation, (c) => revoke(state, c.req.raw));
  app.post(PATHS.setEmail, async (c) => {
    // Another site's form must not choose who logs in (as the demo's /switch_user).
    if (!fromOwnPage(state, c.req.raw)) {
      throw new OAuthError(
        "cross_site_request",
        "Another site cannot set the email; use this provider's page, curl or setEmail().",
        403,
      );
    }
    const email = await emailFromBody(c.req.raw);
    setEmail(email);
    return c.json({ status: "ok", message: `Email set to ${email}`, email }, 200, NO_STORE);
  });
  app.get("/", (c) => c.json(describeServer(issuerOf(state, c.req.raw), state.currentEmail())));
  app.get(PATHS.health, (c) => c.json({ status: "ok" }));
  app.notFound((c) =>
    oauthErrorResponse(
      new OAuthError("not_found", `No endpoint at ${c.req.method} ${c.req.path}.`, 404),
    )
  );
  app.onError((err) => {
    if (err instanceof OAuthError) return oauthErrorResponse(err);
    // An unexpected failure says nothing about its cause: it could quote a token.
    return oauthErrorResponse(new OAuthError("server_error", "The mock provider failed.", 500));
  });
  return app;
}
