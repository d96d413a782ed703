/**
 * ReconnectingWebSocket against real sockets on loopback: a Deno.serve
 * WebSocket server that restarts or goes silent, and a TCP listener that never
 * answers the handshake. Real time, small timeouts, every wait bounded.
 */
import assert from "node:assert/strict";
import { ExponentialBackoff } from "../../src/core/backoff.ts";
import {
  type CloseInfo,
  type ConnectionState,
  ReconnectingWebSocket,
} from "../../src/socket/reconnecting_websocket.ts";

/** Fails a wait that takes longer than this; no test should come close. */
const BOUND = 5_000;

interface TestServer {
  readonly port: number;
  /** Messages received by this server and every earlier one sharing the inbox. */
  readonly inbox: Inbox;
  /** Closes every socket with `code`, then stops listening. */
  stop(code?: number): Promise<void>;
}

/** Messages a server received, with a bounded wait for more to arrive. */
class Inbox {
  readonly messages: string[] = [];
  #waiters = new Set<() => void>();

  add(message: string): void {
    this.messages.push(message);
    for (const waiter of this.#waiters) waiter();
  }

  waitFor(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`Received ${this.messages.length} of ${count}`));
      }, BOUND);
      const check = () => {
        if (this.messages.length < count) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

/**
 * An echo server on 127.0.0.1 that answers `ping` with `pong`, unless
 * `silent` says to ignore everything on a connection.
 */
function startServer(
  options: { port?: number; inbox?: Inbox; silent?: (n: number) => boolean } =
    {},
): TestServer {
  const { port = 0, inbox = new Inbox(), silent = () => false } = options;
  const sockets = new Set<WebSocket>();
  let connections = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      const quiet = silent(++connections);
      sockets.add(socket);
      socket.onclose = () => sockets.delete(socket);
      socket.onmessage = (event) => {
        if (quiet) return;
        if (event.data === "ping") return socket.send("pong");
        inbox.add(String(event.data));
        socket.send(event.data);
      };
      return response;
    },
  );
  return {
    port: server.addr.port,
    inbox,
    async stop(code = 1012) {
      const closed = [...sockets].map((socket) =>
        new Promise((resolve) => {
          socket.addEventListener("close", resolve, { once: true });
          if (socket.readyState <= WebSocket.OPEN) socket.close(code);
        })
      );
      await Promise.all(closed);
      await server.shutdown();
    },
  };
}

function stateIs(...types: ConnectionState["type"][]) {
  return (state: ConnectionState) => types.includes(state.type);
}

Deno.test("a client reconnects after a server restart and delivers every message sent during the outage once, in order", async () => {
  let server = startServer();
  const { port, inbox } = server;
  const client = new ReconnectingWebSocket(`ws://127.0.0.1:${port}`, {
    backoff: new ExponentialBackoff({ initial: 50, maximum: 200 }),
    timeout: 1_000,
  });
  const echoes: unknown[] = [];
  client.messages.subscribe((data) => echoes.push(data));
  try {
    await client.ready({ timeout: BOUND });
    assert.equal(client.send("m0"), "sent");
    await inbox.waitFor(1);

    await server.stop();
    await client.connection.until(stateIs("reconnecting"), { timeout: BOUND });
    const outage = Array.from({ length: 10 }, (_, i) => `m${i + 1}`);
    for (const message of outage) assert.equal(client.send(message), "queued");

    server = startServer({ port, inbox });
    await client.connection.until(stateIs("reconnected"), { timeout: BOUND });
    assert.equal(client.send("m11"), "sent");
    await inbox.waitFor(12);
    assert.deepEqual(inbox.messages, [
      "m0",
      ...outage,
      "m11",
    ]);
    assert.equal(client.bufferedAmount, 0);
  } finally {
    await client.close();
    await server.stop();
  }
  assert.deepEqual(echoes.slice(0, 1), ["m0"]);
});

Deno.test("a connect attempt that stalls in the handshake times out and is retried", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) conns.push(conn);
    } catch {
      // The listener was closed.
    }
  })();
  const ended: CloseInfo[] = [];
  const client = new ReconnectingWebSocket(
    `ws://127.0.0.1:${listener.addr.port}`,
    {
      timeout: 150,
      backoff: new ExponentialBackoff({ initial: 20, maximum: 20 }),
      shouldReconnect: (info) => {
        ended.push(info);
        return true;
      },
    },
  );
  try {
    await client.connection.until(
      (state) => state.type === "reconnecting" && state.attempt === 2,
      { timeout: BOUND },
    );
    assert.deepEqual(
      ended.map((info) => info.error?.code),
      ["connect_timeout", "connect_timeout"],
    );
    assert.ok(conns.length >= 2, `${conns.length} handshakes were accepted`);
  } finally {
    await client.close();
    for (const conn of conns) conn.close();
    listener.close();
    await accepting;
  }
  assert.equal(client.connection.value.type, "disconnected");
});

Deno.test("a server that goes silent is found dead by the keepalive within interval + timeout, and the client reconnects", async () => {
  const interval = 100;
  const timeout = 100;
  const server = startServer({ silent: (n) => n === 1 });
  const ended: CloseInfo[] = [];
  const client = new ReconnectingWebSocket(`ws://127.0.0.1:${server.port}`, {
    keepalive: { interval, timeout },
    backoff: new ExponentialBackoff({ initial: 20, maximum: 20 }),
    shouldReconnect: (info) => {
      ended.push(info);
      return true;
    },
  });
  const received: unknown[] = [];
  client.messages.subscribe((data) => received.push(data));
  try {
    await client.ready({ timeout: BOUND });
    const start = performance.now();
    // Found dead no later than one interval of silence plus the ping timeout;
    // the slack covers timer granularity, not a slower detection.
    await client.connection.until(stateIs("reconnecting"), {
      timeout: interval + timeout + 100,
    });
    const detectedAfter = performance.now() - start;
    assert.equal(ended[0].error?.code, "keepalive_timeout");
    assert.ok(detectedAfter >= interval + timeout - 5, `${detectedAfter} ms`);

    await client.connection.until(stateIs("reconnected"), { timeout: BOUND });
    assert.equal(client.send("hello"), "sent");
    await server.inbox.waitFor(1);
    assert.deepEqual(server.inbox.messages, ["hello"]);
  } finally {
    await client.close();
    await server.stop();
  }
  assert.ok(!received.includes("pong"), "pongs are swallowed");
});

Deno.test("close() on a client still connecting to a real server resolves at once and leaks nothing", async () => {
  const server = startServer();
  const client = new ReconnectingWebSocket(`ws://127.0.0.1:${server.port}`);
  await client.close();
  assert.equal(client.connection.value.type, "disconnected");
  await server.stop();
});
