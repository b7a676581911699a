// Constant-time comparison of secrets (SECURITY.md): no library of ours
// exports one for strings, and this is all it takes.

const encoder = new TextEncoder();

/** Whether `a` and `b` are equal, in a time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const length = Math.max(x.length, y.length);
  let difference = x.length ^ y.length;
  for (let i = 0; i < length; i++) difference |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return difference === 0;
}
