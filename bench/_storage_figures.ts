// Section 7 (the token store) as a table section, each figure with its target.
import type { Figure, Section } from "./_report.ts";
import type { StorageResult } from "./storage.ts";

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Section 7: the default token store (SQLite). */
export function storageSection(r: StorageResult): Section {
  const first = r.writes[0], last = r.writes[r.writes.length - 1];
  const growth = (kind: "mint" | "revoke"): Figure => {
    const key = kind === "mint" ? "mintMs" : "revokeMs";
    const value = last[key] / first[key];
    return {
      id: `storage.${kind}_growth`,
      label: `${kind === "mint" ? "mint (a login's grant record)" : "revoke a token"} at ${
        last.size.toLocaleString("en-US")
      } ÷ at ${first.size.toLocaleString("en-US")} records`,
      value,
      unit: "ratio",
      detail: r.writes.map((w) => `${w.size.toLocaleString("en-US")}: ${ms(w[key])}`).join(", "),
      target: "≤ 1.3×",
      pass: value <= 1.3,
    };
  };
  const slices = r.logins.slices;
  const head = slices.slice(0, 3), tail = slices.slice(-3);
  const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const decline = avg(tail) / avg(head);
  const loginRatio = r.logins.sqlite / r.logins.memory;
  return {
    title: "7. The token store (SQLite, the default)",
    figures: [
      growth("mint"),
      growth("revoke"),
      {
        id: "storage.catch_up",
        label: `a replica's catch-up after one change, ${
          last.size.toLocaleString("en-US")
        } revoked ids`,
        value: r.catchUpMs,
        unit: "ms",
        detail: "changesSince(revision) on another connection",
        target: "≤ 5 ms",
        pass: r.catchUpMs <= 5,
      },
      {
        id: "storage.logins",
        label: "logins/s, default store ÷ MemoryTokenStore",
        value: loginRatio,
        unit: "ratio",
        detail: `${r.logins.sqlite.toFixed(0)}/s vs ${
          r.logins.memory.toFixed(0)
        }/s, ${slices.length} s each`,
        target: "≥ 0.7×",
        pass: loginRatio >= 0.7,
      },
      {
        id: "storage.logins_decline",
        label: "logins/s on the default store, last 3 s ÷ first 3 s",
        value: decline,
        unit: "ratio",
        detail: `per second: ${slices.join(", ")}`,
        target: "≥ 0.9× (no decline)",
        pass: decline >= 0.9,
      },
      {
        id: "storage.propagation",
        label: "revocation through process A refused by process B (one SQLite file), p99",
        value: r.propagation.p99,
        unit: "ms",
        detail: `p50 ${r.propagation.p50.toFixed(1)} ms, ${r.propagation.n} revocations`,
        target: "≤ 100 ms",
        pass: r.propagation.p99 <= 100,
      },
      {
        id: "storage.startup",
        label: `start-up: open and load a replica's view, ${
          r.startup.size.toLocaleString("en-US")
        } revoked ids and grants`,
        value: r.startup.ms,
        unit: "ms",
        detail: `RSS +${r.startup.mb.toFixed(1)} MB`,
      },
    ],
  };
}
