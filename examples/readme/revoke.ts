// revoke.ts — APP=… TOKEN=<a user manager's token> deno run -A revoke.ts
import process from "node:process";

const app = process.env.APP ?? "http://127.0.0.1:8000";
const token = process.env.TOKEN;
const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
// Every token and session of an account issued until now (user_management):
const account = await fetch(`${app}/token/revoke`, {
  method: "POST",
  headers,
  body: JSON.stringify({ user: "ann@example.com" }),
});
// One token: your own (or anyone's, with user_management); here, the one sent:
const own = await fetch(`${app}/token/revoke`, {
  method: "POST",
  headers,
  body: JSON.stringify({ token }),
});
console.log(account.status, own.status); // 200 200
