// The walk through the demo, step by step: what a person does and sees.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Step } from "./_walk.ts";
import { startCli } from "./_cli.ts";

/** On the mock's login page: log in as `email` (a recent email's button when there is one). */
async function logInAtMock(page: Page, provider: string, email: string, name?: string) {
  await page.waitForURL((url) => url.href.startsWith(provider));
  assert.equal(await page.locator("h1").innerText(), "Mock provider: log in");
  const recent = page.locator(`button[name="mock_pick"][value="${email}"]`);
  if (name === undefined && await recent.count() === 1) return await recent.click();
  await page.locator("#email").fill(email);
  if (name !== undefined) await page.locator("#name").fill(name);
  await page.locator("#login").click();
}

/** The steps of `deno task e2e`, in order; each leaves the page for the next. */
export const STEPS: Step[] = [
  {
    name: "a guest sees the home page",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/`);
      assert.match(await page.locator("body").innerText(), /You are nobody \(a guest\)/);
    },
  },
  {
    name: "a protected page sends the guest to the mock's login page and back",
    async run({ page, demo, shot }) {
      await page.goto(`${demo.app}/shout?message=hello`);
      assert.equal(await page.locator("#email").inputValue(), "test@example.com");
      await shot("mock-login-page");
      await logInAtMock(page, demo.provider, "test@example.com", "Tess Ting");
      await page.waitForURL(`${demo.app}/shout?message=hello`);
      assert.equal(await page.locator("body").innerText(), 'test@example.com shouts "hello"');
    },
  },
  {
    name: "the /token page shows the token, copied with its button, and it works with fetch",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/token`);
      // The page before the second, offline login says why the provider asks again.
      assert.match(await page.locator("body").innerText(), /needs offline access/);
      await page.locator("#continue").click();
      await logInAtMock(page, demo.provider, "test@example.com");
      await page.waitForURL(`${demo.app}/token`);
      assert.equal(new URL(page.url()).search, "", "a clean /token, without code or state");
      assert.equal(await page.locator("#email").innerText(), "test@example.com");
      assert.match(await page.locator("#expires").innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      await page.locator("#copy").click();
      await page.locator("#copy", { hasText: "Copied" }).waitFor();
      // A string: the page runs it, and this file is type-checked without the DOM.
      const token = String(await page.evaluate("navigator.clipboard.readText()"));
      assert.equal(token, await page.locator("#token").inputValue());
      const curl = await page.locator("#curl").innerText();
      assert.equal(curl, `curl -H "Authorization: Bearer ${token}" ${demo.app}/token/whoami`);
      const res = await fetch(`${demo.app}/read`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(await res.text(), "test@example.com reads");
    },
  },
  {
    name: "a reload of /token hands over a token again, without a second login",
    async run({ page, demo }) {
      const before = await page.locator("#token").inputValue();
      await page.reload();
      assert.equal(page.url(), `${demo.app}/token`);
      assert.notEqual(await page.locator("#token").inputValue(), before);
    },
  },
  {
    name: "switching user on the mock's page, a user without the capability sees a 403 page",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/login?next=%2Fshout%3Fmessage%3Dhi`);
      await logInAtMock(page, demo.provider, "pierre-jean-jacques@youhou.fr");
      await page.waitForURL(`${demo.app}/shout?message=hi`);
      assert.equal(await page.locator("h1").innerText(), "You are not allowed to see this");
      assert.match(
        await page.locator("#detail").innerText(),
        /This needs the "announce" capability\./,
      );
      assert.equal(
        await page.locator("#who").innerText(),
        "You are logged in as pierre-jean-jacques@youhou.fr.",
      );
    },
  },
  {
    name: "logging in as someone else from the 403 page comes back to the page",
    async run({ page, demo }) {
      await page.locator("#switch-user").click();
      await logInAtMock(page, demo.provider, "friend@rainbows.com");
      await page.waitForURL(`${demo.app}/shout?message=hi`);
      assert.equal(await page.locator("body").innerText(), 'friend@rainbows.com shouts "hi"');
    },
  },
  {
    name:
      "a headless login started by easy-oauth login in another process completes in the browser",
    async run({ page, demo, shot }) {
      await using cli = startCli(["login", "--url", demo.app]);
      const printed = await cli.stderrUntil(/code; continue only if it matches: (\S+)/);
      const loginUrl = /^ {2}(http\S+)$/m.exec(printed)![1];
      const userCode = /matches: (\S+)/.exec(printed)![1];
      await page.goto(loginUrl);
      assert.equal(await page.locator("#user-code").innerText(), userCode);
      await shot("confirmation-page");
      await page.locator("#continue").click();
      await logInAtMock(page, demo.provider, "friend@rainbows.com");
      await page.locator("#done").waitFor();
      assert.match(
        await page.locator("#done").innerText(),
        /now has a token for friend@rainbows\.com/,
      );
      const token = (await cli.stdout()).trim();
      const res = await fetch(`${demo.app}/read`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(await res.text(), "friend@rainbows.com reads");
    },
  },
  {
    name: "logging out from the home page makes a guest again",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/`);
      assert.match(await page.locator("body").innerText(), /You are friend@rainbows\.com/);
      await page.locator('a[href="/logout"]').click();
      await page.waitForURL(`${demo.app}/`);
      assert.match(await page.locator("body").innerText(), /You are nobody \(a guest\)/);
    },
  },
  {
    name: "denying on the mock's page ends on a 400 page that offers to log in again",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/login`);
      await page.waitForURL((url) => url.href.startsWith(demo.provider));
      await page.locator("#deny").click();
      await page.waitForURL((url) => url.href.startsWith(`${demo.app}/auth`));
      assert.equal(await page.locator("h1").innerText(), "This request could not be completed");
      assert.match(await page.locator("p.muted").innerText(), /access_denied/);
      assert.equal(await page.locator("#log-in").getAttribute("href"), "/login?next=%2F");
    },
  },
  {
    name: "the demo's admin opens the admin page from the home page and finds an account",
    async run({ page, demo, shot }) {
      await page.goto(`${demo.app}/login?next=%2F`);
      await logInAtMock(page, demo.provider, "test@example.com");
      await page.waitForURL(`${demo.app}/`);
      await page.locator("#admin-page").click();
      await page.waitForURL(`${demo.app}/manage_capabilities/`);
      assert.equal(await page.locator("h1").innerText(), "Accounts and capabilities");
      await shot("accounts");
      await page.locator('input[name="q"]').fill("pierre");
      await page.locator('button:has-text("Search")').click();
      assert.match(await page.locator("#count").innerText(), /^1 account\./);
      await page.locator('#accounts a:has-text("pierre-jean-jacques@youhou.fr")').click();
      assert.equal(await page.locator("#account").innerText(), "pierre-jean-jacques@youhou.fr");
    },
  },
  {
    name: "a capability granted on the admin page is used at once",
    async run({ page, demo, shot }) {
      await page.locator("#add-announce").click();
      assert.equal(await page.locator("#notice").innerText(), "Added announce.");
      assert.match(await page.locator("#stored").innerText(), /announce/);
      await shot("granted");
      // The same user who met a 403 page earlier, now holding "announce".
      await page.goto(`${demo.app}/login?next=%2Fshout%3Fmessage%3Dgranted`);
      await logInAtMock(page, demo.provider, "pierre-jean-jacques@youhou.fr");
      await page.waitForURL(`${demo.app}/shout?message=granted`);
      assert.equal(
        await page.locator("body").innerText(),
        'pierre-jean-jacques@youhou.fr shouts "granted"',
      );
    },
  },
  {
    name: "a token revoked on the admin page stops working, and both changes are in the history",
    async run({ page, demo, shot }) {
      // A token for scripts: an offline login at the mock first, as step 3
      // (pierre is logged in: a page first says why the provider asks again).
      await page.goto(`${demo.app}/token`);
      assert.match(await page.locator("body").innerText(), /needs offline access/);
      await page.locator("#continue").click();
      await logInAtMock(page, demo.provider, "pierre-jean-jacques@youhou.fr");
      await page.waitForURL(`${demo.app}/token`);
      const token = await page.locator("#token").inputValue();
      const read = () =>
        fetch(`${demo.app}/read`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await read()).status, 200);
      await page.goto(`${demo.app}/login?next=%2Fmanage_capabilities%2F`);
      await logInAtMock(page, demo.provider, "test@example.com");
      await page.waitForURL(`${demo.app}/manage_capabilities/`);
      await page.goto(
        `${demo.app}/manage_capabilities/account?email=pierre-jean-jacques%40youhou.fr`,
      );
      const row = page.locator("#tokens tbody tr", { hasText: "user" }).first();
      assert.equal(await row.count(), 1, "pierre's token is in circulation");
      assert.ok(!(await page.content()).includes(token), "the page never shows the token");
      await shot("tokens");
      await row.locator('button:has-text("Revoke")').click();
      assert.match(await page.locator("#notice").innerText(), /^Revoked the user token /);
      const after = await read();
      assert.equal(after.status, 401, "the revoked token no longer works");
      await after.body?.cancel();
      const history = await page.locator("#history").innerText();
      assert.match(history, /token revoked pierre-jean-jacques@youhou\.fr/);
      assert.match(history, /capabilities: read → read, announce/);
      assert.match(history, /test@example\.com\s+session, page/);
      await page.locator("#history").scrollIntoViewIfNeeded();
      await shot("history");
    },
  },
];
