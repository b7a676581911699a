import { serviceToken, sessionCookie, startWorld, userToken } from "./_world.ts";
await using world = await startWorld();
const kind = Deno.args[0] ?? "bearer";
const headers: Record<string,string> = kind === "bearer" ? { authorization: `Bearer ${await userToken(world, "ann@example.com")}` } : kind === "session" ? { cookie: await sessionCookie(world, "ann@example.com") } : kind === "service" ? { authorization: `Bearer ${await serviceToken(world)}` } : {};
const path = Deno.args[1] ?? "/read";
const t0 = performance.now();
for (let i = 0; i < 300000; i++) {
  const res = await world.app.request("http://localhost" + path, { headers });
  if (res.status !== 200) throw new Error(String(res.status));
}
console.log((performance.now() - t0) / 300, "us/op");
