const encoder = new TextEncoder();

/**
 * Compares two strings without an early exit, so the time taken does not tell
 * an attacker how many leading bytes were right. Only the lengths can leak
 * (they are public for a hex digest anyway).
 */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
