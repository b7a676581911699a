import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type CapsFile, editCapsFile, parseCapsFile } from "./_caps_file.ts";

const FILE = "caps.yaml";

function edit(text: string, email: string, next: readonly string[] | undefined): CapsFile {
  return editCapsFile(parseCapsFile(text, FILE), email, next, FILE);
}

/** A small deterministic pseudo-random generator (the same cases on every run). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

/** Files of every shape the store may meet, spliceable or not. */
const SHAPES = [
  "",
  "# only a comment",
  "# Who may do what.\nfriend@x.com:\n  - moderate\n  # since May\n  - announce\n" +
  "boss@x.com:\n  - admin # the boss\nflow@x.com: [read, write]\nnone@x.com: []\n",
  "a@x:   [read]   # odd spacing\n\n# about b\nb@x:\n- write\n- read\n  # indented\n# end\n",
  "%YAML 1.2\n---\na@x: [read]\n'quoted@x': [write]\n",
  "%YAML 1.1\n---\na@x: [read]\n",
  "a@x: [read]\r\nb@x:\r\n  - write\r\n",
  "a@x: [read]\nb@x:\n  - write",
  "a@x: [read]\n...\n",
  "a@x: &caps\n  - read\nb@x: *caps\nc@x: [write]\n",
  "{a@x: [read], b@x: []}\n",
  "  a@x: [read]\n  b@x: []\n",
  "a@x:\n  - |\n    block\nb@x: [read]\n",
  "a@x: !!seq [read]\nb@x: [\n  write, read]\n",
  "a@x: [&r read]\nb@x: [*r, write]\n",
  "a@x: []\n        # a deeply indented comment\nb@x: [write]\n",
];
const EMAILS = ["a@x", "b@x", "new@x", "__proto__", "-dash@x", "a#b@x", "*star@x", "it's@x"];
const NAMES = [
  "read",
  "write",
  "yes",
  "null",
  "1",
  "- x",
  "#c",
  "a: b",
  "[x]",
  "multi\nline",
  "",
  "a capability name long enough for YAML to fold it over two lines when it writes the list",
];

describe("editCapsFile", () => {
  it("replaces only the changed account's lines, leaving the others as they were written", () => {
    const text = "# Who may do what.\na@x:   [read]   # odd spacing\n\n" +
      "b@x:\n- write\n'c@x': [ read ]\n";
    const edited = edit(text, "b@x", ["write", "read"]);
    assert.equal(
      edited.text,
      "# Who may do what.\na@x:   [read]   # odd spacing\n\n" +
        "b@x:\n  - write\n  - read\n'c@x': [ read ]\n",
    );
    assert.deepEqual([...edited.users], [["a@x", ["read"]], ["b@x", ["write", "read"]], [
      "c@x",
      ["read"],
    ]]);
    assert.ok(edited.layout, "the result can be spliced again");
  });

  it("appends a new account after the last one, before the closing comments", () => {
    const edited = edit("a@x: [read]\n\n# the end\n", "b@x", ["write"]);
    assert.equal(edited.text, "a@x: [read]\nb@x:\n  - write\n\n# the end\n");
    assert.equal(edit("a@x: [read]", "b@x", []).text, "a@x: [read]\nb@x: []\n");
  });

  it("removes the comment lines right above a removed account and keeps the others", () => {
    const text = "# header\na@x: [read]\n\n# group\n\n# about b\nb@x:\n  - write\n  # b's last\n" +
      "c@x: []\n";
    assert.equal(
      edit(text, "b@x", undefined).text,
      "# header\na@x: [read]\n\n# group\n\n  # b's last\nc@x: []\n",
    );
    assert.equal(edit(text, "a@x", undefined).text.slice(0, 9), "# header\n");
  });

  it("edits the whole document when accounts share an anchor, are a flow mapping or hold block text", () => {
    for (const text of [SHAPES[9], SHAPES[10], SHAPES[12]]) {
      assert.equal(parseCapsFile(text, FILE).layout, undefined, text);
      const edited = edit(text, "b@x", ["read", "write"]);
      assert.deepEqual(parseCapsFile(edited.text, FILE).users.get("b@x"), ["read", "write"]);
    }
  });

  it("never splices in lines that would swallow the comment lines below them", () => {
    // A block scalar (`|-`) takes in the more indented lines that follow it.
    const text = "a@x: []\n        # a deeply indented comment\nb@x: [write]\n";
    const edited = edit(text, "a@x", ["multi\nline"]);
    assert.deepEqual(parseCapsFile(edited.text, FILE).users.get("a@x"), ["multi\nline"]);
    const appended = edit("a@x: []\n        # deep\n", "b@x", ["multi\nline"]);
    assert.deepEqual(parseCapsFile(appended.text, FILE).users.get("b@x"), ["multi\nline"]);
  });

  it("writes text that reads back as exactly the intended accounts, edit after edit, whatever the file", () => {
    const next = random(42);
    for (const shape of SHAPES) {
      let file = parseCapsFile(shape, FILE);
      const expected = new Map(file.users);
      for (let step = 0; step < 30; step++) {
        const email = EMAILS[next(EMAILS.length)];
        const list = next(5) === 0
          ? undefined
          : Array.from({ length: next(4) }, () => NAMES[next(NAMES.length)]);
        if (list === undefined && !expected.has(email)) continue;
        try {
          file = editCapsFile(file, email, list, FILE);
        } catch (error) {
          // Only an edit that would change accounts sharing an anchor may be refused.
          assert.match(String(error), /YAML anchors/);
          assert.ok(shape.includes("&"), `${JSON.stringify(shape)}: ${error}`);
          continue;
        }
        if (list === undefined) expected.delete(email);
        else expected.set(email, list);
        const reread = parseCapsFile(file.text, FILE);
        const context = `${JSON.stringify(shape)}, step ${step}: ${JSON.stringify(file.text)}`;
        assert.deepEqual(new Map(reread.users), expected, context);
        assert.deepEqual(new Map(file.users), expected, context);
      }
    }
  });
});
