import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GrantMarks, markId } from "./_grant_marks.ts";

describe("GrantMarks", () => {
  it("makes stale what was read of a grant before a later mark, and only of that grant", () => {
    let now = 1_000_000;
    const marks = new GrantMarks(() => now);
    marks.next(true);
    const read = marks.generation;
    assert.equal(marks.apply("a-token-id", now + 1000, marks.next(false)), false, "not a mark");
    assert.equal(marks.unchangedSince("g", read), true);
    assert.equal(marks.apply(markId("g"), now + 1000, marks.next(false)), true);
    assert.equal(marks.unchangedSince("g", read), false);
    assert.equal(marks.unchangedSince("h", read), true);
    assert.equal(marks.unchangedSince("g", marks.generation), true, "read after the mark");
    now += 1000;
    marks.sweep(now);
    assert.equal(marks.unchangedSince("g", read), true, "the mark is kept no longer");
  });

  it("makes stale everything read before a reset, though the store's revisions went back", () => {
    const marks = new GrantMarks(() => 0);
    marks.next(true);
    const read = marks.generation;
    marks.next(true);
    assert.equal(marks.unchangedSince("g", read), false);
    assert.equal(marks.unchangedSince("g", marks.generation), true);
  });

  it("limits what is read of a grant to a minute after a mark was applied", () => {
    let now = 0;
    const marks = new GrantMarks(() => now);
    assert.equal(marks.cacheLimit("g"), Infinity);
    marks.apply(markId("g"), 86_400_000, marks.next(false));
    now = 30_000;
    assert.equal(marks.cacheLimit("g"), 60_000);
    now = 60_000;
    assert.equal(marks.cacheLimit("g"), Infinity);
  });
});
