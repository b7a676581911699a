// The browser pages of a headless login: confirm, then "back to your terminal".
import { html, pageResponse } from "./_html.ts";

/** The confirmation page: the code to compare, and a one-time form to continue. */
export function confirmPage(
  data: { action: string; confirmKey: string; userCode: string },
): Response {
  const body = html`
    <h1>Log in a command-line tool</h1>
    <p>A program asks to log in as you. Your terminal should show this code:</p>
    <p><strong id="user-code" style="font-size:1.6rem;letter-spacing:.1em">${data
      .userCode}</strong></p>
    <p>Continue only if you started it yourself and the codes match: whoever holds the
    program gets a token that acts as you.</p>
    <form method="post" action="${data.action}">
      <input type="hidden" name="confirm" value="${data.confirmKey}">
      <button id="continue" type="submit">Continue and log in</button>
    </form>
    <p class="actions"><a id="home" href="/">Home</a></p>
  `;
  return pageResponse(200, "Log in a command-line tool", body, { anyFormTarget: true });
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
