/**
 * The usage partysocket's and reconnecting-websocket's READMEs document,
 * run against lifeline with only the import and the option names changed:
 * the constructor (with and without protocols), URL providers, the
 * listeners and `on…` properties, the WebSocket properties and constants,
 * `close` and `reconnect`. A real Deno.serve echo server on loopback; every
 * wait is bounded.
 */
import assert from "node:assert/strict";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import {
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
} from "../../src/socket/reconnecting_websocket.ts";

/** Fails a wait that takes longer than this; none should come close. */
const BOUND = 5_000;

interface EchoServer {
  /** `ws://127.0.0.1:PORT`, plus `path`. */
  url(path?: string): string;
  /** The path and close code of every connection that closed, in order. */
  readonly closes: { path: string; code: number; reason: string }[];
  /** The paths of every connection accepted, in order. */
  readonly paths: string[];
  /** Closes the server's side of every open connection. */
  dropAll(code?: number): void;
  stop(): Promise<void>;
}

/** Echoes text; picks the first subprotocol offered. */
function startEchoServer(): EchoServer {
  const open = new Set<WebSocket>();
  const closes: EchoServer["closes"] = [];
  const paths: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const offered = request.headers.get("sec-websocket-protocol");
      const protocol = offered?.split(",")[0].trim();
      const { socket, response } = Deno.upgradeWebSocket(
        request,
        protocol ? { protocol } : {},
      );
      const path = new URL(request.url).pathname;
      paths.push(path);
      socket.onopen = () => open.add(socket);
      socket.onmessage = (event) => socket.send(event.data);
      socket.onclose = (event) => {
        open.delete(socket);
        closes.push({ path, code: event.code, reason: event.reason });
      };
      return response;
    },
  );
  const { port } = server.addr;
  return {
    url: (path = "/") => `ws://127.0.0.1:${port}${path}`,
    closes,
    paths,
    dropAll(code = 1012) {
      for (const socket of open) socket.close(code, "restart");
    },
    async stop() {
      for (const socket of open) socket.close();
      await server.shutdown();
    },
  };
}

/** Resolves with the next event of `type`, or rejects after BOUND ms. */
function next<T extends Event>(target: EventTarget, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`No ${type} event within ${BOUND} ms`));
    }, BOUND);
    const listener = (event: Event): void => {
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(event as T);
    };
    target.addEventListener(type, listener);
  });
}

// Fast retries, so a reconnect takes milliseconds: the renamed form of
// `minReconnectionDelay: 10, maxReconnectionDelay: 10`.
const quick = (): ReconnectingWebSocketOptions => ({
  backoff: new ConstantBackoff(10),
});

Deno.test("simple usage: send on open, hear the echo with addEventListener", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url());
  rws.addEventListener("open", () => {
    rws.send("hello!");
  });
  const event = await next<MessageEvent>(rws, "message");
  assert.equal(event.data, "hello!");
  assert.ok(event instanceof MessageEvent);
  await rws.close();
  await server.stop();
});

Deno.test("the Level 0 event model: onopen, onmessage, onclose", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url());
  const seen: string[] = [];
  rws.onopen = () => {
    seen.push("open");
    rws.send("hi");
  };
  rws.onmessage = (event) => seen.push(`message ${event.data}`);
  rws.onclose = (event) => seen.push(`close ${event.code}`);
  await next(rws, "message");
  await rws.close(1000, "done");
  assert.deepEqual(seen, ["open", "message hi", "close 1000"]);
  await server.stop();
});

Deno.test("(url, protocols, options): the protocol is offered and the options apply", async () => {
  const server = startEchoServer();
  // reconnecting-websocket's `{ connectionTimeout: 1000, maxRetries: 10 }`.
  const options = { timeout: 1000, maxRetries: 10 };
  const rws = new ReconnectingWebSocket(server.url(), "chat", options);
  await next(rws, "open");
  assert.equal(rws.protocol, "chat");
  await rws.close();
  const none = new ReconnectingWebSocket(server.url(), [], options);
  await next(none, "open");
  assert.equal(none.protocol, "");
  await none.close();
  await server.stop();
});

Deno.test("(url, protocols, options): maxRetries is honoured", async () => {
  const server = startEchoServer();
  const gone = server.url();
  await server.stop();
  const rws = new ReconnectingWebSocket(gone, "chat", {
    maxRetries: 2,
    ...quick(),
  });
  const closes: number[] = [];
  rws.addEventListener("close", (event) => closes.push(event.code));
  await rws.connection.until((s) => s.type === "disconnected", {
    timeout: BOUND,
  });
  assert.equal(closes.length, 3); // the first attempt and two retries
  assert.equal(rws.readyState, ReconnectingWebSocket.CLOSED);
  assert.equal(rws.retryCount, 2);
});

Deno.test("a round-robin URL provider is called for every connection", async () => {
  const server = startEchoServer();
  const urls = [server.url("/a"), server.url("/b"), server.url("/c")];
  let urlIndex = 0;
  const urlProvider = () => urls[urlIndex++ % urls.length];
  const rws = new ReconnectingWebSocket(urlProvider, quick());
  await next(rws, "open");
  assert.equal(rws.url, urls[0]);
  server.dropAll();
  await next(rws, "open");
  assert.equal(rws.url, urls[1]);
  assert.deepEqual(server.paths, ["/a", "/b"]);
  await rws.close();
  await server.stop();
});

