// The measurements turned into table sections, each figure with its target.
import type { ScaleResult } from "./capability_scale.ts";
import type { HttpResult } from "./http.ts";
import type { InProcessResult } from "./in_process.ts";
import type { Figure, Section } from "./_report.ts";
import type { Latency, ReplicasResult } from "./replicas.ts";
import type { PeerResult } from "./better_auth.ts";
import type { TesterResult } from "./tester_clients.ts";

const us = (value: number) => `${value.toFixed(2)} µs`;
const rps = (value: number) => Math.round(value).toLocaleString("en-US");

/** Figure 1 (warm requests) and 2 (cold paths). */
export function inProcessSections(r: InProcessResult): Section[] {
  const warm = (name: string) => r.warm[name];
  const peer = warm("oidc-auth").ratio;
  const ratio = (id: string, name: string, label: string, target?: "cached"): Figure => {
    const t = warm(name);
    const base = warm(`${name.split(":")[0]}:bare`);
    const figure: Figure = {
      id: `in_process.${id}`,
      label,
      value: t.ratio,
      unit: "ratio",
      detail: `${us(t.us)} vs ${us(base.us)} bare (±${(t.spread * 100).toFixed(0)}%)`,
    };
    if (target) {
      figure.target = `≤ 1.25× and < @hono/oidc-auth (${peer.toFixed(1)}×)`;
      figure.pass = t.ratio <= 1.25 && t.ratio < peer;
    }
    return figure;
  };
  const oidcConfig = warm("oidc-auth-config");
  return [
    {
      title: "1. In process (app.request), per request, as a ratio to the bare route",
      figures: [
        ratio("bearer", "bearer", "bearer token (user), cached", "cached"),
        ratio("session", "session", "session cookie, cached", "cached"),
        ratio("service", "service", "service token (GET /token?user=)"),
        ratio("guest", "guest", "guest on a guest capability"),
        ratio("floor_bearer", "bearer:floor", "empty middleware of the same shape (bearer)"),
        ratio("floor_session", "session:floor", "empty middleware of the same shape (cookie)"),
        ratio("floor_guest", "guest:floor", "empty middleware of the same shape (guest)"),
        ratio("oidc_auth", "oidc-auth", "@hono/oidc-auth, valid session (env vars)"),
        {
          id: "in_process.oidc_auth_config",
          label: "@hono/oidc-auth, configured in code",
          value: oidcConfig.ratio,
          unit: "ratio",
          detail: us(oidcConfig.us),
        },
      ],
    },
    {
      title: "2. Cold paths (first request with a credential never seen)",
      figures: [
        {
          id: "cold.token",
          label: "user token: decrypt + refresh at the provider (mock, loopback)",
          value: r.coldTokenMs,
          unit: "ms",
          detail: "median",
        },
        {
          id: "cold.session",
          label: "session cookie: decrypt",
          value: r.coldSessionMs,
          unit: "ms",
          detail: "median",
        },
      ],
    },
  ];
}

/** Figure 3: HTTP throughput, per runtime. */
export function httpSection(results: readonly HttpResult[], tool: string): Section {
  const figures: Figure[] = [];
  for (const r of results) {
    const server = r.runtime === "bun" ? "Bun.serve" : "Deno.serve";
    // A route with more work cannot answer faster: if it seems to, the load
    // generator set the pace, not the server.
    const invalid = r.ratio > 1.02 || r.floorRatio > 1.02
      ? "the load generator was the bottleneck (install wrk)"
      : undefined;
    figures.push({
      invalid,
      id: `http.${r.runtime}`,
      label: `${server}: protected (bearer, cached) ÷ bare`,
      value: r.ratio,
      unit: "ratio",
      detail: `${rps(r.protectedRps)} vs ${rps(r.bareRps)} req/s`,
      target: "≥ 0.90×",
      pass: r.ratio >= 0.9,
    }, {
      id: `http.${r.runtime}_floor`,
      label: `${server}: empty middleware of the same shape ÷ bare`,
      value: r.floorRatio,
      unit: "ratio",
      detail: `${rps(r.floorRps)} req/s`,
    });
  }
  return { title: `3. HTTP throughput, loopback (${tool})`, figures };
}

/** Figure 4: the capability system at scale. */
export function scaleSection(r: ScaleResult): Section {
  const users = r.users.toLocaleString("en-US");
  return {
    title: "4. Capabilities at scale",
    figures: [
      {
        id: "caps.graph",
        label: "check: 1,000 capabilities (chains 50 deep) ÷ 10",
        value: r.graphRatio,
        unit: "ratio",
        detail: `${us(r.check1000Us)} vs ${us(r.check10Us)}`,
        target: "≤ 1.5×",
        pass: r.graphRatio <= 1.5,
      },
      {
        id: "caps.load",
        label: `${users}-user file: load`,
        value: r.loadMs,
        unit: "ms",
        detail: "new CapabilitySet + first check, median",
      },
      {
        id: "caps.users",
        label: `check: ${users}-user file ÷ 10-user file`,
        value: r.usersRatio,
        unit: "ratio",
        detail: `${us(r.checkLargeFileUs)} vs ${us(r.checkSmallFileUs)}`,
        target: "≤ 1.25× (unaffected)",
        pass: r.usersRatio <= 1.25,
      },
      {
        id: "caps.add",
        label: `${users}-user file: POST /manage_capabilities/add`,
        value: r.addMs,
        unit: "ms",
        detail: `median of ${r.addRuns}, atomic write with fsync`,
        target: "≤ 50 ms",
        pass: r.addMs <= 50,
      },
    ],
  };
}

