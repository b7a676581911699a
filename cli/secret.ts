// `easy-oauth secret`: a fresh random secret_key.
import { base64UrlEncode } from "../src/config/fernet.ts";
import type { CliIO } from "./_io.ts";
import { parseCommandArgs } from "./_args.ts";

export const SECRET_HELP = `Usage: easy-oauth secret

Prints a fresh random secret key (32 random bytes, base64url) for secret_key.
`;

/** Runs `secret`; returns the exit status. */
export function secretCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs("secret", args, {}, { min: 0, max: 0 });
  if (parsed.help) {
    io.stdout(SECRET_HELP);
    return Promise.resolve(0);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  io.stdout(base64UrlEncode(bytes).replace(/=+$/, "") + "\n");
  return Promise.resolve(0);
}
