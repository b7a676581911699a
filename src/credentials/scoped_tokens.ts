// The callers that service and API tokens stand for, read from their sealed claims.
import type { OAuthUser, TokenParent } from "../env.ts";
import { InvalidToken } from "./tokens.ts";
import { canonicalEmail } from "../_email.ts";

/** The caller a service or API token stands for: its account and its capability snapshot. */
export function scoped(
  claims: Record<string, unknown>,
  kind: "service" | "api",
): { user: OAuthUser; until: number } {
  const { email, caps, jti, by, up } = claims;
  if (typeof email !== "string" || !Array.isArray(caps) || typeof jti !== "string") {
    throw new InvalidToken();
  }
  const user: OAuthUser = {
    // Tokens made before emails had one form may carry another spelling.
    email: canonicalEmail(email),
    kind,
    tokenId: jti,
    capabilities: new Set(caps.map(String)),
    ...lineageOf(by, up),
  };
  return { user, until: Infinity };
}

/** The lineage claims of a service or API token: who made it (`by`), which tokens (`up`). */
function lineageOf(by: unknown, up: unknown): Pick<OAuthUser, "createdBy" | "parents"> {
  const accounts = Array.isArray(by) && by.every((a) => typeof a === "string");
  const parents = Array.isArray(up) &&
    up.every((p: Partial<TokenParent>) =>
      typeof p === "object" && p !== null && typeof p.email === "string" &&
      typeof p.tokenId === "string" && (p.issuedAt === undefined || typeof p.issuedAt === "number")
    );
  if ((by !== undefined && !accounts) || (up !== undefined && !parents)) throw new InvalidToken();
  return {
    ...(accounts ? { createdBy: (by as string[]).map(canonicalEmail) } : {}),
    ...(parents ? { parents: up as TokenParent[] } : {}),
  };
}
