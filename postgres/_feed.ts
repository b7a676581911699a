// The change feed of one replica: a dedicated connection that LISTENs on the
// schema's channel and hands each NOTIFY to the stores as a hint to read the
// log (never as state: any role that can connect may send one), and after a
// dropped connection reconnects and has the stores catch up on what they missed.
// postgres.js's own `sql.listen()` re-listens after a drop but gives up when
// the server is still down at that moment, and does not say when it is back;
// we need both, so the loop is ours.
import type { Sql } from "./_sql.ts";

/** What the feed drives. */
export interface FeedTarget {
  /** A NOTIFY arrived: its payload, untrusted, a hint of what to read at most. */
  hint(payload: string): void;
  /** Listening (again): read what may have been missed before. */
  catchUp(): Promise<void>;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/** The LISTEN connection of one `PostgresStore`. */
export class Feed {
  readonly #sql: Sql;
  readonly #channel: string;
  readonly #target: FeedTarget;
  readonly #log: (message: string) => void;
  #healthy = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #connecting: Promise<void> | undefined;
  #droppedWhileConnecting = false;

  /** `sql`: a client with `max: 1` whose `onnotify` and `onclose` call `notified` and `dropped`. */
  constructor(sql: Sql, channel: string, target: FeedTarget, log: (message: string) => void) {
    this.#sql = sql;
    this.#channel = channel;
    this.#target = target;
    this.#log = log;
  }

  /** Whether the feed is connected and up to date. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Connects, listens and catches up; rejects when the database cannot be reached. */
  start(): Promise<void> {
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
      if (this.#droppedWhileConnecting && this.#healthy) this.dropped();
    });
    return this.#connecting;
  }

  /** For the client's `onnotify`. */
  notified(channel: string, payload: string): void {
    if (channel !== this.#channel || this.#closed) return;
    this.#target.hint(payload);
  }

  /** For the client's `onclose`: the connection dropped. */
  dropped(): void {
    if (this.#closed) return;
    if (this.#connecting) {
      // Handled when the attempt ends: it may have succeeded on the connection that just dropped.
      this.#droppedWhileConnecting = true;
      return;
    }
    if (this.#healthy) {
      this.#healthy = false;
      this.#log(
        "easy-oauth: lost the PostgreSQL connection; serving from memory, writes answer 503 until it is back",
      );
    }
    this.#schedule();
  }

  /** Stops listening and reconnecting. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #connect(): Promise<void> {
    this.#droppedWhileConnecting = false;
    // Listening first: a change committed after the catch-up's read is hinted.
    await this.#sql.unsafe(`listen "${this.#channel}"`);
    await this.#target.catchUp();
    this.#healthy = true;
    this.#retryMs = FIRST_RETRY_MS;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.start().then(
        () => this.#log("easy-oauth: PostgreSQL is back; caught up, writes accepted again"),
        () => {
          this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
          if (!this.#closed) this.#schedule();
        },
      );
    }, this.#retryMs);
  }
}
