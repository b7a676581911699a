import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findCycles, folderGraph } from "./no_circles.ts";

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe("the import-circle check", () => {
  it("finds a circle between two files", () => {
    const cycles = findCycles(graph({ "src/a.ts": ["src/b.ts"], "src/b.ts": ["src/a.ts"] }));
    assert.deepEqual(cycles, [["src/a.ts", "src/b.ts", "src/a.ts"]]);
  });

  it("finds none in a layered graph", () => {
    const layered = graph({
      "src/routes/r.ts": ["src/login/l.ts", "src/http/h.ts"],
      "src/login/l.ts": ["src/http/h.ts"],
      "src/http/h.ts": [],
    });
    assert.deepEqual(findCycles(layered), []);
    assert.deepEqual(findCycles(folderGraph(layered)), []);
  });

  it("finds a circle between folders whose files import no file back", () => {
    const folders = folderGraph(graph({
      "src/login/a.ts": ["src/routes/b.ts"],
      "src/routes/c.ts": ["src/login/d.ts"],
    }));
    assert.deepEqual(findCycles(folders), [["src/login", "src/routes", "src/login"]]);
  });

  it("leaves tests out of the folder layers and keeps root files apart", () => {
    const folders = folderGraph(graph({
      "src/stores/s_test.ts": ["src/credentials/c.ts"],
      "src/credentials/c.ts": ["src/stores/s.ts"],
      "src/_core.ts": ["src/credentials/c.ts"],
      "src/credentials/d.ts": ["src/errors.ts"],
    }));
    assert.deepEqual(findCycles(folders), []);
  });
});
