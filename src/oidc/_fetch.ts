// The fetch used for every call to the provider: short timeout, no redirect
// following, bounded response size (SECURITY.md, "Outbound calls").
import { readAtMost } from "../http/body.ts";
import type { FetchFunction } from "../http/http.ts";

/** Largest response accepted from the provider. */
export const MAX_RESPONSE_BYTES = 512 * 1024;
/** Time allowed for one call. */
const TIMEOUT_MS = 10_000;

/** Thrown when the provider cannot be reached or answers out of bounds. */
export class ProviderUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProviderUnavailable";
  }
}

/** Wraps `base` so that calls time out, never follow redirects, and read bounded bodies. */
export function boundedFetch(base: FetchFunction, timeoutMs = TIMEOUT_MS): FetchFunction {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await base(input, {
        ...init,
        redirect: "manual",
        signal: init?.signal ?? AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new ProviderUnavailable("the identity provider could not be reached", { cause });
    }
    const body = await readBounded(response);
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

async function readBounded(response: Response): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(response.headers.get("content-length") ?? "0") > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new ProviderUnavailable("the identity provider's answer is too large");
  }
  let body: Uint8Array<ArrayBuffer> | null;
  try {
    body = await readAtMost(response.body, MAX_RESPONSE_BYTES);
  } catch (cause) {
    throw new ProviderUnavailable("the identity provider's answer was cut short", { cause });
  }
  if (body === null) throw new ProviderUnavailable("the identity provider's answer is too large");
  return body;
}
