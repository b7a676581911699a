// The database of the replica figures: DATABASE_URL when set, else a
// throwaway cluster of the PostgreSQL found on this machine (as .ci/run does),
// else none (the figures say why they are missing).
import { existsSync, readdirSync } from "node:fs";
import process from "node:process";
import { startCluster } from "../postgres/_test_cluster.ts";

function serverBinaries(): string | undefined {
  if (process.env.EASY_OAUTH_PG_BIN) return process.env.EASY_OAUTH_PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  return versions.map((v) => `${root}/${v}/bin`).find((bin) => existsSync(`${bin}/initdb`));
}

/** Runs `measure` on a database, or says why there is none. */
export async function withDatabase<T>(
  measure: (url: string) => Promise<T>,
): Promise<T | { skipped: string }> {
  if (process.env.DATABASE_URL) return await measure(process.env.DATABASE_URL);
  const bin = serverBinaries();
  if (bin === undefined) {
    return {
      skipped: "no DATABASE_URL and no PostgreSQL server installed (apt-get install postgresql)",
    };
  }
  await using cluster = await startCluster(bin);
  return await measure(cluster.url);
}
