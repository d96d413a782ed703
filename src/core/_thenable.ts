/**
 * The one check for "this may be a promise", used wherever a hook or a store
 * may answer either synchronously or asynchronously, so that a synchronous
 * answer is handled without allocating a promise. Internal; not exported.
 *
 * @module
 */

/** Whether `value` has a callable `then`, as a promise or any thenable does. */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
