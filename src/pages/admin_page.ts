// The admin page for user managers (GET /manage_capabilities/ and
// /manage_capabilities/account): accounts, their capabilities, their tokens in
// circulation and their history. Server-rendered, no script: every action is a
// plain form posted to the app's own origin.
import { constant, type Html, html, pageResponse } from "./_html.ts";

/** One account of the list. */
export interface AccountRow {
  email: string;
  stored: readonly string[];
  effective: readonly string[];
}

/** The list of accounts, one page of it. */
export interface AccountListView {
  /** Where the page lives (`<prefix>/manage_capabilities/`). */
  base: string;
  caller: string;
  query: string;
  rows: AccountRow[];
  /** How many accounts match the search. */
  total: number;
  from: number;
  /** The `from` of the next page, if any. */
  next?: number;
  /** The `from` of the previous page, if any. */
  previous?: number;
}

/** A capability as the account page offers it. */
export interface CapabilityChoice {
  name: string;
  stored: boolean;
  effective: boolean;
  /** Why the caller may not add or remove it; absent when it may. */
  refusal?: string;
}

/** A token in circulation (never the token itself). */
export interface TokenRow {
  kind: "user" | "service" | "api";
  id: string;
  account: string;
  name?: string;
  capabilities?: readonly string[];
  /** Seconds since the epoch. */
  createdAt?: number;
  /** Seconds since the epoch. */
  expiresAt?: number;
  maker?: string;
}

/** One line of history, already worded. */
export interface HistoryRow {
  at: number;
  actor: string;
  credential: string;
  address?: string;
  what: string;
}

/** The page of one account. */
export interface AccountView {
  base: string;
  caller: string;
  email: string;
  stored: readonly string[];
  effective: readonly string[];
  /** Why the caller may not act on this account at all; absent when it may. */
  limit?: string;
  choices: CapabilityChoice[];
  tokens: TokenRow[];
  history: HistoryRow[];
  /** The cursor of older history, if any. */
  older?: string;
  /** What the last action did, shown once. */
  notice?: string;
}

const STYLE = constant(
  `<style>body{max-width:72rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
form.inline{display:inline;margin:0}button[disabled]{opacity:.5}
.why{color:#8a4b00;font-size:.85rem}.notice{background:#eef7ee;padding:.4rem}
nav a{margin-right:1rem}</style>`,
);

function when(seconds: number | undefined): string {
  return seconds === undefined ? "—" : new Date(seconds * 1000).toISOString().slice(0, 16) + "Z";
}

function list(names: readonly string[]): string {
  return names.length ? names.join(", ") : "(none)";
}

function accountLink(base: string, email: string): Html {
  const href = `${base}account?${new URLSearchParams({ email })}`;
  return html`<a href="${href}">${email}</a>`;
}

/** The list of accounts, searchable, 50 to a page. */
export function accountListPage(view: AccountListView): Response {
  const { base } = view;
  const page = (from: number) =>
    `${base}?${new URLSearchParams({ ...(view.query ? { q: view.query } : {}), from: `${from}` })}`;
  const rows = view.rows.map((row) =>
    html`
      <tr>
        <td>${accountLink(base, row.email)}</td>
        <td>${list(row.stored)}</td>
        <td>${list(row.effective)}</td>
      </tr>
    `
  );
  const body = html`
    ${STYLE}<h1>Accounts and capabilities</h1>
    <p class="muted">Logged in as <strong>${view.caller}</strong>.</p>
    <form method="get" action="${base}"><input type="search" name="q" value="${view.query}"
    placeholder="Search accounts" aria-label="Search accounts"> <button type="submit">Search</button></form>
    <form method="get" action="${base}account"><input type="email" name="email" required
    placeholder="Open an account by email" aria-label="Account"> <button type="submit">Open</button></form>
    <p id="count">${view.total} account${view.total === 1 ? "" : "s"}${view.total > view.rows.length
      ? `, ${view.from + 1} to ${view.from + view.rows.length} shown`
      : ""}.</p>
    <table id="accounts">
      <thead>
        <tr>
          <th>Account</th>
          <th>Stored</th>
          <th>Effective</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
    <nav>${view.previous !== undefined &&
      html`<a rel="prev" href="${page(view.previous)}">Previous</a>`}${view.next !== undefined &&
      html`<a rel="next" href="${page(view.next)}">Next</a>`}</nav>
  `;
  return pageResponse(200, "Accounts and capabilities", body);
}

