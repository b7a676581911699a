// /manage_capabilities/list, /users, and (with a user_management capability) /add, /remove, /set.
import type { Context, Hono } from "hono";
import type { Caller, Core } from "../_core.ts";
import { CapabilityError } from "../capabilities.ts";
import { emailProblem } from "../_email.ts";
import { errorResponse, isSameOriginRequest, readJsonObject, unauthorized } from "../_http.ts";
import type { OAuthEnv } from "../env.ts";

/** The capability that lets a caller manage others. */
export const USER_MANAGEMENT = "user_management";

type Change = (email: string, body: Record<string, unknown>) => Promise<string[]>;

/** Adds the capability management routes to `app` (already mounted under the prefix). */
export function manageRoutes(core: Core, app: Hono<OAuthEnv>): void {
  app.get("/manage_capabilities/list", async (c) => {
    const caller = await authenticated(core, c);
    if (caller instanceof Response) return caller;
    const email = c.req.query("email") ?? caller.user.email;
    if (email !== caller.user.email) {
      const refused = await needManagement(core, caller);
      if (refused) return refused;
      const problem = emailProblem(email);
      if (problem) return errorResponse(400, "invalid_request", `"email" ${problem}.`);
    }
    return c.json({ status: "ok", email, capabilities: await core.caps.get(email) });
  });

  app.get("/manage_capabilities/users", async (c) => {
    const caller = await authenticated(core, c);
    if (caller instanceof Response) return caller;
    const refused = await needManagement(core, caller);
    if (refused) return refused;
    const users = Object.fromEntries(await core.caps.users());
    return c.json({ status: "ok", users, graph: core.caps.graphJson() });
  });

  if (!core.caps.has(USER_MANAGEMENT)) return;
  const change = (fn: Change) => (c: Context) => changeRoute(core, c, fn);
  app.post("/manage_capabilities/add", change((email, body) => core.caps.add(email, field(body, "capability"))));
  app.post("/manage_capabilities/remove", change((email, body) => core.caps.remove(email, field(body, "capability"))));
  app.post("/manage_capabilities/set", change((email, body) => core.caps.set(email, listField(body, "capabilities"))));
}

/** A problem with a request body field: a 400. */
class FieldError extends Error {}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string") throw new FieldError(`"${name}" must be a string.`);
  return value;
}

function listField(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new FieldError(`"${name}" must be a list of strings.`);
  }
  return value;
}

async function changeRoute(core: Core, c: Context, fn: Change): Promise<Response> {
  const caller = await authenticated(core, c);
  if (caller instanceof Response) return caller;
  if (caller.via === "cookie" && !isSameOriginRequest(c, core.trustedOrigins(c))) {
    return errorResponse(403, "cross_site_request", "Cross-site requests cannot change capabilities.");
  }
  const refused = await needManagement(core, caller);
  if (refused) return refused;
  const body = await readJsonObject(c);
  if (body instanceof Response) return body;
  const expected = c.req.path.endsWith("/set") ? ["email", "capabilities"] : ["email", "capability"];
  const unknown = Object.keys(body).find((key) => !expected.includes(key));
  if (unknown !== undefined) {
    return errorResponse(400, "invalid_request", `Unknown field ${JSON.stringify(unknown)}; expected ${expected.join(" and ")}.`);
  }
  try {
    const email = field(body, "email");
    const problem = emailProblem(email);
    if (problem) return errorResponse(400, "invalid_request", `"email" ${problem}.`);
    const capabilities = await fn(email, body);
    return c.json({ status: "ok", email, capabilities });
  } catch (error) {
    if (error instanceof FieldError || error instanceof CapabilityError) {
      return errorResponse(400, "invalid_request", error.message);
    }
    throw error;
  }
}

async function authenticated(core: Core, c: Context): Promise<(Caller & { user: NonNullable<Caller["user"]> }) | Response> {
  const caller = await core.caller(c);
  if (caller instanceof Response) return caller;
  if (!caller.user) return unauthorized("Log in or send a bearer token.");
  return caller as Caller & { user: NonNullable<Caller["user"]> };
}

async function needManagement(core: Core, caller: Caller): Promise<Response | undefined> {
  if (core.caps.has(USER_MANAGEMENT) && (await core.allowed(caller.user, USER_MANAGEMENT))) return undefined;
  console.warn(`easy-oauth: ${caller.user?.email ?? "a guest"} was refused ${USER_MANAGEMENT}`);
  return errorResponse(403, "forbidden", `This needs the "${USER_MANAGEMENT}" capability.`);
}
