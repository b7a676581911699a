// /manage_capabilities/list, /users, and (with a user_management capability) /add, /remove, /set.
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { CapabilityError, type CapabilityGuard } from "../capabilities.ts";
import { emailProblem } from "../_email.ts";
import { errorResponse } from "../_http.ts";
import type { OAuthEnv } from "../env.ts";
import { checkDelegation, DelegationRefused, delegationResponse } from "./_delegation.ts";
import {
  authenticated,
  FieldError,
  listField,
  managerBody,
  needManagement,
  stringField,
  unknownCapability,
  USER_MANAGEMENT,
} from "./_guards.ts";

/** What a change route does: the capabilities it names, then the change, checked by `guard`. */
interface Change {
  fields: readonly string[];
  named(body: Record<string, unknown>): string[];
  apply(email: string, body: Record<string, unknown>, guard: CapabilityGuard): Promise<string[]>;
}

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
  const route = (change: Change) => (c: Context) => changeRoute(core, c, change);
  app.post(
    "/manage_capabilities/add",
    route({
      fields: ["email", "capability"],
      named: (body) => [stringField(body, "capability")],
      apply: (email, body, guard) => core.caps.add(email, stringField(body, "capability"), guard),
    }),
  );
  app.post(
    "/manage_capabilities/remove",
    route({
      fields: ["email", "capability"],
      named: (body) => [stringField(body, "capability")],
      apply: (email, body, guard) =>
        core.caps.remove(email, stringField(body, "capability"), guard),
    }),
  );
  app.post(
    "/manage_capabilities/set",
    route({
      fields: ["email", "capabilities"],
      // Taken-away ones are among what the account holds, which the caller must hold too.
      named: (body) => listField(body, "capabilities"),
      apply: (email, body, guard) => core.caps.set(email, listField(body, "capabilities"), guard),
    }),
  );
}

async function changeRoute(core: Core, c: Context, change: Change): Promise<Response> {
  const request = await managerBody(core, c, change.fields);
  if (request instanceof Response) return request;
  const { caller, body } = request;
  try {
    const email = stringField(body, "email");
    const problem = emailProblem(email);
    if (problem) return errorResponse(400, "invalid_request", `"email" ${problem}.`);
    const named = change.named(body);
    const unknown = unknownCapability(core, named);
    if (unknown) return unknown;
    const held = await core.held(caller.user);
    // Checked on the account as read under the store's serialization: a
    // concurrent change cannot slip between the check and the write.
    const guard: CapabilityGuard = (account) =>
      checkDelegation(held, `Changing ${email}`, account.held, named);
    return c.json({ status: "ok", email, capabilities: await change.apply(email, body, guard) });
  } catch (error) {
    if (error instanceof DelegationRefused) return delegationResponse(core, caller.user, error);
    if (error instanceof FieldError || error instanceof CapabilityError) {
      return errorResponse(400, "invalid_request", error.message);
    }
    throw error;
  }
}
