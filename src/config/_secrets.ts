// Opens the encrypted values (`~CRYPT~…`) found anywhere in a configuration.
import { ConfigError } from "../errors.ts";
import { decryptValue, isEncrypted } from "./serieux_crypt.ts";
import { type ConfigPath, isMapping, type Problems, UNCHECKED } from "./_checks.ts";

/** The problem recorded for an encrypted value when no password was given. */
export const NO_PASSWORD = "is encrypted; pass a password (SERIEUX_PASSWORD)";

/** What `openSecrets` found. */
export interface OpenedSecrets {
  /** The configuration with encrypted values replaced by their plaintext (or `UNCHECKED`). */
  readonly value: unknown;
  /** Where encrypted values were. */
  readonly encrypted: readonly ConfigPath[];
}

/**
 * Replaces each encrypted string with its decrypted value. Without a password,
 * each becomes `UNCHECKED` and, unless `allowMissingPassword`, a problem.
 */
export async function openSecrets(
  value: unknown,
  password: string | undefined,
  problems: Problems,
  allowMissingPassword = false,
): Promise<OpenedSecrets> {
  const encrypted: ConfigPath[] = [];
  async function walk(node: unknown, path: ConfigPath): Promise<unknown> {
    if (isEncrypted(node)) {
      encrypted.push(path);
      if (password === undefined) {
        if (!allowMissingPassword) problems.add(path, NO_PASSWORD);
        return UNCHECKED;
      }
      try {
        return await decryptValue(node, password);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.add(path, err.problem);
        return UNCHECKED;
      }
    }
    if (Array.isArray(node)) return Promise.all(node.map((item, i) => walk(item, [...path, i])));
    if (isMapping(node)) {
      const entries = await Promise.all(
        Object.entries(node).map(async ([k, v]) => [k, await walk(v, [...path, k])] as const),
      );
      return Object.fromEntries(entries);
    }
    return node;
  }
  return { value: await walk(value, []), encrypted };
}
