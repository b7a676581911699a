/**
 * What the manager records in its audit trail, and how: the actor of a
 * request (account, credential, client address, user agent) and the entry,
 * appended without ever failing the request (a failure is logged); hand
 * edits of the capability file are noticed when the routes next read it.
 *
 * @module
 */
import type { Context } from "hono";
import type { AuditActor, AuditCredential, AuditLog, AuditRecord } from "./audit_entry.ts";

/** The caller of a request, as the recorder needs it. */
export interface AuditCaller {
  user: { email: string; kind: string; expiresAt?: number | undefined } | null;
  via: string;
}

/** What the recorder needs of a capability store to notice hand edits. */
export interface WatchedStore {
  readonly version: number;
  all(): Promise<ReadonlyMap<string, readonly string[]>>;
}

/** What a `Recorder` is made with. */
export interface RecorderOptions {
  log: AuditLog;
  clock: () => number;
  /** Told when an entry cannot be appended (the change itself stands). */
  report: (message: string) => void;
  /** The client address of a request as the app sees it. */
  clientAddress: (c: Context) => string | undefined;
  /** Whether logins and logouts are recorded. */
  logins: boolean;
}

const MAX_AGENT = 200;

/** The manager's audit recorder. */
export class Recorder {
  readonly log: AuditLog;
  readonly logins: boolean;
  readonly #clock: () => number;
  readonly #report: (message: string) => void;
  readonly #address: (c: Context) => string | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #store: WatchedStore | undefined;
  #seen: number | undefined;
  #snapshot: Map<string, readonly string[]> | undefined;

  constructor(options: RecorderOptions) {
    this.log = options.log;
    this.logins = options.logins;
    this.#clock = options.clock;
    this.#report = options.report;
    this.#address = options.clientAddress;
  }

  /**
   * Runs tasks one at a time, in order (an in-process lock): every change of
   * capabilities through the routes and the page, with its entry, and every
   * look for hand edits, so that a change is never mistaken for one.
   */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Who is acting in request `c`. */
  actor(c: Context, caller: AuditCaller): AuditActor {
    const actor: AuditActor = {
      email: caller.user?.email ?? null,
      credential: credentialOf(caller),
    };
    const address = this.#address(c);
    if (address) actor.address = address.slice(0, 100);
    const agent = c.req.header("user-agent");
    if (agent) actor.userAgent = [...agent].slice(0, MAX_AGENT).join("");
    return actor;
  }

  /** Appends an entry made by `caller` in request `c`; a failure is reported, never thrown. */
  async record(
    c: Context,
    caller: AuditCaller,
    entry: Omit<AuditRecord, "at" | "actor">,
  ): Promise<void> {
    await this.append({ ...entry, at: this.#clock(), actor: this.actor(c, caller) });
  }

  /** Appends `record`; a failure is reported, never thrown. */
  async append(record: AuditRecord): Promise<void> {
    try {
      await this.log.append(record);
    } catch (error) {
      this.#report(
        `the audit trail could not record ${record.kind} of ${record.account}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /** Watches `store` for hand edits, from its current state. */
  watch(store: WatchedStore): void {
    this.#store = store;
  }

  /**
   * Records, as edited in the file, each account whose stored capabilities
   * changed since the last look and whose last entry does not already say so
   * (another process, the CLI or these routes recorded it). The first look
   * takes the file as it is.
   */
  notice(): Promise<void> {
    const store = this.#store;
    if (store === undefined) return Promise.resolve();
    return this.serial(() => this.#notice(store)).catch((error) => {
      this.#report(`looking for hand edits of the capabilities failed: ${error}`);
    });
  }

  /**
   * Told, under `serial`, that the routes wrote `after` for `email` when the
   * store's version was `version`: when nothing else moved the version (it
   * went up by exactly one, from what the last look saw), the look's copy
   * takes the write without comparing every account again.
   */
  wrote(email: string, after: readonly string[], version: number): void {
    const store = this.#store;
    if (store === undefined || this.#snapshot === undefined || this.#seen !== version) return;
    if (store.version !== version + 1) return;
    this.#snapshot.set(email, after);
    this.#seen = store.version;
  }

  async #notice(store: WatchedStore): Promise<void> {
    // Reading checks the file for changes when a check is due.
    const read = await store.all();
    const version = store.version;
    if (version === this.#seen) return;
    const now = new Map(read);
    const before = this.#snapshot;
    this.#snapshot = now;
    this.#seen = version;
    if (before === undefined) return;
    for (const email of new Set([...before.keys(), ...now.keys()])) {
      const was = [...before.get(email) ?? []];
      const is = [...now.get(email) ?? []];
      if (sameSet(was, is)) continue;
      const last = await this.log.query({
        account: email,
        kinds: ["capabilities_changed"],
        limit: 1,
      });
      if (last.entries[0] && sameSet(last.entries[0].after ?? [], is)) continue;
      await this.append({
        at: this.#clock(),
        kind: "capabilities_changed",
        account: email,
        actor: { email: null, credential: "file" },
        via: "file",
        before: was,
        after: is,
      });
    }
  }
}

function credentialOf(caller: AuditCaller): AuditCredential {
  const kind = caller.user?.kind;
  if (kind === "service") return "service_token";
  if (kind === "api") return "api_token";
  if (kind === "forced") return "forced";
  return caller.via === "cookie" ? "session" : "user_token";
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((name) => set.has(name));
}
