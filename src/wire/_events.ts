/**
 * The events a `WebSocketConnection` fires, made with the runtime's
 * `CloseEvent` and `ErrorEvent` where it has them (Node has no
 * `ErrorEvent`), and plain events carrying the same fields where not.
 * Internal.
 *
 * @module
 */

export function closeEvent(
  code: number,
  reason: string,
  wasClean: boolean,
): Event {
  const Close = (globalThis as { CloseEvent?: typeof CloseEvent }).CloseEvent;
  if (Close !== undefined) {
    return new Close("close", { code, reason, wasClean });
  }
  return Object.assign(new Event("close"), { code, reason, wasClean });
}

export function errorEvent(error: unknown): Event {
  const message = error instanceof Error ? error.message : String(error);
  const ErrorEv = (globalThis as { ErrorEvent?: typeof ErrorEvent })
    .ErrorEvent;
  if (ErrorEv !== undefined) return new ErrorEv("error", { message, error });
  return Object.assign(new Event("error"), { message, error });
}
