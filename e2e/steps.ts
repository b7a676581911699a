// The walk through the demo, step by step: what a person does and sees.
import assert from "node:assert/strict";
import type { Step } from "./_walk.ts";

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
    name: "a protected page logs the guest in and comes back",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/shout?message=hello`);
      assert.equal(new URL(page.url()).pathname, "/shout");
      assert.equal(await page.locator("body").innerText(), 'test@example.com shouts "hello"');
    },
  },
  {
    name: "the token from /token works with fetch",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/token`);
      const { refresh_token: token } = JSON.parse(await page.locator("body").innerText());
      const res = await fetch(`${demo.app}/read`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "test@example.com reads");
    },
  },
  {
    name: "logging out makes a guest again",
    async run({ page, demo }) {
      await page.goto(`${demo.app}/logout`);
      assert.match(await page.locator("body").innerText(), /You are nobody \(a guest\)/);
    },
  },
];
