// The browser pages of a headless login: confirm (or cancel), then "back to
// your terminal". The confirmation page says who asked, from where and when,
// and what confirming gives away (RFC 8628 §5.4: a link can be sent by anyone).
import { html, pageResponse } from "./_html.ts";

/** What the confirmation page shows of the login it confirms. */
export interface ConfirmPageData {
  /** Where both forms post. */
  action: string;
  /** The one-time key of the forms. */
  confirmKey: string;
  /** The code the tool printed. */
  userCode: string;
  /** The address the login was started from, when known. */
  address?: string | undefined;
  /** The tool's `User-Agent`, when it sent one. */
  userAgent?: string | undefined;
  /** When the login was started, and now (epoch milliseconds). */
  startedAt: number;
  now: number;
  /** How long the token would live, in seconds. */
  tokenLifetime: number;
}

/** The confirmation page: who asked, the code to compare, what confirming gives, Continue and Cancel. */
export function confirmPage(data: ConfirmPageData): Response {
  const body = html`
    <h1>Log in a command-line tool?</h1>
    <p>A program asks for a token that acts as you. Continue only if <strong>you</strong> started
    it, just now, on a machine of yours: anyone can start such a login and send you its link.</p>
    <dl id="requester">
      <dt>Started</dt>
      <dd id="started">${timeInWords(data.startedAt, data.now)}</dd>
      <dt>From the address</dt>
      <dd id="address">${data.address ?? "unknown"}</dd>
      <dt>By the program</dt>
      <dd id="user-agent">${data.userAgent || "(it did not say)"}</dd>
    </dl>
    <p>Your terminal should show this code:</p>
    <p><strong id="user-code" style="font-size:1.6rem;letter-spacing:.1em">${data
      .userCode}</strong></p>
    <p id="gives">Confirming gives that program a token that can do here everything you can,
    for ${duration(data.tokenLifetime)} or until it is revoked. If the code, the address or the
    time is not yours, cancel.</p>
    <form method="post" action="${data.action}">
      <input type="hidden" name="confirm" value="${data.confirmKey}">
      <button id="continue" type="submit">Continue and log in</button>
    </form>
    <form method="post" action="${data.action}">
      <input type="hidden" name="confirm" value="${data.confirmKey}">
      <input type="hidden" name="cancel" value="true">
      <button id="cancel" type="submit">Cancel this login</button>
    </form>
    <p class="actions"><a id="home" href="/">Home</a></p>
  `;
  return pageResponse(200, "Log in a command-line tool?", body, { anyFormTarget: true });
}

/** After Cancel: nothing was given, and the program was told. */
export function headlessCancelledPage(): Response {
  const body = html`<h1>Login cancelled</h1>
<p id="cancelled">Nothing was given to the program, and it was told that you cancelled.</p>
<p class="actions"><a id="home" href="/">Home</a></p>`;
  return pageResponse(200, "Login cancelled", body);
}

/** After the login: the token went to the tool, and this browser got no session. */
export function headlessDonePage(email: string): Response {
  const body = html`<h1>The command-line tool is logged in</h1>
<p id="done">The command-line tool now has a token for <strong>${email}</strong>.
This browser is not logged in to the app by it (it got no session).
You can close this page and return to your terminal.</p>
<p class="actions"><a id="home" href="/">Home</a></p>`;
  return pageResponse(200, "The command-line tool is logged in", body);
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "2 minutes ago (Saturday 5 December 2026, 11:42 UTC)". */
export function timeInWords(time: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - time) / 60_000);
  const ago = minutes < 1
    ? "less than a minute ago"
    : `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  // Spelled out here, not by Intl: the same words on every runtime.
  const date = new Date(time);
  const hh = String(date.getUTCHours()).padStart(2, "0");
  const mm = String(date.getUTCMinutes()).padStart(2, "0");
  const when = `${DAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()}, ${hh}:${mm}`;
  return `${ago} (${when} UTC)`;
}

/** "30 days", "1 hour", "90 seconds". */
function duration(seconds: number): string {
  const units: [number, string][] = [[86_400, "day"], [3_600, "hour"], [60, "minute"]];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}
