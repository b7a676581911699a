// POST /set_email: chooses who later logins are.
import { isValidEmail } from "./_email.ts";
import { OAuthError } from "./_http.ts";

/**
 * The email of a `/set_email` body: JSON `{"email": "a@b.c"}`, or form data
 * (`application/x-www-form-urlencoded` or `multipart/form-data`) `email=a@b.c`.
 *
 * @throws {OAuthError} `invalid_request` for any other body or an invalid email.
 */
export async function emailFromBody(request: Request): Promise<string> {
  const type = request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  let email: unknown;
  try {
    if (type === "application/json") {
      const body: unknown = await request.json();
      email = typeof body === "object" && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).email
        : undefined;
    } else if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
      email = (await request.formData()).get("email");
    } else {
      throw new OAuthError("invalid_request", 'Send JSON or form data with an "email" field.');
    }
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    throw new OAuthError("invalid_request", "The body is malformed.");
  }
  if (email === undefined || email === null) {
    throw new OAuthError("invalid_request", 'The "email" field is missing.');
  }
  if (!isValidEmail(email)) {
    throw new OAuthError("invalid_request", '"email" must be an email address.');
  }
  return email;
}
