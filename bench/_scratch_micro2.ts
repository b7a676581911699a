import { compare } from "./_measure.ts";
const wm = new WeakMap<object, number>();
const h = new Headers({ authorization: "Bearer " + "a".repeat(600) });
let sink = 0;
const reqs = Array.from({length: 1000}, () => new Request("http://l/x", {headers: {authorization: "Bearer " + "a".repeat(600)}}));
let i = 0;
console.log(await compare([
  { name: "newobj", run: () => { const o = {a: 1}; sink += o.a; return Promise.resolve(); } },
  { name: "wm-set-get", run: () => { const o = {a: 1}; wm.set(o, 1); sink += wm.get(o)!; return Promise.resolve(); } },
  { name: "map-set", run: () => { const o = new Map(); o.set("a", 1); o.set("b", 2); sink += o.size; return Promise.resolve(); } },
  { name: "headers.get", run: () => { sink += h.get("authorization")!.length; return Promise.resolve(); } },
  { name: "req.headers.get", run: () => { sink += reqs[(i++) % 1000].headers.get("authorization")!.length; return Promise.resolve(); } },
  { name: "Date.now", run: () => { sink += Date.now(); return Promise.resolve(); } },
], { rounds: 20, batch: 5000, warmup: 10000 }));
