// The bench app served on this runtime's own server (`Deno.serve` or
// `Bun.serve`), for the HTTP figures: `deno run -A bench/_server.ts` or
// `bun bench/_server.ts`. It prints one JSON line ({ url, token, runtime }),
// then serves until its standard input closes.
import process from "node:process";
import { startWorld, userToken } from "./_world.ts";

const world = await startWorld();
const token = await userToken(world, "ann@example.com");
// The first use of a token asks the provider; the load generator measures the others.
const first = await fetch(`${world.tester.url}/read`, {
  headers: { authorization: `Bearer ${token}` },
});
if (first.status !== 200) throw new Error(`/read answered ${first.status}`);
await first.body?.cancel();
const runtime = "Bun" in globalThis ? "bun" : "deno";
console.log(JSON.stringify({ url: world.tester.url, token, runtime }));
await new Promise<void>((resolve) => {
  process.stdin.on("data", () => {});
  process.stdin.on("end", resolve);
  process.stdin.on("close", resolve);
});
await world[Symbol.asyncDispose]();
process.exit(0);
