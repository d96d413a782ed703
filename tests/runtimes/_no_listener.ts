/**
 * Run by `no_listener_test.ts` under Deno and under Bun: a manager with
 * `maxRetries: 1` and no `onError` listener, whose app handles the `join()`
 * rejection. Prints one JSON line with what the rejection said; an error
 * thrown into the runtime would end the process before it, with a non-zero
 * exit.
 *
 * Usage: `_no_listener.ts <url>`.
 *
 * @module
 */

import process from "node:process";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { ConnectionError } from "../../src/socket/connection_error.ts";

/** What the script prints. */
export interface NoListenerReport {
  code?: string;
  cause?: string;
  status?: number;
}

const manager = new RealtimeManager(process.argv.at(-1)!, {
  maxRetries: 1,
  backoff: new ConstantBackoff(10),
});
const report: NoListenerReport = {};
try {
  await manager.join("room");
} catch (error) {
  const cause = (error as Error).cause as ConnectionError | undefined;
  report.code = (error as { code?: string }).code;
  report.cause = cause?.code;
  report.status = cause?.status;
}
// Give anything thrown from a microtask or a timer the time to surface.
await new Promise((resolve) => setTimeout(resolve, 100));
await manager.close();
console.log(JSON.stringify(report));
