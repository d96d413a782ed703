/**
 * The transport under a `ReconnectingWebSocket`: opens one WebSocket at a
 * time (resolving the URL, passing protocols and headers, enforcing the
 * connect timeout), watches the open socket with the keepalive, turns its
 * events into calls on {@linkcode SocketEvents}, and abandons it on request,
 * after which nothing more is heard from it. Retrying, buffering and state
 * belong to the client; this only connects and watches.
 * Internal; not exported.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import type { Clock, TimerId } from "../core/clock.ts";
import { Keepalive } from "../core/keepalive.ts";
import { normalClosure } from "../core/status.ts";
import type { CloseInfo } from "./close_info.ts";
import { ConnectionError } from "./connection_error.ts";
import { attemptFailed, invalidUrl } from "./_failure.ts";
import type {
  KeepaliveSettings,
  ProtocolsProvider,
  UrlProvider,
} from "./reconnecting_websocket_options.ts";
import type {
  BinaryType,
  MessageData,
  WebSocketConstructor,
  WebSocketLike,
} from "./web_socket_like.ts";

/** `readyState` values, as on the `WebSocket` constructor. */
export const CONNECTING = 0;
/** See {@linkcode CONNECTING}. */
export const OPEN = 1;
/** See {@linkcode CONNECTING}. */
export const CLOSING = 2;
/** See {@linkcode CONNECTING}. */
export const CLOSED = 3;

/** The events other than `message`, which has a listener of its own. */
const SOCKET_EVENTS = ["open", "error", "close"] as const;

/** How to open a socket. */
export interface ConnectorSettings {
  url: UrlProvider;
  protocols: ProtocolsProvider | undefined;
  headers: HeadersInit | undefined;
  WebSocket: WebSocketConstructor;
  timeout: number;
  keepalive: KeepaliveSettings | undefined;
  clock: Clock;
}

/** What the current socket did; a stale socket's events never arrive. */
export interface SocketEvents {
  /** It opened; the connect timeout is cleared. */
  open(ws: WebSocketLike): void;
  /** It received a message other than a keepalive pong. */
  message(data: MessageData): void;
  /** It closed, with or without a close frame. */
  close(info: CloseInfo): void;
  /**
   * The attempt or the socket failed: the URL, the constructor, the connect
   * timeout, an error event, or the keepalive.
   */
  fail(error: ConnectionError): void;
}

/** Opens and abandons the WebSockets of one client, one at a time. */
export class Connector {
  #settings: ConnectorSettings;
  #events: SocketEvents;
  #keepalive: Keepalive | undefined;
  #ws: WebSocketLike | undefined;
  #detach: (() => void) | undefined;
  #opened = false;
  #attempt = 0;
  #timer: TimerId | undefined;
  #url = "";

