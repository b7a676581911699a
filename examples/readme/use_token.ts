// use_token.ts — APP=http://127.0.0.1:8000 TOKEN=<from /token> deno run -A use_token.ts
import process from "node:process";

const app = process.env.APP ?? "http://127.0.0.1:8000";
const token = process.env.TOKEN;
const res = await fetch(`${app}/read`, {
  headers: { Authorization: `Bearer ${token}` },
});
console.log(res.status, await res.text()); // 200 you@example.com reads
