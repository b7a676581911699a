// The admin page's form posts and who may use the page: a user manager;
// same-origin forms (the JSON routes' cross-site checks), bounded, with
// exactly their fields; a refusal by the delegation limit is its 403.
import type { Context } from "hono";
import type { Core } from "../_core.ts";
import { errorResponse } from "../http/http.ts";
import { readAtMost } from "../http/body.ts";
import { CapabilityError } from "../capabilities/capability_error.ts";
import { DelegationRefused, delegationResponse } from "./_delegation.ts";
import { type Authenticated, authenticated, managingCaller, needManagement } from "./_guards.ts";

const MAX_FORM = 4096;

/** The caller when it may use the page, else the 401/403 (a page for browsers). */
export async function manager(core: Core, c: Context): Promise<Authenticated | Response> {
  const caller = await authenticated(core, c);
  if (caller instanceof Response) return caller;
  return await needManagement(core, caller) ?? caller;
}

/**
 * A form post: a user manager, same-origin (as the JSON routes: `Origin`,
 * `Sec-Fetch-Site`), `application/x-www-form-urlencoded` of at most 4 KiB,
 * exactly the fields named. A refusal by the delegation limit is its 403.
 */
export async function form<Name extends string>(
  core: Core,
  c: Context,
  names: readonly Name[],
  then: (caller: Authenticated, fields: Record<Name, string>) => Promise<Response>,
): Promise<Response> {
  const caller = await managingCaller(core, c);
  if (caller instanceof Response) return caller;
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return errorResponse(415, "unsupported_media_type", "The body must be a form.");
  }
  const bytes = await readAtMost(c.req.raw.body, MAX_FORM);
  if (bytes === null) {
    return errorResponse(413, "payload_too_large", `The body must be at most ${MAX_FORM} bytes.`);
  }
  const params = new URLSearchParams(new TextDecoder().decode(bytes));
  // Every name is set below, or the post is refused.
  const fields = {} as Record<Name, string>;
  for (const name of names) {
    const values = params.getAll(name);
    if (values.length !== 1) return errorResponse(400, "invalid_request", `Send one "${name}".`);
    fields[name] = values[0]!;
  }
  if ([...params.keys()].some((key) => !(names as readonly string[]).includes(key))) {
    return errorResponse(400, "invalid_request", `Send only ${names.join(", ")}.`);
  }
  try {
    return await then(caller, fields);
  } catch (error) {
    if (error instanceof DelegationRefused) return delegationResponse(core, caller.user, error);
    if (error instanceof CapabilityError) {
      return errorResponse(400, "invalid_request", error.message);
    }
    throw error;
  }
}