Deno.test("an async URL provider, such as one fetching a token", async () => {
  const server = startEchoServer();
  const getSessionToken = () => Promise.resolve("t0k3n");
  const urlProvider = async () => {
    const token = await getSessionToken();
    return server.url(`/${token}`);
  };
  const rws = new ReconnectingWebSocket(urlProvider);
  await next(rws, "open");
  assert.deepEqual(server.paths, ["/t0k3n"]);
  await rws.close();
  await server.stop();
});

Deno.test("messages sent before the connection opens are sent once it does", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url());
  const received: string[] = [];
  rws.onmessage = (event) => received.push(event.data);
  rws.send("one");
  rws.send("two");
  assert.ok(rws.bufferedAmount >= 6);
  await next(rws, "message");
  if (received.length < 2) await next(rws, "message");
  assert.deepEqual(received, ["one", "two"]);
  assert.equal(rws.bufferedAmount, 0);
  await rws.close();
  await server.stop();
});

Deno.test("the WebSocket properties and constants", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url());
  assert.equal(rws.readyState, rws.CONNECTING);
  assert.equal(rws.readyState, ReconnectingWebSocket.CONNECTING);
  await next(rws, "open");
  assert.equal(rws.readyState, rws.OPEN);
  assert.equal(rws.url, server.url());
  assert.equal(rws.protocol, "");
  assert.equal(typeof rws.extensions, "string");
  assert.equal(rws.binaryType, "arraybuffer");
  rws.binaryType = "blob";
  assert.equal(rws.binaryType, "blob");
  assert.equal(rws.bufferedAmount, 0);
  assert.equal(rws.retryCount, 0);
  assert.deepEqual(
    [rws.CONNECTING, rws.OPEN, rws.CLOSING, rws.CLOSED],
    [0, 1, 2, 3],
  );
  assert.deepEqual([
    ReconnectingWebSocket.CONNECTING,
    ReconnectingWebSocket.OPEN,
    ReconnectingWebSocket.CLOSING,
    ReconnectingWebSocket.CLOSED,
  ], [0, 1, 2, 3]);
  const closing = rws.close();
  assert.equal(rws.readyState, rws.CLOSING);
  await closing;
  assert.equal(rws.readyState, rws.CLOSED);
  await server.stop();
});

Deno.test("reconnect(code, reason) closes the connection with them and opens a new one", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url());
  await next(rws, "open");
  const closed = next<CloseEvent>(rws, "close");
  const reopened = next(rws, "open");
  rws.reconnect(4000, "switching");
  await closed;
  await reopened;
  await rws.close();
  assert.equal(server.closes[0].code, 4000);
  assert.equal(server.closes[0].reason, "switching");
  await server.stop();
});

Deno.test("it reconnects by itself after the server drops it, and reconnect() works after close()", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url(), quick());
  await next(rws, "open");
  const closed = next<CloseEvent>(rws, "close");
  server.dropAll(1012);
  assert.equal((await closed).code, 1012);
  await next(rws, "open");
  assert.equal(rws.readyState, rws.OPEN);
  await rws.close();
  assert.equal(rws.readyState, rws.CLOSED);
  rws.reconnect();
  await next(rws, "open");
  await rws.close();
  await server.stop();
});

Deno.test("removeEventListener stops a listener", async () => {
  const server = startEchoServer();
  const rws = new ReconnectingWebSocket(server.url());
  const received: unknown[] = [];
  const listener = (event: MessageEvent) => received.push(event.data);
  rws.addEventListener("message", listener);
  await next(rws, "open");
  rws.send("first");
  await next(rws, "message");
  rws.removeEventListener("message", listener);
  rws.send("second");
  await next(rws, "message");
  assert.deepEqual(received, ["first"]);
  await rws.close();
  await server.stop();
});

Deno.test("their option names throw a TypeError naming lifeline's", () => {
  const renamed: Record<string, string> = {
    minReconnectionDelay: "backoff",
    maxReconnectionDelay: "backoff",
    reconnectionDelayGrowFactor: "backoff",
    connectionTimeout: "timeout",
    maxEnqueuedMessages: "buffer",
    reconnectInterval: "backoff",
    maxReconnectAttempts: "maxRetries",
    timeoutInterval: "timeout",
  };
  for (const [theirs, ours] of Object.entries(renamed)) {
    assert.throws(
      () =>
        new ReconnectingWebSocket(
          "ws://127.0.0.1:9/",
          [],
          { [theirs]: 1 } as ReconnectingWebSocketOptions,
        ),
      new TypeError(
        `Cannot create ReconnectingWebSocket as '${theirs}' is not an option: did you mean '${ours}'?`,
      ),
    );
  }
  assert.throws(
    () =>
      new ReconnectingWebSocket("ws://127.0.0.1:9/", [], {
        startClosed: true,
      } as ReconnectingWebSocketOptions),
    new TypeError(
      "Cannot create ReconnectingWebSocket as 'startClosed' is not an option: the socket connects when it is created; create it when you want it to connect",
    ),
  );
});
