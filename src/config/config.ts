/**
 * Loading `OAuthManager` options from a configuration file in the format of
 * the Python package easy-oauth (snake_case keys, serieux-encrypted secrets).
 *
 * @module
 */
import type { OAuthManagerOptions } from "../options.ts";
import { analyzeConfig, problemsError } from "./load.ts";

/**
 * How `loadConfig` reads a configuration.
 *
 * @example
 * ```ts
 * import type { LoadConfigOptions } from "@easy-oauth/hono";
 * const options: LoadConfigOptions = { password: "change_me!!1", baseDir: "./conf" };
 * ```
 */
export interface LoadConfigOptions {
  /**
   * The password of the encrypted values (`~CRYPT~…`). Needed only when the
   * configuration has some; like serieux, `SERIEUX_PASSWORD` is read from the
   * environment when it is not given.
   * @default {env.SERIEUX_PASSWORD}
   */
  password?: string | undefined;
  /**
   * The environment variables to read `SERIEUX_PASSWORD` from (a testing seam).
   * @default {process.env, in Deno (with --allow-env) and Bun alike}
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * The folder that a relative `user_file` starts from.
   * @default {the configuration file's folder, or the working directory for an object}
   */
  baseDir?: string | undefined;
}

/**
 * Reads a configuration written for the Python package (a YAML or JSON file,
 * or an object already parsed, e.g. a section of a larger configuration),
 * opens its encrypted values and validates it.
 *
 * Keys are those of the Python package (`server_metadata_url`, `secret_key`,
 * `client_id`, `client_secret`, `client_kwargs`, `capabilities` with `graph`,
 * `auto_admin`, `user_file`, `user_overrides`, `default_capabilities`,
 * `guest_capabilities`, `prefix`, `force_user`) plus `base_url`,
 * `trusted_origins`, `token_endpoint_auth_method`, `provider_logout`,
 * `allowed_domains` and `allowed_tenants`; their camelCase names are
 * accepted too.
 *
 * @param source A path, a `file:` URL, or a configuration object.
 * @param options The password of encrypted values and the base folder.
 * @returns The options for `new OAuthManager(…)`.
 * @throws {ConfigError} For a missing, oversized or unparsable file and for
 * every invalid key or value: its `path` is the first problem's, its message
 * lists them all (`config.yaml: capabilities.graph.write: "reed" is not a
 * capability (did you mean "read"?)`).
 * @throws {TypeError} When `source` is neither a path, a `file:` URL nor an object.
 *
 * @example
 * ```ts
 * import { loadConfig } from "@easy-oauth/hono";
 * const options = await loadConfig({
 *   server_metadata_url: "http://127.0.0.1:29313/.well-known/openid-configuration",
 *   secret_key: "<SECRET_KEY: the output of easy-oauth secret>",
 *   client_id: "my-client",
 *   capabilities: { graph: { read: [], write: ["read"] }, auto_admin: true },
 * });
 * options.clientId; // "my-client"
 * ```
 */
export async function loadConfig(
  source: string | URL | Readonly<Record<string, unknown>>,
  options: LoadConfigOptions = {},
): Promise<OAuthManagerOptions> {
  if (options.env !== undefined && (typeof options.env !== "object" || options.env === null)) {
    throw new TypeError('"env" must be an object of environment variables');
  }
  const password = options.password ?? passwordFromEnv(options.env ?? processEnv());
  const analysis = await analyzeConfig(source, { password, baseDir: options.baseDir });
  if (analysis.problems.length > 0) throw problemsError(analysis.problems, analysis.file);
  return analysis.options!;
}

/** `SERIEUX_PASSWORD`, as serieux reads it; an empty one counts as none. */
function passwordFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env.SERIEUX_PASSWORD;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The process's environment (Deno and Bun both have `process.env`), or none when it cannot be read. */
function processEnv(): Readonly<Record<string, string | undefined>> {
  const process =
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  try {
    // Reading it may need a permission (Deno's --allow-env): without one, there is no variable.
    return { SERIEUX_PASSWORD: process?.env?.SERIEUX_PASSWORD };
  } catch {
    return {};
  }
}
