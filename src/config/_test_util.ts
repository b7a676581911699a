// What the configuration tests share: the Python package's example file, a
// minimal one, and temporary files to load them from.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "./config.ts";
import { ConfigError } from "../errors.ts";

export const VECTOR_CONFIG = fileURLToPath(
  new URL("../../testdata/serieux-encrypted-config.yaml", import.meta.url),
);
export const PASSWORD = "change_me!!1";
export const SECRET = "FSFi0JVwvwaVhox2ZlS7IvQkXWoNwLeWZuBQGQgiC7k";

export const UPSTREAM = `# The README's example, with a long enough secret.
server_metadata_url: https://accounts.google.com/.well-known/openid-configuration
secret_key: "${SECRET}"
client_id: "<CLIENT_ID>"
client_secret: "<CLIENT_SECRET>"
client_kwargs:
  scope: openid email
  prompt: select_account
capabilities:
  graph:
    read: []
    write: [read]
    moderate: [read, write]
    announce: [read, write]
    user_management: []
  auto_admin: true
  user_file: caps.yaml
  default_capabilities: [read]
  guest_capabilities: []
prefix: ""
`;

const dirs: string[] = [];

/** Removes the temporary folders: each test file runs it `after` its tests. */
export async function removeConfigDirs(): Promise<void> {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes `text` as config.yaml in a fresh temporary folder; returns its path. */
export async function configFile(text: string, name = "config.yaml"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-config-"));
  dirs.push(dir);
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The ConfigError that loading `text` (as config.yaml) rejects with. */
export async function loadError(text: string, password?: string): Promise<ConfigError> {
  const file = await configFile(text);
  try {
    await loadConfig(file, { password });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

/** The upstream example with `edit` applied to its text. */
export function upstream(edit: (text: string) => string): string {
  return edit(UPSTREAM);
}

export const MINIMAL = `server_metadata_url: http://127.0.0.1:29313/.well-known/openid-configuration
secret_key: ${SECRET}
client_id: app
`;
