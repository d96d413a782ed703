/**
 * The events a `WebSocketConnection` fires, made with the runtime's
 * `CloseEvent` and `ErrorEvent` where it has them (Node has no
 * `ErrorEvent`), and plain events carrying the same fields where not;
 * and their dispatch to listeners and the `on…` handler. Internal.
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

/** A `message` event: binary data as an `ArrayBuffer` or a `Blob`. */
export function messageEvent(
  data: string | Uint8Array,
  binaryType: "blob" | "arraybuffer",
): MessageEvent {
  if (typeof data === "string") return new MessageEvent("message", { data });
  const out = binaryType === "arraybuffer"
    ? data.byteOffset === 0 && data.buffer.byteLength === data.length
      ? data.buffer
      : data.slice().buffer
    : new Blob([data as Uint8Array<ArrayBuffer>]);
  return new MessageEvent("message", { data: out });
}

/**
 * Dispatches `event` to `target`'s listeners, then to its `on<type>`
 * handler, as a `WebSocket` does; a handler's throw is reported, not
 * passed on.
 */
export function dispatchWithHandler(target: EventTarget, event: Event): void {
  const handler = (target as unknown as Record<string, unknown>)[
    `on${event.type}`
  ];
  target.dispatchEvent(event);
  if (typeof handler === "function") {
    try {
      handler.call(target, event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
