// In-memory sockets and a fake clock for driving a Relay in tests.
import { createTestClock, type TestClock } from "../_fake_clock.ts";
import type { ClientFrame, RelayFrame } from "../../src/protocol/mod.ts";
import {
  type Identity,
  Relay,
  type RelayConnection,
  type RelayOptions,
  type RelaySocket,
} from "../../src/relay/mod.ts";

export type FakeClock = TestClock;

/** A fake clock to inject as the relay's `clock`. */
export const fakeClock: () => FakeClock = createTestClock;

/** A socket that records what the relay sends and how it closes it. */
export class FakeSocket implements RelaySocket {
  readonly sent: string[] = [];
  readonly closes: { code?: number; reason?: string }[] = [];
  bufferedAmount = 0;
  throwOnSend = false;
  /** Answers `false` to every send, as Bun does past its backpressure limit. */
  dropOnSend = false;
  #read = 0;

  send(data: string): boolean {
    if (this.throwOnSend) throw new Error("socket is gone");
    if (this.dropOnSend) return false;
    this.sent.push(data);
    return true;
  }

  close(code?: number, reason?: string): void {
    this.closes.push({ code, reason });
  }

  /** Every JSON frame sent so far (`pong` left out). */
  frames(): RelayFrame[] {
    return this.sent.filter((t) => t !== "pong").map((t) => JSON.parse(t));
  }

  /** The JSON frames sent since the last call. */
  take(): RelayFrame[] {
    const fresh = this.sent.slice(this.#read);
    this.#read = this.sent.length;
    return fresh.filter((t) => t !== "pong").map((t) => JSON.parse(t));
  }
}

/** A client as the tests drive it: a fake socket and its relay handle. */
export interface Client {
  socket: FakeSocket;
  conn: RelayConnection;
  send(frame: ClientFrame | string): void;
  take(): RelayFrame[];
}

export interface Harness {
  clock: FakeClock;
  relay: Relay;
  /** Opens a socket; sends `hello` (with `hello` fields) unless `hello` is false. */
  connect(options?: {
    identity?: Identity;
    hello?: Partial<ClientFrame & { type: "hello" }> | false;
  }): Client;
  /** Opens `count` clients that have joined `channel`, every frame so far taken. */
  joined(channel: string, count?: number): Client[];
  [Symbol.dispose](): void;
}

export function harness(options: RelayOptions = {}): Harness {
  const clock = fakeClock();
  const relay = new Relay({ clock, ...options });
  return {
    clock,
    relay,
    connect({ identity, hello = {} } = {}) {
      const socket = new FakeSocket();
      const conn = relay.open(socket, identity);
      const client: Client = {
        socket,
        conn,
        send: (frame) =>
          conn.message(
            typeof frame === "string" ? frame : JSON.stringify(frame),
          ),
        take: () => socket.take(),
      };
      if (hello !== false) {
        client.send({ type: "hello", v: 1, ...hello });
        socket.take();
      }
      return client;
    },
    joined(channel, count = 2) {
      const clients = Array.from({ length: count }, () => this.connect());
      for (const c of clients) c.send({ type: "join", channel });
      for (const c of clients) c.take();
      return clients;
    },
    [Symbol.dispose]() {
      relay.close();
      if (clock.countTimers() !== 0) {
        throw new Error(`${clock.countTimers()} timers left after close()`);
      }
    },
  };
}

/** Lets pending promise callbacks (async hooks) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** The error code of an ack or error frame, or false. */
export const codeOf = (f: RelayFrame): string | false =>
  (f.type === "ack" && !f.ok && f.error.code) ||
  (f.type === "error" && f.error.code);

/** An upgrade request with a query and headers. */
export const request = (
  query = "",
  headers: Record<string, string> = {},
): Request => new Request(`http://relay.test/ws${query}`, { headers });

/** The secret resume token of the `welcome` `client` got. */
export function resumeOf(client: Client): string | undefined {
  for (const frame of client.socket.frames()) {
    if (frame.type === "welcome") return frame.resume;
  }
  return undefined;
}
