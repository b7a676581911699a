// What the manager keeps in a grant record's `data`, and the compare-and-set
// loop through which every change of a record goes.
import type { Identity } from "./oidc/client.ts";
import type { GrantRecord, TokenStore } from "./stores/token_store.ts";

/** What the manager keeps in `GrantRecord.data`. */
export interface GrantData extends Record<string, unknown> {
  /** `{gid, rt?, idt?}` sealed for the "refresh_token" purpose. */
  sealed: string;
  sub: string;
  iss: string;
  name?: string;
  /** Until when (epoch ms) a browser session refers to the grant; 0 when none does. */
  session_until: number;
  /** Ids of the issued user tokens that refer to it (revoked ones are taken out). */
  tokens: string[];
  /** The provider refused the grant, or it was revoked: nothing may use it again. */
  dead?: boolean;
  /** The last validation, shared by every process: who, and until when (epoch ms) it holds. */
  checked?: { until: number; email: string; name?: string };
  /** A process is refreshing at the provider until then (epoch ms): others wait for its answer. */
  lease?: number;
}

/** What a grant's sealed part holds. */
export type Secrets = { rt?: string; idt?: string };

/** Writes tried before a compare-and-set gives up (other writers won each time). */
export const CAS_ATTEMPTS = 8;

/** Other writers won every compare-and-set: a 5xx, logged (it means a store or a process misbehaves). */
export class ContendedGrant extends Error {
  constructor() {
    super("too many concurrent writers of one grant record");
    this.name = "ContendedGrant";
  }
}

/** What a validation proved, in the form kept in the record. */
export function checkedOf(identity: Identity, until: number): GrantData["checked"] {
  return { until, email: identity.email, ...(identity.name ? { name: identity.name } : {}) };
}

/** The answer of the last validation, as every process sharing the store sees it. */
export function lastCheck(data: GrantData): { identity: Identity; until: number } {
  const { until, email, name } = data.checked!;
  const identity: Identity = { email, sub: data.sub, iss: data.iss, ...(name ? { name } : {}) };
  return { identity, until };
}

/**
 * Compare-and-set loop: `fn` gets the current data and returns the new one,
 * or `undefined` to write nothing; `expiresAt` (seconds) can extend the record.
 * @returns The record as stored after the change (or unchanged), `undefined` when gone.
 * @throws {ContendedGrant} When other writers won every attempt.
 */
export async function changeGrant(
  store: TokenStore,
  id: string,
  fn: (data: GrantData) => GrantData | undefined,
  expiresAt?: number,
): Promise<GrantRecord | undefined> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const record = await store.getGrant(id);
    if (!record) return undefined;
    const data = fn(structuredClone(record.data) as GrantData);
    if (data === undefined) return record;
    const next: GrantRecord = {
      ...record,
      version: record.version + 1,
      expires_at: Math.max(record.expires_at, expiresAt ?? 0),
      data,
    };
    if (await store.putGrant(next, record.version)) return next;
  }
  throw new ContendedGrant();
}
