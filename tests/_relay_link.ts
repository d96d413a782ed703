/**
 * An in-memory network between WebSocket clients and a {@linkcode Relay}:
 * a `WebSocket` constructor whose sockets talk to the relay directly, each
 * frame delivered in a later microtask, in order, as a real network would.
 * Tests cut connections with {@linkcode LinkedSocket.drop}, refuse new ones
 * with {@linkcode RelayLink.refuse}, and swap the relay to mimic a restart.
 *
 * @module
 */

import type { Identity, Relay, RelayConnection } from "../src/relay/mod.ts";
import type { WebSocketLike } from "../src/socket/reconnecting_websocket.ts";

/** One client socket of a {@linkcode RelayLink}. */
export interface LinkedSocket extends WebSocketLike {
  /** The URL it was opened with. */
  readonly url: string;
  /** Every text frame the client sent, in order. */
  readonly sent: string[];
  /** The network fails: both ends see the connection end with 1006. */
  drop(): void;
  /**
   * The relay behind it lost its memory while the socket stayed open (a
   * Durable Object woken without a restore): later frames reach a fresh,
   * un-welcomed connection of the link's relay.
   */
  forget(): void;
}

/** A fake network in front of a relay. */
export interface RelayLink {
  /** The relay new connections reach; replace it to mimic a restart. */
  relay: Relay;
  /** While true, connection attempts fail as if nothing listened. */
  refuse: boolean;
  /** The identity new connections get; anonymous by default. */
  identity: Identity | undefined;
  /** Pass as the `WebSocket` option. */
  readonly WebSocket: new (url: string) => LinkedSocket;
  /** Every socket made, in order. */
  readonly sockets: LinkedSocket[];
}

/** Makes a fake network in front of `relay`. */
export function relayLink(relay: Relay): RelayLink {
  const sockets: LinkedSocket[] = [];
  const link: RelayLink = {
    relay,
    refuse: false,
    identity: undefined,
    WebSocket: undefined as unknown as new (url: string) => LinkedSocket,
    sockets,
  };

  class Socket extends EventTarget implements LinkedSocket {
    readonly url: string;
    readonly sent: string[] = [];
    readyState = 0;
    protocol = "";
    extensions = "";
    bufferedAmount = 0;
    binaryType = "arraybuffer";
    #connection: RelayConnection | undefined;
    #generation = 0;

    constructor(url: string) {
      super();
      this.url = url;
      sockets.push(this);
      queueMicrotask(() => {
        if (this.readyState !== 0) return;
        if (link.refuse) {
          this.readyState = 3;
          this.dispatchEvent(new Event("error"));
          this.#dispatchClose(1006, "", false);
          return;
        }
        this.readyState = 1;
        this.#attach();
        this.dispatchEvent(new Event("open"));
      });
    }

    /** Opens this socket's connection on the link's current relay. */
    #attach(): void {
      const generation = ++this.#generation;
      // A relay that forgot this socket no longer reaches it.
      const current = () => generation === this.#generation;
      this.#connection = link.relay.open({
        send: (text) => {
          if (!current()) return;
          if (this.readyState !== 1) throw new Error("socket closed");
          // Frames sent before a close arrive before it (2: closing).
          queueMicrotask(() => {
            if (this.readyState === 1 || this.readyState === 2) {
              this.dispatchEvent(new MessageEvent("message", { data: text }));
            }
          });
        },
        close: (code = 1005, reason = "") => {
          if (!current() || this.readyState >= 2) return;
          this.readyState = 2;
          queueMicrotask(() => {
            this.#connection?.closed(code, reason);
            this.readyState = 3;
            this.#dispatchClose(code, reason, true);
          });
        },
      }, link.identity);
    }

    forget(): void {
      this.#attach();
    }

    send(data: unknown): void {
      if (this.readyState !== 1) {
        throw new DOMException("not open", "InvalidStateError");
      }
      if (typeof data === "string") this.sent.push(data);
      const connection = this.#connection!;
      queueMicrotask(() => {
        if (this.readyState === 1) {
          connection.message(data as string | ArrayBuffer | Uint8Array);
        }
      });
    }

    close(code = 1005, reason = ""): void {
      if (this.readyState >= 2) return;
      const wasOpen = this.readyState === 1;
      this.readyState = 2;
      queueMicrotask(() => {
        this.#connection?.closed(code, reason);
        this.readyState = 3;
        this.#dispatchClose(wasOpen ? code : 1006, reason, wasOpen);
      });
    }

    drop(): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.#connection?.closed(1006, "");
      this.#dispatchClose(1006, "", false);
    }

    #dispatchClose(code: number, reason: string, wasClean: boolean): void {
      this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean }));
    }
  }

  (link as { WebSocket: unknown }).WebSocket = Socket;
  return link;
}
