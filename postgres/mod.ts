/**
 * State shared by several replicas through PostgreSQL (porsager's `postgres`
 * client): capabilities, revocations, API tokens and grant records. A
 * separate entry point, so that the core imports no database client.
 *
 * @example
 * ```ts ignore
 * import { PostgresStore } from "@easy-oauth/hono/postgres";
 *
 * await using pg = await PostgresStore.connect(Deno.env.get("DATABASE_URL")!, { schema: "easy_oauth" });
 * // new OAuthManager({ …, capabilities: { graph, store: pg.capabilities }, tokenStore: pg.tokens })
 * ```
 *
 * @module
 */
export { type PostgresConnectOptions, PostgresStore, type PostgresStoreOptions } from "./store.ts";
export { PostgresCapabilityStore } from "./capability_store.ts";
export { PostgresTokenStore } from "./token_store.ts";
export { SCHEMA_VERSION } from "./_migrations.ts";
export { PostgresAuditLog, type PostgresAuditLogOptions } from "./audit_log.ts";
