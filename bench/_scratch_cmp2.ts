import { compare } from "./_measure.ts";
import { startWorld, userToken, sessionCookie } from "./_world.ts";
let oauthRef: any;
await using world = await startWorld({ extend: (app) => {
  app.get("/noop", async (_c, next) => { await next(); }, (c) => c.text("ok"));
}});
const o = world.oauth;
const h = { authorization: `Bearer ${await userToken(world, "ann@example.com")}` };
const r = (p: string, headers: Record<string,string>) => async () => { const res = await world.app.request("http://localhost" + p, { headers }); if (res.status !== 200) throw new Error(p); };
const out = await compare([
  { name: "bare", run: r("/bare", h) },
  { name: "noop", run: r("/noop", h) },
  { name: "me", run: r("/me", h) },
  { name: "read", run: r("/read", h) },
], { rounds: 60, batch: 500, warmup: 5000 });
for (const [k, v] of out) console.log(k.padEnd(10), v.us.toFixed(2), v.ratio.toFixed(3), v.spread.toFixed(2));
