/**
 * Comparing secrets (session resume tokens) without leaking, through the
 * time it takes, how much of a guess was right. Internal.
 *
 * @module
 */

/**
 * Whether `given` equals `expected`, in a time that depends on their
 * lengths only, not on where they first differ. `undefined` matches nothing.
 */
export function sameSecret(
  given: string | undefined,
  expected: string | undefined,
): boolean {
  if (given === undefined || expected === undefined) return false;
  let diff = given.length ^ expected.length;
  const length = Math.min(given.length, expected.length);
  for (let i = 0; i < length; i++) {
    diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  }
  return diff === 0;
}
