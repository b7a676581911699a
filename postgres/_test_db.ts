// For the PostgreSQL tests: the database of DATABASE_URL (CI starts one in
// .ci/postgres.sh), a fresh schema per test, and waiting for replicas.
import postgres from "postgres";
import process from "node:process";

/** The database to test against, or undefined (then the tests are skipped, visibly). */
export const DATABASE_URL: string | undefined = process.env.DATABASE_URL || undefined;

if (DATABASE_URL === undefined) {
  if (process.env.CI) throw new Error("CI must set DATABASE_URL (see .ci/postgres.sh)");
  console.warn(
    "!! DATABASE_URL is not set: the PostgreSQL tests are SKIPPED (see .ci/postgres.sh)",
  );
}

/** `skip` for `test()`: the reason when there is no database. */
export const skip: string | false = DATABASE_URL === undefined
  ? "DATABASE_URL is not set: PostgreSQL tests skipped"
  : false;

/** A schema name no other test uses. */
export function freshSchema(): string {
  return `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** Drops a test's schema. */
export async function dropSchema(schema: string): Promise<void> {
  const sql = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop schema if exists "${schema}" cascade`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
