// A scripted browser for the interop suite: a cookie jar per origin, manual
// redirects, and the provider's development pages (login form, consent,
// logout confirmation) filled in as a person would.

/** What the browser answers on the provider's pages. */
export interface Person {
  /** The login typed into the provider's form. */
  email: string;
  /** Refuse at the consent page. */
  deny?: boolean;
}

/** A page the browser ended on. */
export interface Page {
  status: number;
  url: string;
  headers: Headers;
  text: string;
}

const FORM_ACTION = /<form[^>]*action="([^"]+)"/;
const HIDDEN = /<input type="hidden" name="([a-z_]+)" value="([^"]*)"\/?>/g;

function unescapeHtml(text: string): string {
  return text.replace(/&amp;/g, "&").replace(/&#x2F;/g, "/").replace(/&#x3D;/g, "=")
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** A browser that logs `person` in at the provider when asked. */
export class ProviderBrowser {
  readonly #jar = new Map<string, Map<string, string>>();
  readonly #providerOrigin: string;
  person: Person;
  /** The provider pages shown, in order: "login", "consent", "logout". */
  readonly prompts: string[] = [];

  constructor(providerOrigin: string, person: Person) {
    this.#providerOrigin = providerOrigin;
    this.person = person;
  }

  /** The cookies the browser holds for `origin`. */
  cookies(origin: string): Map<string, string> {
    let jar = this.#jar.get(origin);
    if (!jar) this.#jar.set(origin, jar = new Map());
    return jar;
  }

  /** GETs `url` and follows redirects and provider pages to the end. */
  get(url: string): Promise<Page> {
    return this.#go(new Request(url));
  }

  /** POSTs a form and follows what comes back. */
  post(url: string, form: Record<string, string>): Promise<Page> {
    return this.#go(new Request(url, { method: "POST", body: new URLSearchParams(form) }));
  }

  async #go(first: Request): Promise<Page> {
    let request = first;
    for (let hops = 0; hops < 30; hops++) {
      const response = await this.#send(request);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        request = new Request(new URL(location, request.url));
        continue;
      }
      const text = await response.text();
      const page = { status: response.status, url: request.url, headers: response.headers, text };
      const next = this.#answer(page);
      if (!next) return page;
      request = next;
    }
    throw new Error("too many redirects");
  }

  /** The form a person submits on a provider page, or undefined when the page is not one. */
  #answer(page: Page): Request | undefined {
    const url = new URL(page.url);
    if (url.origin !== this.#providerOrigin || page.status !== 200) return undefined;
    const action = FORM_ACTION.exec(page.text)?.[1];
    if (!action) return undefined;
    const fields = Object.fromEntries(
      [...page.text.matchAll(HIDDEN)].map(([, name, value]) => [name, unescapeHtml(value)]),
    );
    const target = new URL(unescapeHtml(action), url);
    if (fields.prompt === "login") {
      this.prompts.push("login");
      Object.assign(fields, { login: this.person.email, password: "any" });
    } else if (fields.prompt === "consent") {
      this.prompts.push("consent");
      if (this.person.deny) return new Request(new URL(`${url.pathname}/abort`, url));
    } else if (fields.xsrf) {
      this.prompts.push("logout");
      fields.logout = "yes";
    } else {
      return undefined;
    }
    return new Request(target, { method: "POST", body: new URLSearchParams(fields) });
  }

  async #send(request: Request): Promise<Response> {
    const origin = new URL(request.url).origin;
    const jar = this.cookies(origin);
    const headers = new Headers(request.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(new Request(request, { headers, redirect: "manual" }));
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) ||
        attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === "";
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }
}
