import { Hono } from "hono";
import { compare } from "./_measure.ts";
const app = new Hono();
app.get("/bare", (c) => c.text("ok"));
app.get("/noop", async (_c, next) => { await next(); }, (c) => c.text("ok"));
app.get("/noop2", async (c, next) => { c.set("x" as never, 1 as never); await next(); }, (c) => c.text("ok"));
const r = (p: string) => async () => { const res = await app.request("http://localhost" + p); if (res.status !== 200) throw 1; };
const hdr = (p: string) => async () => { const res = await app.request("http://localhost" + p, {headers: {authorization: "Bearer " + "x".repeat(600)}}); if (res.status !== 200) throw 1; };
console.log(await compare([{name:"bare",run:r("/bare")},{name:"noop",run:r("/noop")},{name:"noop2",run:r("/noop2")},{name:"bare+hdr",run:hdr("/bare")}], {rounds: 20, batch: 5000, warmup: 5000}));
