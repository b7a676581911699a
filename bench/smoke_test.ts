// A small run of the benchmarks, so that the bench code cannot rot: it must
// run on Deno and Bun and produce finite numbers. `deno task bench` is the
// real thing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import process from "node:process";
import { capabilityScale } from "./capability_scale.ts";
import { replicas } from "./replicas.ts";
import { postgresLog, postgresLogSection } from "./postgres_log.ts";
import {
  inProcessSections,
  peerSection,
  replicasSection,
  scaleSection,
  testerSection,
} from "./_figures.ts";
import { betterAuthPeer } from "./better_auth.ts";
import { inProcess } from "./in_process.ts";
import { compare } from "./_measure.ts";
import { type Figure, table } from "./_report.ts";
import { testerClients } from "./tester_clients.ts";
import { storage } from "./storage.ts";
import { storageSection } from "./_storage_figures.ts";

function assertFinite(figures: readonly Figure[]): void {
  for (const figure of figures) {
    assert.ok(
      Number.isFinite(figure.value) && figure.value > 0,
      `${figure.id} is ${figure.value}`,
    );
  }
}

describe("the benchmarks", () => {
  it("compare() times each case against its baseline, round by round", async () => {
    let slow = 0;
    const timings = await compare([
      { name: "fast", run: () => Promise.resolve() },
      {
        name: "slow",
        run: () => {
          for (let i = 0; i < 2000; i++) slow += Math.sqrt(i);
          return Promise.resolve();
        },
      },
    ], { rounds: 5, batch: 50, warmup: 10 });
    assert.equal(timings.get("fast")!.ratio, 1);
    assert.ok(timings.get("slow")!.ratio > 1, "the slower case has the larger ratio");
    assert.ok(slow > 0);
  });

  it("measure every in-process figure and the cold paths with finite numbers", async () => {
    const result = await inProcess({ rounds: 2, batch: 20, warmup: 20, cold: 2 });
    const sections = inProcessSections(result);
    assertFinite(sections.flatMap((s) => s.figures));
    assert.equal(result.warm["bearer:bare"].ratio, 1);
    assert.ok(result.warm["oidc-auth"].us > 0);
    assert.match(table(sections), /bearer token \(user\), cached \| \d+\.\d\d× \|/);
  });

  it("measure the capability system and the test helpers on small sizes", async () => {
    const scale = await capabilityScale({
      rounds: 2,
      batch: 50,
      warmup: 50,
      users: 200,
      adds: 2,
      addBudgetMs: 1000,
      loads: 1,
    });
    const tester = await testerClients(3, 1);
    const figures = [...scaleSection(scale).figures, ...testerSection(tester).figures];
    assertFinite(figures);
    assert.equal(scale.addRuns, 2);
    assert.equal(tester.clients, 3);
  });

  it("measure the token store on small sizes, across two processes too", async () => {
    const result = await storage({
      sizes: [20, 200],
      writes: 5,
      catchUps: 3,
      loginSeconds: 1,
      loginConcurrency: 2,
      propagations: 2,
    });
    assertFinite(storageSection(result).figures);
    assert.equal(result.propagation.n, 2);
    assert.equal(result.writes.length, 2);
  });

  const noDatabase = !process.env.DATABASE_URL &&
    "DATABASE_URL is not set: replica figures skipped";
  it("measure the replica figures on PostgreSQL", { skip: noDatabase }, async () => {
    const result = await replicas(process.env.DATABASE_URL!, {
      rounds: 2,
      batch: 20,
      warmup: 20,
      revocations: 3,
      writeSeconds: 0.2,
      pollMs: 50,
    });
    assertFinite(replicasSection(result, 50).figures);
    assert.equal(result.propagation.postgres.n, 3);
    assert.equal(result.propagation.files.n, 3);
  });

  it("measure PostgreSQL writes and catch-up at two sizes", { skip: noDatabase }, async () => {
    const result = await postgresLog(process.env.DATABASE_URL!, { sizes: [100, 1000], ops: 3 });
    assertFinite(postgresLogSection(result).figures);
    assert.deepEqual(result.sizes.map((s) => s.size), [100, 1000]);
  });

  it(
    "measure better-auth beside our session check on PostgreSQL",
    { skip: noDatabase },
    async () => {
      const result = await betterAuthPeer(process.env.DATABASE_URL!, {
        rounds: 2,
        batch: 5,
        warmup: 5,
      });
      assertFinite(peerSection(result).figures);
    },
  );
});