  constructor(settings: ConnectorSettings, events: SocketEvents) {
    this.#settings = settings;
    this.#events = events;
    if (settings.keepalive === undefined) return;
    this.#keepalive = new Keepalive({
      send: (ping) => this.#ws?.send(ping),
      onDead: (cause) =>
        events.fail(
          new ConnectionError(
            "keepalive_timeout",
            "The server did not answer a ping in time",
            { cause },
          ),
        ),
    }, { ...settings.keepalive, clock: settings.clock });
  }

  /** The URL of the latest attempt; empty until a URL provider resolves. */
  get url(): string {
    return this.#url;
  }

  /** The current socket, open or not. */
  get socket(): WebSocketLike | undefined {
    return this.#ws;
  }

  /** Whether the current socket has opened. */
  get opened(): boolean {
    return this.#opened;
  }

  /**
   * Starts an attempt: resolves the URL and the protocols, then constructs
   * the socket.
   */
  connect(binaryType: BinaryType): void {
    const attempt = ++this.#attempt;
    const { clock, timeout, url: provider, protocols } = this.#settings;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#events.fail(
        new ConnectionError(
          "connect_timeout",
          `The connection did not open within ${timeout} ms`,
        ),
      );
    }, timeout);
    let url: string | URL | PromiseLike<string | URL>;
    let offered: Offered | PromiseLike<Offered>;
    try {
      url = typeof provider === "function" ? provider() : provider;
      offered = typeof protocols === "function" ? protocols() : protocols;
    } catch (error) {
      this.#events.fail(urlFailed(error));
      return;
    }
    if (isThenable(url) || isThenable(offered)) {
      Promise.all([url, offered]).then(
        ([resolved, resolvedProtocols]) => {
          if (attempt === this.#attempt) {
            this.#open(resolved, resolvedProtocols, binaryType);
          }
        },
        (error) => {
          if (attempt === this.#attempt) this.#events.fail(urlFailed(error));
        },
      );
    } else {
      this.#open(url, offered, binaryType);
    }
  }

  /** Starts the keepalive on the open socket, if there is one. */
  startKeepalive(): void {
    this.#keepalive?.start();
  }

  /**
   * Stops listening to the current socket and forgets it without closing
   * it, so the caller can close it and wait on its own.
   */
  release(): void {
    this.#detach?.();
    this.#detach = undefined;
    this.#ws = undefined;
  }

  /**
   * Abandons the current attempt: clears its timer and closes its socket,
   * with `code` and `reason` if given.
   */
  abandon(code?: number, reason?: string): void {
    this.#attempt++;
    this.#clearTimer();
    this.#keepalive?.stop();
    this.#opened = false;
    const ws = this.#ws;
    if (ws === undefined) return;
    this.release();
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) {
      try {
        if (code === undefined) ws.close();
        else ws.close(code, reason);
      } catch {
        // Already closing or closed: nothing left to abandon.
      }
    }
  }

  #open(url: string | URL, protocols: Offered, binaryType: BinaryType): void {
    const href = String(url);
    this.#url = href;
    const invalid = invalidUrl(href);
    if (invalid) return this.#events.fail(invalid);
    const { WebSocket, headers } = this.#settings;
    let ws: WebSocketLike;
    try {
      ws = headers !== undefined
        ? new WebSocket(href, {
          ...(protocols === undefined ? {} : { protocols }),
          headers,
        })
        : protocols !== undefined
        ? new WebSocket(href, protocols)
        : new WebSocket(href);
      ws.binaryType = binaryType;
    } catch (error) {
      this.#events.fail(
        new ConnectionError(
          "connect_failed",
          `Cannot open a WebSocket to ${href}`,
          { cause: error },
        ),
      );
      return;
    }
    const listener = (event: Event): void => this.#onEvent(ws, event);
    // The one per-message path: straight to the data, no switch on the type.
    const onMessage = (event: Event): void => {
      if (ws !== this.#ws) return;
      const data = (event as MessageEvent).data;
      if (this.#keepalive?.received(data) !== true) this.#events.message(data);
    };
    for (const type of SOCKET_EVENTS) ws.addEventListener(type, listener);
    ws.addEventListener("message", onMessage);
    this.#ws = ws;
    this.#opened = false;
    this.#detach = () => {
      for (const type of SOCKET_EVENTS) ws.removeEventListener(type, listener);
      ws.removeEventListener("message", onMessage);
    };
  }

  #onEvent(ws: WebSocketLike, event: Event): void {
    if (ws !== this.#ws) return;
    switch (event.type) {
      case "open":
        this.#clearTimer();
        this.#opened = true;
        this.#events.open(ws);
        return;
      case "error": {
        const given = (event as ErrorEvent).message;
        const message = typeof given === "string" ? given : "";
        const cause = (event as ErrorEvent).error ?? event;
        this.#events.fail(
          this.#opened
            ? new ConnectionError(
              "socket_error",
              message || "The WebSocket reported an error",
              { cause },
            )
            : attemptFailed(message, cause),
        );
        return;
      }
      case "close": {
        const { code, reason, wasClean } = event as CloseEvent;
        this.#events.close({ code, reason, wasClean });
        return;
      }
    }
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#settings.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Closes `ws` with `code` and `reason` and calls `done` once it has closed,
 * failed, or not closed within `timeout`; `received` says whether a close
 * event came. Returns a function that finishes at once, as an unclean close.
 * `done` is called exactly once.
 */
export function awaitClose(
  ws: WebSocketLike,
  close: { code: number; reason: string; timeout: number; clock: Clock },
  done: (info: CloseInfo, received: boolean) => void,
): () => void {
  const { code, reason, timeout, clock } = close;
  let timer: TimerId | undefined;
  let finished = false;
  const finish = (info: CloseInfo, received: boolean): void => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    ws.removeEventListener("close", onClose);
    ws.removeEventListener("error", onClose);
    done(info, received);
  };
  const unclean = (): void => finish({ code, reason, wasClean: false }, false);
  const onClose = (event: Event): void => {
    if (event.type !== "close") return unclean();
    const { code, reason, wasClean } = event as CloseEvent;
    finish({ code, reason, wasClean }, true);
  };
  ws.addEventListener("close", onClose);
  ws.addEventListener("error", onClose);
  timer = clock.setTimeout(() => {
    timer = undefined;
    unclean();
  }, timeout);
  return unclean;
}

/**
 * What a WebSocket's `close()` accepts from an application: code 1000 or
 * 3000 to 4999, and a reason of at most 123 bytes of UTF-8.
 */
export function checkCloseArguments(code: number, reason: string): void {
  if (code !== normalClosure && !(code >= 3000 && code <= 4999)) {
    throw new RangeError(
      `Cannot close as 'code' must be 1000 or from 3000 to 4999: current value is ${code}`,
    );
  }
  if (new TextEncoder().encode(reason).length > 123) {
    throw new RangeError(
      "Cannot close as 'reason' must be at most 123 bytes of UTF-8",
    );
  }
}

type Offered = string | string[] | undefined;

function urlFailed(cause: unknown): ConnectionError {
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  return new ConnectionError(
    "url_failed",
    `The URL or protocols provider failed${why}`,
    { cause },
  );
}
