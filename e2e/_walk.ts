// Runs the e2e steps in order, one screenshot each, and reports them as TAP.
import type { BrowserContext, Page } from "playwright-core";
import type { Demo } from "./_demo.ts";

/** What a step gets: the demo, the browser, and the page it shares with the other steps. */
export interface World {
  demo: Demo;
  browser: BrowserContext;
  page: Page;
  /** Saves a screenshot of the page now, named after the step and `what`. */
  shot(what: string): Promise<void>;
}

/** One thing a person does, with what they should see. */
export interface Step {
  name: string;
  run(world: World): Promise<void>;
}

/** Runs `steps` until one fails; returns how many failed (0 or 1) and prints a summary. */
export async function walk(
  steps: Step[],
  options: { demo: Demo; browser: BrowserContext; shots: URL },
): Promise<number> {
  const page = await options.browser.newPage();
  let label = "";
  const path = (suffix: string) => new URL(`${label}${suffix}.png`, options.shots).pathname;
  const shot = async (what: string) => void await page.screenshot({ path: path(`-${what}`) });
  const world: World = { demo: options.demo, browser: options.browser, page, shot };
  console.log(`1..${steps.length}`);
  let passed = 0;
  for (const [i, step] of steps.entries()) {
    label = `${String(i + 1).padStart(2, "0")}-${step.name.replace(/[^a-z0-9]+/gi, "-")}`;
    try {
      await step.run(world);
      passed++;
      console.log(`ok ${i + 1} - ${step.name}`);
    } catch (error) {
      console.log(`not ok ${i + 1} - ${step.name}\n  ${String((error as Error).stack ?? error)}`);
      await page.screenshot({ path: path("-FAILED") });
      console.log(`# ${passed} passed, 1 failed, ${steps.length - passed - 1} not run`);
      return 1;
    }
    await page.screenshot({ path: path("") });
  }
  console.log(`# ${passed} passed, 0 failed`);
  return 0;
}
