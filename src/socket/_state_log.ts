/**
 * How a `ReconnectingWebSocket` logs its state changes: a scheduled retry is
 * an `attempt` (its number, its delay, the failure's code and message), any
 * other state a `state` entry. Messages lose the query strings of the URLs
 * in them, where a token may be. Internal; not exported.
 *
 * @module
 */

import type { Log } from "../core/_log.ts";
import type { ConnectionState } from "./connection_state.ts";

/** A state change as a log entry: a retry is an `attempt`, the rest `state`. */
export function logState(log: Log, state: ConnectionState): void {
  if (state.type === "reconnecting") {
    const { attempt, delay, error } = state;
    log(error ? "warn" : "info", "attempt", {
      attempt,
      delay,
      ...(error && { error: error.code, message: redact(error.message) }),
    });
    return;
  }
  if (state.type === "disconnected") {
    const { code, reason, error } = state;
    log(error ? "error" : "info", "state", {
      state: state.type,
      code,
      reason,
      ...(error && { error: error.code, message: redact(error.message) }),
    });
    return;
  }
  log(
    state.type === "connected" || state.type === "reconnected"
      ? "info"
      : "debug",
    "state",
    {
      state: state.type,
    },
  );
}

/** A message without the query strings of the URLs in it: they may hold a token. */
function redact(message: string): string {
  return message.replace(/(\w+:\/\/[^\s?#]*)[?#]\S*/g, "$1?…");
}
