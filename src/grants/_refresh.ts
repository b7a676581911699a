// A grant validated at the provider: its refresh token used (under the lease
// of _lease.ts), the rotated one stored, and a refusal ending the grant.
import { type Identity, type OidcClient, TokenRefused } from "../oidc/client.ts";
import type { Sealer } from "../crypto/seal.ts";
import { type GrantRecord, MAX_TOKEN_LIFETIME, type TokenStore } from "../stores/token_store.ts";
import { changeGrant, checkedOf, type GrantData, type Secrets } from "./grant_data.ts";
import { leaseGrant } from "./_lease.ts";

/** Thrown when a grant is gone, dead or unusable: the token holding it is invalid. */
export class GrantEnded extends Error {
  constructor(message = "The login behind this token has ended; get a new token.") {
    super(message);
    this.name = "GrantEnded";
  }
}

/** What refreshing a grant works with: its manager's store, sealer, clock and provider. */
export interface GrantContext {
  store: TokenStore;
  sealer: Sealer;
  clock: () => number;
  oidc: OidcClient;
}

/**
 * One validation of a grant, shared by the processes that use the store:
 * a fresh `checked` is used as is; else this process takes the grant's
 * lease (compare-and-set), refreshes, and stores the rotated refresh token
 * and the answer, while the others wait for it.
 */
export async function refreshGrant(
  context: GrantContext,
  id: string,
): Promise<{ identity: Identity; until: number }> {
  const step = await leaseGrant(context.store, id, context.clock);
  if (!step) throw new GrantEnded();
  return "answer" in step ? step.answer : await refreshLeased(context, step.leased);
}

async function refreshLeased(
  { store, sealer, oidc, clock }: GrantContext,
  record: GrantRecord,
): Promise<{ identity: Identity; until: number }> {
  const data = record.data as GrantData;
  const secrets = await openSecrets(sealer, record);
  let result;
  try {
    if (!secrets?.rt) throw new GrantEnded();
    result = await oidc.refresh(secrets.rt, { iss: data.iss, sub: data.sub });
  } catch (error) {
    const refused = error instanceof TokenRefused || error instanceof GrantEnded;
    await changeGrant(
      store,
      record.id,
      // `refused`: the provider ended it (sessions and tokens made from it end too).
      ({ lease: _, ...rest }) => ({ ...rest, ...(refused ? { dead: true, refused: true } : {}) }),
      // Kept as long as a token made under it may live: those tokens ask it.
      refused ? () => Math.floor(clock() / 1000) + MAX_TOKEN_LIFETIME : undefined,
    );
    throw error;
  }
  const rotated = result.refreshToken && result.refreshToken !== secrets.rt
    ? await sealer.seal("refresh_token", {
      gid: record.id,
      ...secrets,
      rt: result.refreshToken,
    })
    : undefined;
  const checked = checkedOf(result.identity, result.expiresAt);
  let ended = true;
  await changeGrant(store, record.id, ({ lease: _, ...rest }) => {
    ended = rest.dead === true;
    return ended ? undefined : { ...rest, ...(rotated ? { sealed: rotated } : {}), checked };
  });
  if (ended) {
    // Revoked (or gone) while the provider answered: the rotated refresh
    // token is not stored, so it is revoked now, lest it stay live there.
    if (rotated) await oidc.revoke(result.refreshToken!).catch(() => false);
    throw new GrantEnded();
  }
  return { identity: result.identity, until: result.expiresAt };
}

/** The secrets sealed in a grant record, `undefined` when they do not open. */
export async function openSecrets(
  sealer: Sealer,
  record: GrantRecord,
): Promise<Secrets | undefined> {
  const sealed = (record.data as GrantData).sealed;
  const opened = typeof sealed === "string"
    ? await sealer.open<Secrets & { gid?: string }>("refresh_token", sealed)
    : null;
  // Bound to its record: a sealed value copied into another record does not open there.
  if (!opened || opened.gid !== record.id) return undefined;
  return { rt: opened.rt, idt: opened.idt };
}
