// Figure 5: what the test helpers cost — `AppTester` clients logged in
// concurrently through the mock provider.
import { elapsedMs, median } from "./_measure.ts";
import { startWorld } from "./_world.ts";

/** The figures of the test-helper benchmark. */
export interface TesterResult {
  /** Clients made at once. */
  clients: number;
  /** Median wall time to make them all, in ms. */
  totalMs: number;
  /** `totalMs` per client. */
  perClientMs: number;
}

/** Makes `clients` logged-in clients at once, `runs` times (each with new users), on one app. */
export async function testerClients(clients: number, runs: number): Promise<TesterResult> {
  await using world = await startWorld();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const emails = Array.from({ length: clients }, (_, i) => `run${run}.user${i}@example.com`);
    times.push(
      await elapsedMs(async () => {
        const made = await Promise.all(emails.map((email) => world.tester.client(email)));
        if (made.some((client) => !client.token)) throw new Error("a client has no token");
      }),
    );
  }
  const totalMs = median(times);
  return { clients, totalMs, perClientMs: totalMs / clients };
}
