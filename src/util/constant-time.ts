/**
 * Compares two strings without an early exit, so the time taken does not tell
 * an attacker how many leading characters were right. Only the lengths can leak
 * (they are public for a hex digest anyway). It compares UTF-16 code units, not
 * UTF-8 bytes: encoding would turn every lone surrogate into U+FFFD and make
 * different strings equal.
 */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  // Past the end of the shorter string charCodeAt is NaN, and NaN | 0 is 0: the length difference already counts.
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
