// `easy-oauth caps import|export --postgres URL`: moves capabilities between
// a capability file and a PostgreSQL store. The data round-trips exactly
// (accounts in order, lists in order, empty lists kept); comments stay the
// file's business.
import { stat } from "node:fs/promises";
import { stringify } from "yaml";
import { FileCapabilityStore } from "../src/stores/file_store.ts";
import type { PostgresStore } from "../postgres/mod.ts";
import { type CliIO, CommandError, UsageError } from "./_io.ts";

/** What `import` and `export` were given. */
export interface TransferArgs {
  postgres: string | undefined;
  schema: string | undefined;
  replace: boolean;
}

async function connect(args: TransferArgs, action: string): Promise<PostgresStore> {
  if (args.postgres === undefined) {
    throw new UsageError(`caps ${action}: --postgres URL is required`);
  }
  // Loaded here only: the `postgres` client is an optional dependency, and the
  // other commands run without it.
  let store: typeof PostgresStore;
  try {
    ({ PostgresStore: store } = await import("../postgres/mod.ts"));
  } catch (error) {
    throw new CommandError(
      `caps ${action}: the "postgres" package is missing (add it: npm:postgres@^3.4.7): ` +
        (error as Error).message.split("\n")[0],
    );
  }
  try {
    return await store.connect(args.postgres, {
      schema: args.schema,
      log: () => {},
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`caps ${action}: ${error.message}`);
    throw new CommandError(`caps ${action}: cannot use the database: ${(error as Error).message}`);
  }
}

/** Writes every account of `file` to the database (and, with `replace`, deletes the others). */
export async function importCaps(file: string, args: TransferArgs, io: CliIO): Promise<void> {
  const exists = await stat(file).then(() => true, () => false);
  if (!exists) throw new CommandError(`caps import: ${file} does not exist`);
  const accounts = await new FileCapabilityStore(file, {
    onError: () => {},
  }).all();
  await using pg = await connect(args, "import");
  let changed = 0, removed = 0;
  for (const [email, list] of accounts) {
    const before = await pg.capabilities.get(email);
    await pg.capabilities.update(email, () => list);
    if (before === undefined || before.join("\n") !== list.join("\n")) changed++;
  }
  if (args.replace) {
    for (const email of (await pg.capabilities.all()).keys()) {
      if (accounts.has(email)) continue;
      await pg.capabilities.update(email, () => undefined);
      removed++;
    }
  }
  io.stderr(
    `caps import: ${accounts.size} accounts read, ${changed} written, ${removed} removed ` +
      `(schema "${pg.schema}")\n`,
  );
}

/** Prints the database's accounts as a capability file. */
export async function exportCaps(args: TransferArgs, io: CliIO): Promise<void> {
  await using pg = await connect(args, "export");
  const accounts = await pg.capabilities.all();
  const map = new Map([...accounts].map(([email, list]) => [email, [...list]]));
  io.stdout(map.size === 0 ? "{}\n" : stringify(map));
}
