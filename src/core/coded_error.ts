/**
 * The base of every lifeline error that carries a stable `code`: callers
 * switch on the code, never on the message text, and one `instanceof`
 * check catches them all.
 *
 * @module
 */

/**
 * An error with a stable, machine-readable {@linkcode CodedError.code}. Each
 * subclass narrows `C` to its own codes and sets its own `name`; the
 * underlying error, if any, is the standard `cause`.
 *
 * @typeParam C The codes this error can carry.
 *
 * @example One check for every coded error of the library
 * ```ts
 * import { CodedError, ConnectionError, WaitError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const errors: unknown[] = [
 *   new WaitError("timeout", "Timed out"),
 *   new ConnectionError("url_failed", "No token", { cause: new Error("401") }),
 * ];
 * const codes = errors.map((e) => e instanceof CodedError ? e.code : "unknown");
 * assert.deepEqual(codes, ["timeout", "url_failed"]);
 * ```
 *
 * @example Defining an error class of your own
 * ```ts
 * import { CodedError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class QuotaError extends CodedError<"quota_exceeded" | "quota_unknown"> {
 *   constructor(code: QuotaError["code"], message: string, options?: ErrorOptions) {
 *     super(code, message, options);
 *     this.name = "QuotaError";
 *   }
 * }
 * const error = new QuotaError("quota_exceeded", "Too many channels");
 * assert.equal(error.name, "QuotaError");
 * assert.equal(error.code, "quota_exceeded");
 * assert.ok(error instanceof CodedError && error instanceof Error);
 * ```
 */
export class CodedError<C extends string = string> extends Error {
  /** What went wrong, stable across releases; switch on it. */
  readonly code: C;

  /**
   * Creates the error. Subclasses set `name` after calling it.
   *
   * @param code The stable code.
   * @param message A human-readable explanation.
   * @param options The standard error options; `cause` is the underlying error.
   */
  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CodedError";
    this.code = code;
  }
}
