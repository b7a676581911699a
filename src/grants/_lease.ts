// The lease through which one process at a time refreshes a grant at the
// provider, while the others sharing the store wait for its answer.
import type { Identity } from "../oidc/client.ts";
import type { GrantRecord, TokenStore } from "../stores/token_store.ts";
import {
  CAS_ATTEMPTS,
  ContendedGrant,
  type GrantData,
  lastCheck,
  serialized,
} from "./grant_data.ts";

/**
 * How long a refresh may hold a grant (ms): longer than the two provider calls
 * it makes (token endpoint and userinfo, 10 s each at most), so that no other
 * process refreshes the same refresh token meanwhile, which a provider that
 * rotates them takes for a replay (RFC 9700 §4.14.2) and answers by revoking
 * the grant.
 */
const LEASE_MS = 30_000;
/** Pause between two looks at a grant another process is refreshing (ms). */
const LEASE_POLL_MS = 50;

type Answer = { identity: Identity; until: number };

/**
 * A fresh `checked` answer of the grant, or its lease taken (compare-and-set)
 * for this process to refresh; waits while another process holds it.
 * @returns `undefined` when the grant is gone or dead.
 * @throws {ContendedGrant} When other processes won every compare-and-set.
 */
export async function leaseGrant(
  store: TokenStore,
  id: string,
  clock: () => number,
): Promise<{ answer: Answer } | { leased: GrantRecord } | undefined> {
  let lost = 0;
  for (let waited = 0;; waited += LEASE_POLL_MS) {
    const step = await serialized(store, `grant:${id}`, () => look(store, id, clock(), waited));
    if (!step || !("lost" in step)) return step;
    if (step.lost && ++lost >= CAS_ATTEMPTS) throw new ContendedGrant();
    if (!step.lost) await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
  }
}

/** One look at a grant: its answer, its lease, or why not (`lost`: another process wrote first). */
async function look(
  store: TokenStore,
  id: string,
  now: number,
  waited: number,
): Promise<{ answer: Answer } | { leased: GrantRecord } | { lost: boolean } | undefined> {
  const record = await store.getGrant(id);
  const data = record?.data as GrantData | undefined;
  if (!record || !data || data.dead) return undefined;
  if (data.checked && data.checked.until > now) return { answer: lastCheck(data) };
  if (data.lease && data.lease > now && waited < LEASE_MS) return { lost: false };
  const leased = {
    ...record,
    version: record.version + 1,
    data: { ...data, lease: now + LEASE_MS },
  };
  return (await store.putGrant(leased, record.version)) ? { leased } : { lost: true };
}
