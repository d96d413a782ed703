/**
 * Builds the events a `ReconnectingWebSocket` dispatches. The runtime's own
 * `MessageEvent`, `CloseEvent` and `ErrorEvent` are used where they exist
 * (Deno, Bun, browsers, workers); elsewhere, such as an older Node, an
 * `Event` carrying the same fields stands in. Internal; not exported.
 *
 * @module
 */

import type { CloseInfo } from "./close_info.ts";
import type { ConnectionError } from "./connection_error.ts";
import type { MessageData } from "./web_socket_like.ts";

type Globals = {
  MessageEvent?: typeof MessageEvent;
  CloseEvent?: typeof CloseEvent;
  ErrorEvent?: typeof ErrorEvent;
};

const globals = globalThis as Globals;

/** A `message` event carrying `data`. */
export function messageEvent(data: MessageData): MessageEvent {
  if (globals.MessageEvent) {
    return new globals.MessageEvent("message", { data });
  }
  return withFields(new Event("message"), { data }) as MessageEvent;
}

/** A `close` event carrying the close's code, reason and cleanliness. */
export function closeEvent(info: CloseInfo): CloseEvent {
  const { code, reason, wasClean } = info;
  if (globals.CloseEvent) {
    return new globals.CloseEvent("close", { code, reason, wasClean });
  }
  return withFields(new Event("close"), {
    code,
    reason,
    wasClean,
  }) as CloseEvent;
}

/** An `error` event whose `error` is the failure and `message` its message. */
export function errorEvent(error: ConnectionError): ErrorEvent {
  const { message } = error;
  if (globals.ErrorEvent) {
    return new globals.ErrorEvent("error", { error, message });
  }
  return withFields(new Event("error"), { error, message }) as ErrorEvent;
}

function withFields(event: Event, fields: Record<string, unknown>): Event {
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(event, key, { value, enumerable: true });
  }
  return event;
}
