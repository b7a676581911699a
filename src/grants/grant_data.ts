// What the manager keeps in a grant record's `data`, and the compare-and-set
// loop through which every change of a record goes.
import type { Identity } from "../oidc/client.ts";
import { canonicalEmail } from "../_email.ts";
import type { GrantRecord, TokenStore } from "../stores/token_store.ts";
import type { LoginRef } from "./provider_logout.ts";

/** A live grant, as `mint` and `/logout` see it. */
export interface GrantView {
  id: string;
  email: string;
  hasRefreshToken: boolean;
  /** Whether it came from an offline login (see `GrantData.offline`). */
  offline: boolean;
}

/** Most live tokens an account may hold from `/token` at once. */
export const MAX_TOKENS_PER_ACCOUNT = 100;
/**
 * Most grant records an account may have: past it, a new login lets go of
 * the account's dead records and its oldest logins no token refers to. Above
 * the token bound, so that logins holding tokens are never the ones let go.
 */
export const MAX_GRANTS_PER_ACCOUNT = MAX_TOKENS_PER_ACCOUNT + 20;

/** What `Grants.validate` answers: who holds the grant, until when, and the plain login it is (if so). */
export interface Validated {
  identity: Identity;
  /** Epoch ms. */
  until: number;
  /** Set for a plain (not offline) login, which a back-channel logout ends. */
  login?: LoginRef;
}

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
  /**
   * Those of `tokens` that made other tokens (service or API tokens): such a
   * token's id stays revoked until it would have expired, as the tokens it
   * made are checked against it.
   */
  makers?: string[] | undefined;
  /**
   * The login asked for offline access (`offline_access`, Google's
   * `access_type=offline`): only such a grant mints tokens at `/token`, as a
   * refresh token some providers issue to any login (Keycloak) is bound to the
   * provider's session and dies with it.
   */
  offline?: boolean;
  /** The provider's session id (the ID token's `sid`), for a back-channel logout naming it. */
  sid?: string;
  /** When the login happened (seconds since the epoch). */
  since?: number;
  /** The provider refused the grant, or it was revoked: nothing may use it again. */
  dead?: boolean | undefined;
  /** The provider refused it (`invalid_grant`): whatever it was made for ends too. */
  refused?: boolean | undefined;
  /** The last validation, shared by every process: who, and until when (epoch ms) it holds. */
  checked?: { until: number; email: string; name?: string } | undefined;
  /** A process is refreshing at the provider until then (epoch ms): others wait for its answer. */
  lease?: number | undefined;
}

/**
 * The plain login a record is, which a back-channel logout ends; `undefined`
 * for an offline login's (Back-Channel Logout 1.0 §2.7).
 */
export function loginOf(data: GrantData): LoginRef | undefined {
  if (data.offline) return undefined;
  const login: LoginRef = { iss: data.iss, sub: data.sub, since: data.since ?? 0 };
  return data.sid ? { ...login, sid: data.sid } : login;
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
 * What a change of a record makes of its data: the new data, or `undefined`
 * to write nothing. It may first write elsewhere what must be stored before
 * the record changes (it runs again, from a fresh read, when the write loses).
 */
export type GrantChange = (
  data: GrantData,
  record: GrantRecord,
) => GrantData | undefined | Promise<GrantData | undefined>;

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
  fn: GrantChange,
  expiry: (expiresAt: number) => number = (expiresAt) => expiresAt,
): Promise<GrantRecord | undefined> {
  return serialized(store, `grant:${id}`, () => casLoop(store, id, fn, expiry));
}

async function casLoop(
  store: TokenStore,
  id: string,
  fn: GrantChange,
  expiry: (expiresAt: number) => number,
): Promise<GrantRecord | undefined> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const record = await store.getGrant(id);
    if (!record) return undefined;
    const data = await fn(structuredClone(record.data) as GrantData, record);
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
