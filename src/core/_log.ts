/**
 * Turns a `logger` option (and `debug: true`) into the function the parts
 * call, stamping each entry with the clock's time and keeping a throwing
 * logger from breaking its caller. No logger, no function: call sites write
 * `log?.(…)`, so without a logger not even the entry's fields are built.
 * Internal; not exported.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { rethrowLater } from "./event_stream.ts";
import { consoleLogger, type Logger, type LogLevel } from "./log.ts";

/** Logs one entry: how much it matters, what happened, what is known. */
export type Log = (
  level: LogLevel,
  event: string,
  fields?: Record<string, unknown>,
) => void;

/** The log of `logger`, or of `console.debug` with `debug`; else none. */
export function createLog(
  logger: Logger | undefined,
  debug: boolean | undefined,
  clock: Pick<Clock, "now">,
): Log | undefined {
  const sink = logger ?? (debug ? consoleLogger : undefined);
  if (sink === undefined) return undefined;
  return (level, event, fields) => {
    try {
      sink({ time: clock.now(), level, event, ...fields });
    } catch (error) {
      rethrowLater(error);
    }
  };
}
