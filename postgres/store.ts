/**
 * `PostgresStore`: the capability store and the token store of several
 * replicas, shared through PostgreSQL.
 *
 * @module
 */
import postgres from "postgres";
import { Feed } from "./_feed.ts";
import { migrate } from "./_migrations.ts";
import { SCHEMA_NAME, type Sql } from "./_sql.ts";
import { LOG_RETENTION } from "../src/stores/token_store.ts";
import { PostgresCapabilityStore } from "./capability_store.ts";
import { PostgresTokenStore } from "./token_store.ts";

/** The options of `PostgresStore.connect` and `PostgresStore.fromClient`. */
export interface PostgresStoreOptions {
  /**
   * The schema holding the tables, created when missing (a lower-case identifier).
   * @default {"easy_oauth"}
   */
  schema?: string | undefined;
  /**
   * Told when the connection drops and comes back (writes answer 503 meanwhile).
   * @default {console.error}
   */
  log?: (message: string) => void;
  /**
   * The time in epoch milliseconds, for expiry and the change log's retention.
   * @default {Date.now}
   */
  clock?: () => number;
  /**
   * Milliseconds a change log entry is kept: a replica that has not caught up
   * for longer reads the whole state once.
   * @default {86_400_000 (a day)}
   */
  logRetention?: number;
}

/** What `connect` adds to the options of `fromClient`. */
export interface PostgresConnectOptions extends PostgresStoreOptions {
  /**
   * Connections in the pool, for writes and for reading the log after a change (requests are
   * checked from memory).
   * @default {4}
   */
  max?: number | undefined;
  /**
   * Seconds to wait for a connection before a write answers 503.
   * @default {5}
   */
  connectTimeout?: number | undefined;
}

/**
 * The state that replicas share, in PostgreSQL: `capabilities` (a
 * `CapabilityStore`) and `tokens` (a `TokenStore`). Each replica keeps its
 * own view in memory, so that checking a request never waits for the
 * database. Every write is one statement that changes its rows and appends
 * to a change log with the next revision; a `NOTIFY` carrying that revision
 * wakes the replicas, which read the log after the revision they have, from
 * the tables, with this store's privileges. A notification is only a hint:
 * one sent by anyone else changes nothing, and a flood of them costs
 * coalesced reads that find nothing. After a dropped connection, the store
 * reconnects by itself and catches up; until then, known credentials keep
 * working from memory, writes answer 503, and `log` says so.
 *
 * @example
 * ```ts ignore
 * import { CapabilitySet, OAuthManager } from "@easy-oauth/hono";
 * import { PostgresStore } from "@easy-oauth/hono/postgres";
 *
 * await using pg = await PostgresStore.connect(Deno.env.get("DATABASE_URL")!, { schema: "easy_oauth" });
 * const oauth = new OAuthManager({
 *   serverMetadataUrl: "https://accounts.google.com/.well-known/openid-configuration",
 *   secretKey: Deno.env.get("SECRET_KEY")!,
 *   clientId: "CLIENT_ID",
 *   clientSecret: "CLIENT_SECRET",
 *   capabilities: new CapabilitySet({ graph: { read: [], write: ["read"] }, store: pg.capabilities }),
 *   tokenStore: pg.tokens,
 * });
 * ```
 */
export class PostgresStore implements AsyncDisposable {
  /** Who holds which capabilities. */
  readonly capabilities: PostgresCapabilityStore;
  /** Revocations, API tokens and grant records. */
  readonly tokens: PostgresTokenStore;
  /** The schema in use. */
  readonly schema: string;
  readonly #sql: Sql;
  readonly #listener: Sql;
  readonly #feed: Feed;
  readonly #owned: boolean;

