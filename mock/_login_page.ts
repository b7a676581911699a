// The mock's login page, for local development: who logs in (an email, the
// recent ones as buttons, an optional name), or "Deny". Tests keep the
// log-in-without-asking of the default (`loginPage: false`).
import { html, pageResponse } from "../src/pages/_html.ts";
import { isValidEmail } from "./_email.ts";
import { OAuthError } from "./_http.ts";

/** The form's own fields, kept apart from the authorization request's parameters. */
const ACTION = "mock_action";
const EMAIL = "mock_email";
const NAME = "mock_name";
/** A recent email's button (a name of its own: the mock refuses repeated parameters). */
const PICK = "mock_pick";

/** What the person chose on the page. */
export type LoginChoice = { action: "login"; email: string; name?: string } | { action: "deny" };

/**
 * The choice an authorization request carries from the login page, or
 * `undefined` for a request that did not come from it.
 *
 * @throws {OAuthError} `invalid_request` for an invalid email or name.
 */
export function loginChoice(params: URLSearchParams): LoginChoice | undefined {
  const action = params.get(ACTION);
  if (action === null) return undefined;
  if (action === "deny") return { action: "deny" };
  if (action !== "login") throw new OAuthError("invalid_request", `"${ACTION}" is login or deny.`);
  const email = (params.get(PICK) ?? params.get(EMAIL))?.trim() ?? "";
  if (!isValidEmail(email)) throw new OAuthError("invalid_request", "Enter an email address.");
  const name = params.get(NAME)?.trim();
  if (name && (name.length > 100 || [...name].some((ch) => ch < " " || ch === "\x7f"))) {
    throw new OAuthError("invalid_request", "The name must be 1 to 100 printable characters.");
  }
  return name ? { action: "login", email, name } : { action: "login", email };
}

/** The page: posts the authorization request back with the person's choice. */
export function loginPage(
  action: string,
  params: URLSearchParams,
  defaultEmail: string,
  recent: readonly string[],
): Response {
  const hidden = [...params].filter(([key]) => !key.startsWith("mock_")).map(([key, value]) =>
    html`<input type="hidden" name="${key}" value="${value}">`
  );
  const suggestions = recent.map((email) =>
    html`
      <button type="submit" name="${PICK}" value="${email}" formnovalidate>${email}</button>
    `
  );
  const client = params.get("client_id") ?? "";
  const body = html`<h1>Mock provider: log in</h1>
<p class="muted">The app <code>${client}</code> asks who you are. This provider is for
development: there is no password.</p>
<form method="post" action="${action}">
${hidden}<input type="hidden" name="${ACTION}" value="login">
${
    recent.length > 0
      ? html`<p>Recently used: ${suggestions}</p>`
      : null
  }<p><label>Email <input id="email" name="${EMAIL}" type="email" value="${defaultEmail}" required
size="40"></label></p>
<p><label>Display name (optional) <input id="name" name="${NAME}" size="40"></label></p>
<p class="actions"><button id="login" type="submit">Log in</button></p>
</form>
<form method="post" action="${action}">
${hidden}<input type="hidden" name="${ACTION}" value="deny">
<p class="actions"><button id="deny" type="submit">Deny</button></p>
</form>`;
  // The form posts here, and the answer redirects to the app: another origin.
  return pageResponse(200, "Mock provider: log in", body, { anyFormTarget: true });
}
