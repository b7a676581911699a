// /manage_capabilities/list, /list_user, /users, and (with a user_management capability) /add,
// /remove, /set. Each answer about one user has `capabilities` (stored in the file, as the
// Python package answers) and `effective` (what the user can do: implications, defaults,
// overrides).
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { CapabilityError } from "../capabilities/capability_error.ts";
import type { CapabilityGuard } from "../capabilities/guard.ts";
import { canonicalEmail, emailProblem } from "../_email.ts";
import { errorResponse } from "../http/http.ts";
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
    const asked = c.req.query("email") ?? caller.user.email;
    // One form of an email everywhere: `Ann@Example.com` is the account `ann@example.com`.
    const email = canonicalEmail(asked);
    if (email !== canonicalEmail(caller.user.email)) {
      const refused = await needManagement(core, caller);
      if (refused) return refused;
      const problem = emailProblem(asked);
      if (problem) return errorResponse(400, "invalid_request", `"email" ${problem}.`);
    }
    return c.json(await answer(core, email));
  });

  // As upstream (since 0.0.3): the caller's own answer, and for a guest an empty one.
  app.get("/manage_capabilities/list_user", async (c) => {
    const caller = await core.caller(c);
    if (caller instanceof Response) return caller;
    if (!caller.user) {
      const effective = [...await core.caps.effective(null)].sort();
      return c.json({ status: "ok", email: null, capabilities: [], effective });
    }
    return c.json(await answer(core, caller.user.email));
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
  const serial = serializer();
  const route = (change: Change) => (c: Context) => changeRoute(core, c, change, serial);
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

/** The answer about one user: stored (as just written, if given) and effective capabilities. */
async function answer(core: Core, email: string, stored?: string[]) {
  const capabilities = stored ?? await core.caps.get(email);
  const effective = [...await core.caps.effective(email)].sort();
  return { status: "ok", email, capabilities, effective };
}

/** Runs tasks one at a time, in order (an in-process lock). */
type Serial = <T>(task: () => Promise<T>) => Promise<T>;

function serializer(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}

async function changeRoute(
  core: Core,
  c: Context,
  change: Change,
  serial: Serial,
): Promise<Response> {
  const request = await managerBody(core, c, change.fields);
  if (request instanceof Response) return request;
  const { caller, body } = request;
  try {
    const given = stringField(body, "email");
    const problem = emailProblem(given);
    if (problem) return errorResponse(400, "invalid_request", `"email" ${problem}.`);
    const email = canonicalEmail(given);
    const named = change.named(body);
    const unknown = unknownCapability(core, named);
    if (unknown) return unknown;
    // The store serializes one account's read-check-write, and the target is
    // checked there. The caller's own capabilities are another account's
    // entry, which `CapabilityStore.update` cannot read: they are read under
    // this lock, which every change through these routes in this process
    // takes, so a demotion through them lands wholly before or after. (A
    // change from another process or by hand can still land in between.)
    const stored = await serial(async () => {
      const held = await core.held(caller.user);
      const guard: CapabilityGuard = (account) => {
        // The caller's own entry, when it is the target, as read under the store's serialization.
        const own = account.email === canonicalEmail(caller.user.email) &&
            caller.user.kind !== "api"
          ? new Set([...held].filter((name) => account.held.has(name)))
          : held;
        checkDelegation(own, `Changing ${email}`, account.held, named);
      };
      return await change.apply(email, body, guard);
    });
    return c.json(await answer(core, email, stored));
  } catch (error) {
    if (error instanceof DelegationRefused) return delegationResponse(core, caller.user, error);
    if (error instanceof FieldError || error instanceof CapabilityError) {
      return errorResponse(400, "invalid_request", error.message);
    }
    throw error;
  }
}
