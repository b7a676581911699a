// service_account.ts — APP=… TOKEN=<a user manager's token> deno run -A service_account.ts
import process from "node:process";

const app = process.env.APP ?? "http://127.0.0.1:8000";
const adminHeaders = { Authorization: `Bearer ${process.env.TOKEN}` };
await fetch(`${app}/manage_capabilities/set`, {
  method: "POST",
  headers: { ...adminHeaders, "Content-Type": "application/json" },
  body: JSON.stringify({ email: "bot@service", capabilities: ["write"] }),
});
const res = await fetch(`${app}/token?user=bot@service`, { headers: adminHeaders });
const { service_token } = await res.json(); // {"service_token", "user", "capabilities"}
const written = await fetch(`${app}/write`, {
  method: "POST",
  headers: { Authorization: `Bearer ${service_token}` },
});
console.log(await written.text()); // bot@service writes
