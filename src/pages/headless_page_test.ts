import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { confirmPage, headlessCancelledPage, headlessDonePage } from "./headless_page.ts";

describe("headless login pages", () => {
  it("offer ways out of the confirmation page: Cancel and a link home", async () => {
    const page = await confirmPage({
      action: "/login/headless/x",
      confirmKey: "k",
      userCode: "ABCD-EFGH",
      startedAt: 0,
      now: 60_000,
      tokenLifetime: 86_400,
    })
      .text();
    assert.match(page, /<button id="cancel" type="submit">Cancel this login<\/button>/);
    assert.match(page, /<a id="home" href="\/">Home<\/a>/);
  });

  it("say, once done, that the tool got a token and this browser no session", async () => {
    const res = headlessDonePage("ann@example.com");
    const page = await res.text();
    assert.match(page, /<h1>The command-line tool is logged in<\/h1>/);
    assert.match(page, /now has a token for <strong>ann@example.com<\/strong>/);
    assert.match(page, /This browser is not logged in to the app by it \(it got no session\)/);
    assert.doesNotMatch(page, /You are logged in/);
    assert.match(page, /<a id="home" href="\/">Home<\/a>/);
  });

  it("offer a link home once cancelled", async () => {
    const page = await headlessCancelledPage().text();
    assert.match(page, /<h1>Login cancelled<\/h1>/);
    assert.match(page, /<a id="home" href="\/">Home<\/a>/);
  });
});
