/**
 * Fails a test if anything reaches the runtime uncaught (an error event or
 * an unhandled rejection) while `body` runs, or in the few turns of the
 * event loop after it, where a late rejection would surface.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Runs `body`, then asserts that nothing was thrown into the runtime. */
export async function nothingUncaught(
  body: () => Promise<void>,
): Promise<void> {
  const uncaught: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    uncaught.push(event.error);
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    uncaught.push(event.reason);
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    await body();
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
  assert.deepEqual(uncaught, []);
}
