// An account's tokens in circulation, for the admin page: the tokens minted
// for it or by it that the audit trail recorded, and the API tokens of the
// registry, less those expired or revoked. Never the tokens themselves.
import type { Core } from "../_core.ts";
import type { AuditEntry } from "../audit/audit_entry.ts";
import type { TokenRow } from "../pages/admin_page.ts";
import { MAX_TOKEN_LIFETIME } from "../credentials/revocations.ts";
import { revokeUserToken } from "./_revoke_user_token.ts";

/** The most minted tokens of the trail looked at per account (for it, and by it). */
const MAX_TOKENS = 1000;

/** The tokens of `email` (minted for it, or made by it) still in circulation, newest first. */
export async function tokensInCirculation(core: Core, email: string): Promise<TokenRow[]> {
  const now = Math.floor(core.clock() / 1000);
  const rows = new Map<string, TokenRow>();
  const [forIt, byIt] = await Promise.all([
    core.audit.log.query({ account: email, kinds: ["token_minted"], limit: MAX_TOKENS }),
    core.audit.log.query({ actor: email, kinds: ["token_minted"], limit: MAX_TOKENS }),
  ]);
  const minted = [...forIt.entries, ...byIt.entries].sort((a, b) => b.seq - a.seq);
  const listed = new Map<string, Promise<Set<string>>>();
  for (const entry of minted) {
    const row = rowOf(entry);
    if (row === undefined || rows.has(row.id) || (row.expiresAt ?? 0) <= now) continue;
    // A revoked user token is one its grant no longer lists.
    if (row.kind === "user" && !(await userTokens(core, row.account, listed)).has(row.id)) continue;
    const revoked = core.revocations.isRevoked({
      email: row.account,
      tokenId: row.id,
      issuedAt: row.createdAt,
      createdBy: row.maker && row.maker !== row.account ? [row.maker] : undefined,
    });
    if (!revoked) rows.set(row.id, row);
  }
  // Those made by the account, and those of the account when it is an API name.
  const named = email.startsWith("api:")
    ? core.revocations.apiTokens({ name: email.slice(4) })
    : [];
  for (const record of [...core.revocations.apiTokens({ createdBy: email }), ...named]) {
    const account = `api:${record.name}`;
    if (rows.has(record.id)) continue;
    rows.set(record.id, {
      kind: "api",
      id: record.id,
      account,
      name: record.name,
      capabilities: record.capabilities,
      createdAt: record.created_at,
      expiresAt: record.expires_at,
      maker: record.created_by,
    });
  }
  return [...rows.values()];
}

/** The ids of the user tokens the grants of `account` list, read once per account. */
function userTokens(
  core: Core,
  account: string,
  read: Map<string, Promise<Set<string>>>,
): Promise<Set<string>> {
  let ids = read.get(account);
  if (ids === undefined) {
    ids = (core.grants?.tokensOf(account) ?? Promise.resolve([]))
      .then((tokens) => new Set(tokens.map((t) => t.id)));
    read.set(account, ids);
  }
  return ids;
}

function rowOf(entry: AuditEntry): TokenRow | undefined {
  const token = entry.token;
  if (token === undefined) return undefined;
  return {
    kind: token.kind,
    id: token.id,
    account: entry.account,
    ...(token.name === undefined ? {} : { name: token.name }),
    ...(token.capabilities === undefined ? {} : { capabilities: token.capabilities }),
    createdAt: token.issuedAt ?? Math.floor(entry.at / 1000),
    ...(token.expiresAt === undefined ? {} : { expiresAt: token.expiresAt }),
    ...(entry.actor.email === null ? {} : { maker: entry.actor.email }),
  };
}

/**
 * Revokes one token of the list: by id until it would have expired; a user
 * token's grant is let go (revoked at the provider when nothing else uses it).
 */
export async function revokeRow(core: Core, row: TokenRow): Promise<void> {
  const until = (row.expiresAt ?? Math.floor(core.clock() / 1000) + MAX_TOKEN_LIFETIME) * 1000;
  const held = row.kind === "user" && core.grants
    ? (await core.grants.tokensOf(row.account)).find((t) => t.id === row.id)
    : undefined;
  if (held) await revokeUserToken(core, held.grant, row.id, until);
  else await core.revocations.revokeId(row.id, until);
}
