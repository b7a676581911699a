/**
 * OAuth / OpenID Connect login, bearer tokens for scripts, and
 * capability-based authorization for Hono apps on Deno and Bun: the port of
 * Python's `easy-oauth`, with the same routes, JSON and capability file.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { CapabilitySet, type OAuthEnv, OAuthManager } from "@easy-oauth/hono";
 *
 * const oauth = new OAuthManager({
 *   serverMetadataUrl: "https://accounts.google.com/.well-known/openid-configuration",
 *   secretKey: "<SECRET_KEY: the output of easy-oauth secret>",
 *   clientId: "CLIENT_ID",
 *   clientSecret: "CLIENT_SECRET",
 *   clientKwargs: { scope: "openid email", prompt: "select_account" },
 *   capabilities: new CapabilitySet({
 *     graph: { read: [], write: ["read"], announce: ["read", "write"], user_management: [] },
 *     autoAdmin: true,
 *     userFile: "caps.yaml",
 *     defaultCapabilities: ["read"],
 *   }),
 * });
 *
 * const app = new Hono<OAuthEnv>();
 * oauth.install(app);
 * app.get("/shout", oauth.requireCapability("announce", { redirect: true }), (c) =>
 *   c.text(`${c.var.email} shouts ${JSON.stringify(c.req.query("message"))}`));
 * ```
 *
 * @module
 */
export { OAuthManager, type RequireOptions } from "./src/manager.ts";
export type { ForcedUser, OAuthManagerOptions } from "./src/options.ts";
export type { FetchFunction } from "./src/http/http.ts";
export { loadConfig, type LoadConfigOptions } from "./src/config/config.ts";
export { decryptValue, encryptValue, isEncrypted } from "./src/config/serieux_crypt.ts";
export type { OAuthEnv, OAuthUser, OAuthUserKind, TokenParent } from "./src/env.ts";
export { CapabilitySet } from "./src/capabilities/capabilities.ts";
export { CapabilityError, type CapabilityErrorCode } from "./src/capabilities/capability_error.ts";
export type { CapabilityChange, CapabilityGuard } from "./src/capabilities/guard.ts";
export type { CapabilitySetOptions } from "./src/capabilities/options.ts";
export type { CapabilityStore } from "./src/stores/capability_store.ts";
export { MemoryCapabilityStore } from "./src/stores/memory_store.ts";
export { FileCapabilityStore, type FileCapabilityStoreOptions } from "./src/stores/file_store.ts";
export {
  AUDIT_KINDS,
  type AuditActor,
  type AuditCredential,
  type AuditEntry,
  type AuditKind,
  type AuditLog,
  type AuditLogOptions,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type AuditToken,
  DEFAULT_RETENTION,
  toJsonLines,
} from "./src/audit/audit_entry.ts";
export { MAX_PAGE } from "./src/audit/paging.ts";
export { MemoryAuditLog } from "./src/audit/memory_audit_log.ts";
export { SqliteAuditLog } from "./src/audit/sqlite_audit_log.ts";
export type {
  ApiTokenRecord,
  GrantRecord,
  TokenChange,
  TokenChanges,
  TokenStore,
  TokenStoreOptions,
} from "./src/stores/token_store.ts";
export { MemoryTokenStore } from "./src/stores/memory_token_store.ts";
export { SqliteStore, type SqliteStoreOptions } from "./src/stores/sqlite_store.ts";
export { SqliteCapabilityStore } from "./src/stores/sqlite_capability_store.ts";
export type { TokenEndpointAuthMethod } from "./src/oidc/_client_auth.ts";
export {
  ConfigError,
  type ErrorBody,
  type ErrorCode,
  StoreLimitError,
  StoreUnavailable,
} from "./src/errors.ts";
