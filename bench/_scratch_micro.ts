import { getCookie } from "hono/cookie";
import { Hono } from "hono";
import { compare } from "./_measure.ts";
const m = new Map<string, number>();
const tok = "eyJ" + "a".repeat(560) + ".." ;
m.set(tok, 1);
async function a1(x: number) { return x + 1; }
async function a2(x: number) { return await a1(x); }
async function a3(x: number) { return await a2(x); }
async function a4(x: number) { return await a3(x); }
async function a5(x: number) { return await a4(x); }
const BEARER = /^bearer +([\x21-\x7e]+) *$/i;
let sink = 0;
const app = new Hono();
let cookieHeader = "easy_oauth_session=" + "b".repeat(480);
app.get("/x", (c) => { sink += getCookie(c, "easy_oauth_session")!.length; return c.text("ok"); });
app.get("/y", (c) => { sink += c.req.header("cookie")!.length; return c.text("ok"); });
console.log(await compare([
  { name: "sync1", run: () => { sink++; return Promise.resolve(); } },
  { name: "async1", run: () => a1(1) },
  { name: "async5", run: () => a5(1) },
  { name: "mapget-newstring", run: () => { const k = ("Bearer " + tok).slice(7); sink += m.get(k) ?? 0; return Promise.resolve(); } },
  { name: "regex", run: () => { sink += BEARER.exec("Bearer " + tok)![1].length; return Promise.resolve(); } },
  { name: "getCookie-route", run: async () => { await app.request("http://l/x", { headers: { cookie: cookieHeader } }); } },
  { name: "header-route", run: async () => { await app.request("http://l/y", { headers: { cookie: cookieHeader } }); } },
], { rounds: 20, batch: 5000, warmup: 10000 }));