/** Figure 5: the test helpers. */
export function testerSection(r: TesterResult): Section {
  return {
    title: "5. Test helpers",
    figures: [{
      id: "tester.clients",
      label: `${r.clients} AppTester clients logged in concurrently`,
      value: r.totalMs,
      unit: "ms",
      detail: `${r.perClientMs.toFixed(2)} ms per client`,
      target: "≤ 1,000 ms",
      pass: r.totalMs <= 1000,
    }],
  };
}

/** Figure 6: several replicas on shared state. */
export function replicasSection(r: ReplicasResult | { skipped: string }, _pollMs: number): Section {
  const title = "6. Several replicas (shared state)";
  if ("skipped" in r) {
    return {
      title,
      figures: [{
        id: "replicas.skipped",
        label: "PostgreSQL figures",
        value: NaN,
        unit: "ratio",
        invalid: `not measured: ${r.skipped}`,
      }],
    };
  }
  const latency = (kind: "postgres" | "files", p: Latency, target: number): Figure => {
    return {
      id: `replicas.propagation_${kind}`,
      label: `revocation through replica A refused by replica B (${
        kind === "postgres"
          ? "PostgreSQL, NOTIFY as a hint, log read"
          : `caps.db (SQLite), another connection`
      }), p99`,
      value: p.p99,
      unit: "ms",
      detail: `p50 ${p.p50.toFixed(1)} ms, ${p.n} revocations, from the revoke request`,
      target: `≤ ${target} ms`,
      pass: p.p99 <= target,
    };
  };
  const figures: Figure[] = [
    {
      id: "replicas.bearer",
      label: "cached bearer check: PostgreSQL store ÷ memory store",
      value: r.bearer.ratio,
      unit: "ratio",
      detail: `${us(r.bearer.postgresUs)} vs ${us(r.bearer.memoryUs)} (±${
        (r.bearer.spread * 100).toFixed(0)
      }%)`,
      target: "≤ 1.05× (nothing on the hot path)",
      pass: r.bearer.ratio <= 1.05,
    },
    latency("postgres", r.propagation.postgres, 50),
  ];
  figures.push(latency("files", r.propagation.files, 100));
  figures.push(
    {
      id: "replicas.writes_distinct",
      label: "capability writes/s, 3 replicas × 8 writers, different accounts",
      value: r.writes.distinct,
      unit: "/s",
      detail: "PostgreSQL, one compare-and-set statement each",
    },
    {
      id: "replicas.writes_same",
      label: "capability writes/s, 3 replicas × 8 writers, one account",
      value: r.writes.same,
      unit: "/s",
      detail: "every write contends (retried compare-and-set)",
    },
  );
  return { title, figures };
}

/** Figure 7: better-auth and @hono/oidc-auth beside our session check. */
export function peerSection(r: PeerResult | { skipped: string }): Section {
  const title = "7. Cached session check beside the peers (in process, ratio to the bare route)";
  if ("skipped" in r) {
    return {
      title,
      figures: [{
        id: "peers.skipped",
        label: "better-auth figures",
        value: NaN,
        unit: "ratio",
        invalid: `not measured: ${r.skipped}`,
      }],
    };
  }
  const peers = ["oidc-auth", "better-auth-cache", "better-auth-nocache"];
  const best = Math.min(...peers.map((name) => r[name].ratio));
  const row = (name: string, label: string): Figure => ({
    id: `peers.${name.replaceAll("-", "_")}`,
    label,
    value: r[name].ratio,
    unit: "ratio",
    detail: `${us(r[name].us)} vs ${us(r[`${name}:bare`].us)} bare (±${
      (r[name].spread * 100).toFixed(0)
    }%)`,
  });
  return {
    title,
    figures: [
      {
        ...row("ours", "easy-oauth: session cookie, cached"),
        target: `< every peer (best ${best.toFixed(1)}×)`,
        pass: r.ours.ratio < best,
      },
      row("oidc-auth", "@hono/oidc-auth: session cookie"),
      row("better-auth-cache", "better-auth (PostgreSQL via pg): session, cookie cache on"),
      row("better-auth-nocache", "better-auth (PostgreSQL via pg): session, cookie cache off"),
    ],
  };
}
