// api_token.ts — APP=… TOKEN=<a user manager's token> deno run -A api_token.ts
import process from "node:process";

const app = process.env.APP ?? "http://127.0.0.1:8000";
const adminHeaders = { Authorization: `Bearer ${process.env.TOKEN}` };
const res = await fetch(`${app}/token/api`, {
  method: "POST",
  headers: { ...adminHeaders, "Content-Type": "application/json" },
  body: JSON.stringify({ name: "ci-deploy", capabilities: ["write"], expires_in: 86400 }),
});
const { api_token, id, expires_at } = await res.json();
const written = await fetch(`${app}/write`, {
  method: "POST",
  headers: { Authorization: `Bearer ${api_token}` },
});
console.log(id, expires_at, await written.text()); // … api:ci-deploy writes
