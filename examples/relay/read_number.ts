/**
 * One number from the environment, for the example servers' settings
 * (`./config.ts`, and the Worker's heartbeat in `../worker/heartbeat.ts`).
 * No imports, so the Worker bundle can take it without Node's `process`.
 *
 * @module
 */

/**
 * `variable` of `env` as a non-negative number, or `undefined` when it is
 * unset or blank; a `RangeError` naming it for anything else.
 */
export function readNumber(
  env: Record<string, string | undefined>,
  variable: string,
): number | undefined {
  const text = env[variable]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot read ${variable} as it must be a non-negative number: current value is ${
        JSON.stringify(text)
      }`,
    );
  }
  return value;
}