  private constructor(sql: Sql, options: StoreSettings, owned: boolean) {
    this.#sql = sql;
    this.#owned = owned;
    this.schema = options.schema;
    const channel = `${options.schema}_changes`;
    this.capabilities = new PostgresCapabilityStore(sql, options.schema, channel);
    this.tokens = new PostgresTokenStore(
      sql,
      options.schema,
      channel,
      options.clock,
      options.logRetention,
    );
    let started = false;
    const target = {
      hint: (payload: string) => this.#hint(payload),
      catchUp: async () => {
        if (started) await this.capabilities.catchUp();
        else await this.capabilities.reload();
        started = true;
        this.tokens.hinted();
      },
    };
    let feed: Feed | undefined;
    this.#listener = postgres({
      ...sql.options,
      max: 1,
      // The feed paces its own reconnection (100 ms, doubling to 2 s): no back-off of the client's.
      backoff: 0,
      idle_timeout: null,
      max_lifetime: null,
      onnotice: () => {},
      connection: { ...sql.options.connection, application_name: `easy-oauth feed ${channel}` },
      onnotify: (channel: string, payload: string) => feed?.notified(channel, payload),
      onclose: () => feed?.dropped(),
    } as never) as unknown as Sql;
    this.#feed = feed = new Feed(this.#listener, channel, target, options.log);
  }

  /**
   * Connects to `url`, creates or updates the schema, and loads everything.
   *
   * @param url A `postgres://` connection string.
   * @param options See `PostgresConnectOptions`.
   * @returns The store, connected and loaded.
   * @throws {TypeError} On a bad option, naming it.
   * @throws When the database cannot be reached or the schema is newer than this code.
   */
  static async connect(url: string, options: PostgresConnectOptions = {}): Promise<PostgresStore> {
    if (typeof url !== "string" || !/^postgres(ql)?:\/\//.test(url)) {
      throw new TypeError('"url" must be a postgres:// connection string');
    }
    const { max = 4, connectTimeout = 5, ...rest } = options;
    if (!Number.isInteger(max) || max < 1) throw new TypeError('"max" must be a positive integer');
    if (!(connectTimeout > 0)) throw new TypeError('"connectTimeout" must be a positive number');
    const checked = storeOptions(rest);
    const sql = postgres(url, {
      max,
      connect_timeout: connectTimeout,
      // After an outage, writes reconnect within a second (the default waits up to 20 s).
      backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
      onnotice: () => {},
    }) as unknown as Sql;
    try {
      return await PostgresStore.#open(sql, checked, true);
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
  }

  /**
   * Uses the app's own `postgres` client for writes (a second connection of
   * the same settings listens for changes). `close()` leaves `sql` open.
   *
   * @param sql A client made by `postgres(…)`.
   * @param options See `PostgresStoreOptions`.
   * @returns The store, loaded.
   * @throws {TypeError} On a bad option, naming it.
   */
  static async fromClient(
    sql: unknown,
    options: PostgresStoreOptions = {},
  ): Promise<PostgresStore> {
    if (typeof sql !== "function" || typeof (sql as Sql).begin !== "function") {
      throw new TypeError('"sql" must be a client made by postgres() (npm:postgres)');
    }
    return await PostgresStore.#open(sql as Sql, storeOptions(options), false);
  }

  static async #open(
    sql: Sql,
    options: StoreSettings,
    owned: boolean,
  ): Promise<PostgresStore> {
    await migrate(sql, options.schema);
    const store = new PostgresStore(sql, options, owned);
    try {
      await store.#feed.start();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Whether the change feed is connected (false while the database is unreachable). */
  get connected(): boolean {
    return this.#feed.healthy;
  }

  /** Stops listening and closes the connections this store opened. */
  async close(): Promise<void> {
    this.#feed.close();
    await this.#listener.end({ timeout: 1 });
    if (this.#owned) await this.#sql.end({ timeout: 5 });
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A NOTIFY's payload says which log moved and to which revision; a hint, nothing more. */
  #hint(payload: string): void {
    const hint = /^([ct]) (\d{1,15})$/.exec(payload);
    if (hint?.[1] !== "t") this.capabilities.hinted(hint ? Number(hint[2]) : undefined);
    if (hint?.[1] !== "c") this.tokens.hinted();
  }
}

/** Every option, set. */
type StoreSettings = {
  [K in keyof PostgresStoreOptions]-?: Exclude<PostgresStoreOptions[K], undefined>;
};

function storeOptions(options: PostgresStoreOptions): StoreSettings {
  const {
    schema = "easy_oauth",
    log = console.error,
    clock = Date.now,
    logRetention = LOG_RETENTION,
  } = options;
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new TypeError('"schema" must be a lower-case identifier like "easy_oauth"');
  }
  if (typeof log !== "function") throw new TypeError('"log" must be a function');
  if (typeof clock !== "function") throw new TypeError('"clock" must be a function');
  if (typeof logRetention !== "number" || !(logRetention > 0)) {
    throw new TypeError('"logRetention" must be a positive number of milliseconds');
  }
  return { schema, log, clock, logRetention };
}
