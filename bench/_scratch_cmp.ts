import { compare } from "./_measure.ts";
import { startWorld, userToken, sessionCookie } from "./_world.ts";
await using world = await startWorld({ extend: (app) => {
  app.get("/noop", async (_c, next) => { await next(); }, (c) => c.text("ok"));
  app.get("/noop-set", async (c, next) => { c.set("email", "a"); c.set("user", null); await next(); }, (c) => c.text("ok"));
}});
const h = { authorization: `Bearer ${await userToken(world, "ann@example.com")}` };
const s = { cookie: await sessionCookie(world, "ann@example.com") };
const r = (p: string, headers: Record<string,string>) => async () => { const res = await world.app.request("http://localhost" + p, { headers }); if (res.status !== 200) throw new Error(p); };
const out = await compare([
  { name: "bare", run: r("/bare", h) },
  { name: "noop", run: r("/noop", h) },
  { name: "noop-set", run: r("/noop-set", h) },
  { name: "read", run: r("/read", h) },
  { name: "sbare", run: r("/bare", s) },
  { name: "sread", run: r("/read", s), baseline: "sbare" },
  { name: "gbare", run: r("/bare", {}) },
  { name: "gbrowse", run: r("/browse", {}), baseline: "gbare" },
], { rounds: 40, batch: 1000, warmup: 5000 });
for (const [k, v] of out) console.log(k.padEnd(10), v.us.toFixed(2), v.ratio.toFixed(3), v.spread.toFixed(2));
