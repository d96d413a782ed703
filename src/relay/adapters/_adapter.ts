/**
 * What every relay adapter shares, written once: admission before the
 * upgrade (the relay's checks, then "is this a WebSocket upgrade?"), the
 * refusal an HTTP client reads, one link per socket that feeds the relay
 * and reports the close exactly once, and a count of open sockets that a
 * graceful stop can wait on. Each runtime's adapter only translates its own
 * server's events into these calls.
 *
 * Internal: the adapters re-export the public types.
 *
 * @module
 */

import type { Identity, Relay, RelayConnection, RelaySocket } from "../mod.ts";

/** How long {@linkcode RelayAdapter.close} waits for the sockets by default, in milliseconds. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * What every relay adapter hands back: its relay and a graceful close that
 * waits for the clients' close handshakes.
 *
 * @example Closing an adapter that has no socket open
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { denoRelay, type RelayAdapter } from "@lifeline/realtime/relay/deno";
 * import assert from "node:assert/strict";
 *
 * const adapter: RelayAdapter = denoRelay(new Relay());
 * assert.equal(adapter.openSockets, 0);
 * assert.equal(await adapter.close(), true);
 * const late = await adapter.relay.accept(new Request("http://relay.test/ws"));
 * assert.equal(late.ok, false); // the relay is closed
 * ```
 */
export interface RelayAdapter {
  /** The relay the adapter feeds. */
  readonly relay: Relay;
  /** The WebSockets this adapter has open now. */
  readonly openSockets: number;
  /**
   * Closes the relay (every client gets `bye` and the close code 1012) and
   * resolves `true` once every socket has closed, or `false` after
   * `timeout` milliseconds. Stop the HTTP server after it: a server that
   * shuts down first cuts the sockets before the relay's goodbye reaches
   * them.
   *
   * @param timeout Milliseconds to wait for the sockets. @default {2000}
   */
  close(timeout?: number): Promise<boolean>;
}

/** The outcome of {@linkcode AdapterCore.admit}. */
export type Admission =
  | { ok: true; identity: Identity; protocol?: string }
  | { ok: false; status: number; body: string };

/** The adapters' shared bookkeeping; each adapter owns one. */
export class AdapterCore {
  /** The relay the adapter feeds. */
  readonly relay: Relay;
  #open = 0;
  #drained = new Set<() => void>();

  constructor(relay: Relay) {
    this.relay = relay;
  }

  /** The WebSockets open now. */
  get openSockets(): number {
    return this.#open;
  }

  /**
   * The relay's checks (origin 403, token 401), then the upgrade header
   * (426). A refusal carries the JSON body `{ error: { code, message } }`.
   */
  async admit(request: Request): Promise<Admission> {
    const accepted = await this.relay.accept(request);
    if (!accepted.ok) {
      return refused(accepted.status, accepted.code, accepted.message);
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refused(426, "bad_request", "Expected a WebSocket upgrade");
    }
    return accepted;
  }

  /**
   * Opens a relay connection for a socket that just opened. The handle it
   * returns forwards frames and liveness (`seen`), and reports the close
   * once, however many close and error events the runtime fires.
   */
  attach(
    socket: RelaySocket,
    identity: Identity,
    request: Request | undefined,
  ): RelayConnection {
    this.#open++;
    return new Attached(this.relay.open(socket, identity, request), this);
  }

  /**
   * Opens a relay connection without the close-once wrapper of
   * {@linkcode attach}: for an adapter whose runtime reports each close
   * once, and that calls {@linkcode released} itself, exactly once, after
   * passing the close on. One object less per socket.
   */
  open(
    socket: RelaySocket,
    identity: Identity,
    request: Request | undefined,
  ): RelayConnection {
    this.#open++;
    return this.relay.open(socket, identity, request);
  }

  /** An attached socket closed: wakes `close()` once none is left. */
  released(): void {
    if (--this.#open > 0) return;
    for (const wake of this.#drained) wake();
    this.#drained.clear();
  }

  /**
   * Completes `own`, the members an adapter adds for its runtime, with the
   * ones every {@linkcode RelayAdapter} has, backed by this core.
   */
  adapter<A extends RelayAdapter>(own: Omit<A, keyof RelayAdapter>): A {
    return Object.defineProperties(own, {
      relay: { value: this.relay, enumerable: true },
      openSockets: { get: () => this.#open, enumerable: true },
      close: {
        value: (timeout?: number) => this.close(timeout),
        enumerable: true,
      },
    }) as unknown as A;
  }

  /** {@linkcode RelayAdapter.close}. */
  close(timeout: number = CLOSE_TIMEOUT_MS): Promise<boolean> {
    this.relay.close();
    if (this.#open === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#drained.delete(wake);
        resolve(false);
      }, timeout);
      this.#drained.add(wake);
    });
  }
}

/**
 * The handle {@linkcode AdapterCore.attach} answers: forwards to the
 * relay's, and reports the close once. A class, not closures, since every
 * open socket holds one.
 */
class Attached implements RelayConnection {
  #connection: RelayConnection;
  #core: AdapterCore | undefined;

  constructor(connection: RelayConnection, core: AdapterCore) {
    this.#connection = connection;
    this.#core = core;
  }

  get id(): string {
    return this.#connection.id;
  }

  message(data: string | ArrayBuffer | Uint8Array): void {
    this.#connection.message(data);
  }

  seen(at: number): void {
    this.#connection.seen?.(at);
  }

  closed(code?: number, reason?: string): void {
    const core = this.#core;
    if (core === undefined) return;
    this.#core = undefined;
    this.#connection.closed(code, reason);
    core.released();
  }
}

/** An HTTP response for a refused admission. */
export function refusal(admission: { status: number; body: string }): Response {
  return new Response(admission.body, {
    status: admission.status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * What the relay accepts of a received frame. Binary frames arrive as an
 * ArrayBuffer or a byte view; a Blob (a `binaryType` of "blob") cannot be
 * read synchronously, and the relay refuses binary frames anyway, so it
 * reads as empty.
 */
export function frameData(data: unknown): string | ArrayBuffer | Uint8Array {
  if (typeof data === "string" || data instanceof ArrayBuffer) return data;
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(0);
}

/**
 * The part of a WHATWG-style server WebSocket that the adapters listen to:
 * Deno's `WebSocket`, and the `ws` package's, whose `addEventListener`
 * hands text frames over as strings.
 */
export interface ListenedSocket {
  /** Hears each frame. */
  addEventListener(
    type: "message",
    listener: (event: { readonly data: unknown }) => void,
  ): void;
  /** Hears the close. */
  addEventListener(
    type: "close",
    listener: (
      event: { readonly code: number; readonly reason: string },
    ) => void,
  ): void;
  /** Hears a failure. */
  addEventListener(type: "error", listener: () => void): void;
}

/** Feeds an open WHATWG-style socket's frames and close to `connection`. */
export function feed(
  socket: ListenedSocket,
  connection: RelayConnection,
): void {
  socket.addEventListener(
    "message",
    (event) => connection.message(frameData(event.data)),
  );
  socket.addEventListener(
    "close",
    (event) => connection.closed(event.code, event.reason),
  );
  socket.addEventListener(
    "error",
    () => connection.closed(1006, "socket error"),
  );
}

/** A refusal with the JSON body `{ error: { code, message } }`. */
export function refused(
  status: number,
  code: string,
  message: string,
): Admission & { ok: false } {
  return {
    ok: false,
    status,
    body: JSON.stringify({ error: { code, message } }),
  };
}
