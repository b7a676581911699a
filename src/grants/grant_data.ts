// What the manager keeps in a grant record's `data`, and the compare-and-set
// loop through which every change of a record goes.
import type { Identity } from "../oidc/client.ts";
import { canonicalEmail } from "../_email.ts";
import type { GrantRecord, TokenStore } from "../stores/token_store.ts";

/** What the manager keeps in `GrantRecord.data`. */
export interface GrantData extends Record<string, unknown> {
  /** `{gid, rt?, idt?}` sealed for the "refresh_token" purpose. */
  sealed: string;
  sub: string;
  iss: string;
  name?: string | undefined;
  /** Until when (epoch ms) a browser session refers to the grant; 0 when none does. */
  session_until: number;
  /** Ids of the issued user tokens that refer to it (revoked ones are taken out). */
  tokens: string[];
  /** The provider refused the grant, or it was revoked: nothing may use it again. */
  dead?: boolean | undefined;
  /** The provider refused it (`invalid_grant`): whatever it was made for ends too. */
  refused?: boolean | undefined;
  /** The last validation, shared by every process: who, and until when (epoch ms) it holds. */
  checked?: { until: number; email: string; name?: string } | undefined;
  /** A process is refreshing at the provider until then (epoch ms): others wait for its answer. */
  lease?: number | undefined;
}

/** What a grant's sealed part holds. */
export type Secrets = { rt?: string | undefined; idt?: string | undefined };

/** Writes tried before a compare-and-set gives up (other writers won each time). */
export const CAS_ATTEMPTS = 8;

/**
 * Other processes won every compare-and-set (writers within this process wait
 * in line, see {@link serialized}): a 503 with `Retry-After`, logged.
 */
export class ContendedGrant extends Error {
  constructor() {
    super("too many concurrent writers of one grant record");
    this.name = "ContendedGrant";
  }
}

/** Per store, the tail of the queue of each key (a grant id, or an account). */
const queues = new WeakMap<TokenStore, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` after every earlier call for the same store and `key` settled, so
 * that changes of one record within this process never race each other and a
 * compare-and-set only ever loses to another process. Keys are taken in one
 * order (an account, then a grant) and never nested on the same key.
 */
export function serialized<T>(store: TokenStore, key: string, fn: () => Promise<T>): Promise<T> {
  let tails = queues.get(store);
  if (!tails) queues.set(store, tails = new Map());
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => {});
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}

/** What a validation proved, in the form kept in the record. */
export function checkedOf(identity: Identity, until: number): GrantData["checked"] {
  return {
    until,
    email: canonicalEmail(identity.email),
    ...(identity.name ? { name: identity.name } : {}),
  };
}

/** The answer of the last validation, as every process sharing the store sees it. */
export function lastCheck(data: GrantData): { identity: Identity; until: number } {
  const { until, email, name } = data.checked!;
  const identity: Identity = { email, sub: data.sub, iss: data.iss, ...(name ? { name } : {}) };
  return { identity, until };
}

/**
 * Compare-and-set loop: `fn` gets the current data and returns the new one,
 * or `undefined` to write nothing; `expiry` gets the record's `expires_at`
 * (seconds) after `fn` ran, and returns the new one.
 * @returns The record as stored after the change (or unchanged), `undefined` when gone.
 * @throws {ContendedGrant} When other writers won every attempt.
 */
export function changeGrant(
  store: TokenStore,
  id: string,
  fn: (data: GrantData) => GrantData | undefined,
  expiry: (expiresAt: number) => number = (expiresAt) => expiresAt,
): Promise<GrantRecord | undefined> {
  return serialized(store, `grant:${id}`, () => casLoop(store, id, fn, expiry));
}

async function casLoop(
  store: TokenStore,
  id: string,
  fn: (data: GrantData) => GrantData | undefined,
  expiry: (expiresAt: number) => number,
): Promise<GrantRecord | undefined> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const record = await store.getGrant(id);
    if (!record) return undefined;
    const data = fn(structuredClone(record.data) as GrantData);
    if (data === undefined) return record;
    const next: GrantRecord = {
      ...record,
      version: record.version + 1,
      expires_at: expiry(record.expires_at),
      data,
    };
    if (await store.putGrant(next, record.version)) return next;
  }
  throw new ContendedGrant();
}
