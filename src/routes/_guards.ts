// Checks shared by the management and token routes.
import type { Context } from "hono";
import type { Caller, Core } from "../_core.ts";
import { errorResponse, isSameOriginRequest, readJsonObject, unauthorized } from "../http/http.ts";
import type { OAuthUser } from "../env.ts";

/** The capability that lets a caller manage others. */
export const USER_MANAGEMENT = "user_management";

/** An authenticated caller. */
export type Authenticated = Caller & { user: OAuthUser };

/** The caller, or a 401 when there is none. */
export async function authenticated(core: Core, c: Context): Promise<Authenticated | Response> {
  const caller = await core.caller(c);
  if (caller instanceof Response) return caller;
  if (!caller.user) return unauthorized("Log in or send a bearer token.");
  return caller as Authenticated;
}

/** `undefined` when the caller holds user_management, else a 403 (logged, without secrets). */
export async function needManagement(core: Core, caller: Caller): Promise<Response | undefined> {
  if (core.caps.has(USER_MANAGEMENT) && (await core.allowed(caller.user, USER_MANAGEMENT))) {
    return undefined;
  }
  core.log(`${caller.user?.email ?? "a guest"} was refused ${USER_MANAGEMENT}`);
  return errorResponse(403, "forbidden", `This needs the "${USER_MANAGEMENT}" capability.`);
}

/**
 * The caller of a state-changing management request: authenticated, not sent
 * by another site (for a cookie), and holding `user_management`; else the
 * refusal to answer.
 */
export async function managingCaller(core: Core, c: Context): Promise<Authenticated | Response> {
  const caller = await authenticated(core, c);
  if (caller instanceof Response) return caller;
  const crossSite = crossSiteRefusal(core, c, caller);
  if (crossSite) return crossSite;
  return await needManagement(core, caller) ?? caller;
}

/**
 * The JSON body of a state-changing request by an authenticated user manager:
 * 401/403 for the caller, 403 for a cross-site cookie request, 415/413/400 for
 * the body, and 400 for fields other than `allowed`.
 */
export async function managerBody(
  core: Core,
  c: Context,
  allowed: readonly string[],
): Promise<{ caller: Authenticated; body: Record<string, unknown> } | Response> {
  const caller = await managingCaller(core, c);
  if (caller instanceof Response) return caller;
  const body = await strictBody(c, allowed);
  return body instanceof Response ? body : { caller, body };
}

/** A 403 for a cookie-authenticated request from another origin (CSRF). */
export function crossSiteRefusal(core: Core, c: Context, caller: Caller): Response | undefined {
  if (caller.via !== "cookie" || isSameOriginRequest(c, core.trustedOrigins(c))) return undefined;
  return errorResponse(
    403,
    "cross_site_request",
    "Cross-site requests cannot change anything here.",
  );
}

/** A JSON object body with no fields but `allowed`. */
export async function strictBody(
  c: Context,
  allowed: readonly string[],
): Promise<Record<string, unknown> | Response> {
  const body = await readJsonObject(c);
  if (body instanceof Response) return body;
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown === undefined) return body;
  return errorResponse(
    400,
    "invalid_request",
    `Unknown field ${JSON.stringify(unknown.slice(0, 64))}; expected ${allowed.join(", ")}.`,
  );
}

/** A problem with a request field: a 400. */
export class FieldError extends Error {}

/** A string field, or a FieldError. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string") throw new FieldError(`"${name}" must be a string.`);
  return value;
}

/** A list-of-strings field, or a FieldError. */
export function listField(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new FieldError(`"${name}" must be a list of strings.`);
  }
  return value;
}

/** A 400 naming the first of `names` that is not a capability, else `undefined`. */
export function unknownCapability(core: Core, names: readonly string[]): Response | undefined {
  const unknown = names.find((name) => !core.caps.has(name));
  if (unknown === undefined) return undefined;
  return errorResponse(
    400,
    "invalid_request",
    `${JSON.stringify(unknown.slice(0, 64))} is not a capability.`,
  );
}