function hidden(name: string, value: string): Html {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

function choiceRow(view: AccountView, choice: CapabilityChoice): Html {
  const action = choice.stored ? "remove" : "add";
  const label = choice.stored ? "Remove" : "Add";
  const held = choice.stored ? "stored" : choice.effective ? "effective only" : "";
  return html`
    <tr>
      <td><code>${choice.name}</code></td>
      <td>${held}</td>
      <td>
    <form class="inline" method="post" action="${view.base}change">${hidden(
      "email",
      view.email,
    )}${hidden("capability", choice.name)}${hidden(
      "action",
      action,
    )}<button type="submit" id="${action}-${choice.name}"${choice.refusal
      ? constant(" disabled")
      : ""}>${label}</button></form>${choice.refusal && html`
      <span class="why">${choice.refusal}</span>
    `}</td>
    </tr>
  `;
}

function tokenRow(view: AccountView, token: TokenRow): Html {
  return html`
    <tr>
      <td>${token.kind}${token.name ? ` (${token.name})` : ""}</td>
      <td><code>${token.id}</code></td>
      <td>${token.account}</td>
      <td>${list(token.capabilities ?? ["as the account"])}</td>
      <td>${when(token.createdAt)}</td>
      <td>${token.maker ?? "—"}</td>
      <td>${when(token.expiresAt)}</td>
      <td>
        <form class="inline" method="post"
          action="${view.base}revoke">${hidden("email", view.email)}${hidden(
            "id",
            token.id,
          )}<button type="submit"${view.limit ? constant(" disabled") : ""}>Revoke</button></form>
      </td>
    </tr>
  `;
}

/** One account: capabilities with the delegation limit shown, tokens, history. */
export function accountPage(view: AccountView): Response {
  const history = view.history.map((row) =>
    html`
      <tr>
        <td>${new Date(row.at).toISOString().slice(0, 19)}Z</td>
        <td>${row.actor}</td>
        <td>${row.credential}${row.address ? ` from ${row.address}` : ""}</td>
        <td>${row.what}</td>
      </tr>
    `
  );
  const older = view.older &&
    `${view.base}account?${new URLSearchParams({ email: view.email, cursor: view.older })}`;
  const body = html`
    ${STYLE}<nav><a href="${view.base}">All accounts</a></nav>
    <h1 id="account">${view.email}</h1>
    ${view.notice && html`<p class="notice" id="notice">${view.notice}</p>`}
    <p>Stored: <span id="stored">${list(view.stored)}</span>. Effective:
    <span id="effective">${list(view.effective)}</span>.</p>
    ${view.limit && html`<p class="why" id="limit">${view.limit}</p>`}
    <h2>Capabilities</h2>
    <p
      class="muted">You may grant and take away only what you hold, on accounts that hold nothing you lack.</p>
    <table id="capabilities">
      <tbody>${view.choices.map((choice) => choiceRow(view, choice))}</tbody>
    </table>
    <h2>Tokens in circulation</h2>
    <table id="tokens">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Id</th>
          <th>Account</th>
          <th>Capabilities</th>
          <th>Made</th>
          <th>Made by</th>
          <th>Expires</th>
          <th></th>
        </tr>
      </thead>
      <tbody>${view.tokens.map((token) => tokenRow(view, token))}</tbody>
    </table>
    ${view.tokens.length === 0 &&
      html`<p class="muted" id="no-tokens">No token known to be in circulation.</p>`}
    <form method="post" action="${view.base}revoke_all">${hidden("email", view.email)}
    <button type="submit" id="revoke-all"${view.limit
      ? constant(" disabled")
      : ""}>Revoke every token and session of ${view.email}</button></form>
    <h2>History</h2>
    <table id="history">
      <thead>
        <tr>
          <th>When (UTC)</th>
          <th>Who</th>
          <th>How</th>
          <th>What</th>
        </tr>
      </thead>
      <tbody>${history}</tbody>
    </table>
    ${older && html`<p><a rel="next" href="${older}">Older</a></p>`}
  `;
  return pageResponse(200, view.email, body);
}
