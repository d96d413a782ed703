/**
 * Each relay adapter against scripted stand-ins for its runtime's server
 * and sockets: what it hands the relay, what it answers, and how its close
 * is counted. The same adapters against real servers are in
 * `tests/e2e/adapters/`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { APP_TOPIC, Relay } from "../../../src/relay/mod.ts";
import { AdapterCore } from "../../../src/relay/adapters/_adapter.ts";
import { denoRelay } from "../../../src/relay/adapters/deno.ts";
import {
  bunRelay,
  type BunServer,
  type BunServerWebSocket,
  type BunSocketData,
} from "../../../src/relay/adapters/bun.ts";
import {
  honoRelay,
  type HonoWSEvents,
} from "../../../src/relay/adapters/hono.ts";
import {
  nodeRelay,
  type NodeRequest,
  type NodeWebSocket,
  type NodeWebSocketServerOptions,
} from "../../../src/relay/adapters/node.ts";
import { createTestClock } from "../../_fake_clock.ts";

const HELLO = '{"type":"hello","v":1}';

/** A server-side socket that records what it sends; the test fires its events. */
class ServerSocket extends EventTarget {
  readonly sent: string[] = [];
  readonly closes: (number | undefined)[] = [];
  binaryType = "blob";
  bufferedAmount = 0;

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closes.push(code);
  }

  receive(data: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  closed(code = 1000, reason = ""): void {
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }

  types(): string[] {
    return this.sent.map((text) =>
      text.startsWith("{") ? JSON.parse(text).type : text
    );
  }
}

function upgradeRequest(headers: Record<string, string> = {}): Request {
  return new Request("http://relay.test/ws", {
    headers: { upgrade: "websocket", ...headers },
  });
}

Deno.test("denoRelay feeds the socket's frames to the relay and reports its close once", async () => {
  const socket = new ServerSocket();
  const protocols: (string | undefined)[] = [];
  const lifeline = denoRelay(new Relay(), {
    upgradeWebSocket(_request, options) {
      protocols.push(options.protocol);
      return {
        socket: socket as unknown as WebSocket,
        response: new Response(null, { status: 200 }),
      };
    },
  });
  const response = await lifeline.fetch(
    upgradeRequest({ "sec-websocket-protocol": "lifeline, token.abc" }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(protocols, ["lifeline"]);
  assert.equal(socket.binaryType, "arraybuffer");
  assert.equal(lifeline.openSockets, 0); // not open yet
  socket.dispatchEvent(new Event("open"));
  assert.equal(lifeline.openSockets, 1);
  socket.receive(HELLO);
  assert.deepEqual(socket.types(), ["welcome"]);
  socket.dispatchEvent(new Event("error"));
  socket.closed(1006);
  assert.equal(lifeline.openSockets, 0);
  assert.equal(lifeline.relay.stats().connections, 0);
  assert.equal(await lifeline.close(), true);
});

Deno.test("denoRelay answers a malformed handshake with 400", async () => {
  const lifeline = denoRelay(new Relay(), {
    upgradeWebSocket() {
      throw new TypeError(
        "Invalid Header: 'sec-websocket-key' header must be set",
      );
    },
  });
  const response = await lifeline.fetch(upgradeRequest());
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error.code, "bad_request");
  await lifeline.close();
});

Deno.test("denoRelay refuses an unknown option and suggests the nearest", () => {
  assert.throws(
    () => denoRelay(new Relay(), { upgrade: () => {} } as never),
    {
      name: "TypeError",
      message: /'upgrade' is not an option: did you mean 'upgradeWebSocket'\?/,
    },
  );
});

Deno.test("close waits for the relay's clients to close, and gives up after the timeout", async () => {
  const socket = new ServerSocket();
  const lifeline = denoRelay(new Relay(), {
    upgradeWebSocket: () => ({
      socket: socket as unknown as WebSocket,
      response: new Response(null),
    }),
  });
  await lifeline.fetch(upgradeRequest());
  socket.dispatchEvent(new Event("open"));
  assert.equal(await lifeline.close(0), false);
  assert.deepEqual(socket.closes, [1012]);
  const drained = lifeline.close();
  socket.closed(1012);
  assert.equal(await drained, true);
});

/** A Bun socket that records its topics and what it sends and publishes. */
function bunSocket(
  data: BunSocketData,
  log: string[],
  name: string,
): BunServerWebSocket {
  return {
    data,
    readyState: 1,
    send: (
      text,
    ) => (log.push(`${name} got ${JSON.parse(text).type}`), text.length),
    close: () => {},
    getBufferedAmount: () => 0,
    subscribe: (topic) => void log.push(`${name} +${topic}`),
    unsubscribe: (topic) => void log.push(`${name} -${topic}`),
    publish: (
      topic,
      text,
    ) => (log.push(`${name} publishes ${JSON.parse(text).type} to ${topic}`),
      1),
  };
}

Deno.test("bunRelay fans channel messages out through Bun's topics", async () => {
  const log: string[] = [];
  const upgraded: BunSocketData[] = [];
  const server: BunServer = {
    upgrade(_request, options) {
      upgraded.push(options.data);
      return true;
    },
    publish: (
      topic,
      text,
    ) => (log.push(`server publishes ${JSON.parse(text).type} to ${topic}`), 1),
  };
  const lifeline = bunRelay();
  assert.equal(await lifeline.fetch(upgradeRequest(), server), undefined);
  const ws = bunSocket(upgraded[0], log, "ann");
  lifeline.websocket.open(ws);
  lifeline.websocket.message(ws, HELLO);
  lifeline.websocket.message(
    ws,
    '{"type":"join","channel":"lobby","echo":false}',
  );
  lifeline.websocket.message(
    ws,
    '{"type":"pub","channel":"lobby","event":"e","echo":false}',
  );
  lifeline.websocket.message(
    ws,
    '{"type":"pub","channel":"lobby","event":"e"}',
  );
  assert.deepEqual(log.filter((line) => !line.includes(" got ")), [
    `ann +${APP_TOPIC}`,
    "ann +lobby",
    "ann publishes presence to lobby", // her join, echo off
    "ann publishes msg to lobby", // echo off: everyone but the sender
    "server publishes msg to lobby",
  ]);
  lifeline.websocket.close(ws, 1000, "");
  assert.equal(lifeline.relay.stats().connections, 0);
  assert.equal(await lifeline.close(), true);
});

Deno.test("bunRelay counts a socket's close once, and hands the relay the same identity for every anonymous socket", async () => {
  const upgraded: BunSocketData[] = [];
  const server: BunServer = {
    upgrade(_request, options) {
      upgraded.push(options.data);
      return true;
    },
    publish: () => 1,
  };
  const lifeline = bunRelay();
  await lifeline.fetch(upgradeRequest(), server);
  await lifeline.fetch(upgradeRequest(), server);
  // No authenticate hook: one frozen identity for them all, not one each.
  assert.equal(upgraded[0].identity, upgraded[1].identity);
  assert.ok(Object.isFrozen(upgraded[0].identity));
  const [ann, bob] = upgraded.map((data, i) => bunSocket(data, [], `s${i}`));
  lifeline.websocket.open(ann);
  lifeline.websocket.open(bob);
  assert.equal(lifeline.openSockets, 2);
  lifeline.websocket.close(ann, 1000, "");
  lifeline.websocket.close(ann, 1006, ""); // a second report changes nothing
  assert.equal(lifeline.openSockets, 1);
  assert.equal(lifeline.relay.stats().connections, 1);
  lifeline.websocket.message(ann, HELLO); // after its close: ignored
  assert.equal(lifeline.relay.stats().connections, 1);
  lifeline.websocket.close(bob, 1000, "");
  assert.equal(lifeline.openSockets, 0);
  assert.equal(await lifeline.close(), true);
});

Deno.test("bunRelay refuses a fanout option: it brings its own", () => {
  assert.throws(
    () =>
      bunRelay({ fanout: { subscribe() {}, unsubscribe() {}, publish() {} } }),
    TypeError,
  );
});

Deno.test("honoRelay wires Hono's socket events to the relay", async () => {
  let events: HonoWSEvents | undefined;
  const offered: (string | undefined)[] = [];
  const lifeline = honoRelay(new Relay(), (_c, given, options) => {
    events = given;
    offered.push(options.protocol);
    return Promise.resolve(new Response(null, { status: 200 }));
  });
  const c = {
    req: { raw: upgradeRequest({ "sec-websocket-protocol": "lifeline" }) },
  };
  assert.equal((await lifeline.handler(c)).status, 200);
  assert.deepEqual(offered, ["lifeline"]);
  const sent: string[] = [];
  const ws = {
    send: (text: string) => void sent.push(text),
    close() {},
    raw: { bufferedAmount: 0 },
  };
  events!.onOpen(new Event("open"), ws);
  events!.onMessage({ data: HELLO }, ws);
  assert.equal(JSON.parse(sent[0]).type, "welcome");
  events!.onClose({ code: 1000, reason: "" }, ws);
  events!.onError(new Event("error"), ws);
  assert.equal(lifeline.openSockets, 0);
  assert.equal(await lifeline.close(), true);
});

Deno.test("nodeRelay upgrades an accepted request with the relay's subprotocol", async () => {
  const socket = new ServerSocket();
  let options: NodeWebSocketServerOptions | undefined;
  const { promise: handed, resolve } = Promise.withResolvers<string | false>();
  class WebSocketServer {
    constructor(given: NodeWebSocketServerOptions) {
      options = given;
    }
    handleUpgrade(
      request: NodeRequest,
      _socket: unknown,
      _head: unknown,
      callback: (ws: NodeWebSocket) => void,
    ): void {
      resolve(
        options!.handleProtocols(new Set(["lifeline", "token.abc"]), request),
      );
      callback(socket as unknown as NodeWebSocket);
    }
  }
  const lifeline = nodeRelay(new Relay(), { WebSocketServer });
  assert.equal(options?.noServer, true);
  lifeline.upgrade(
    {
      url: "/ws",
      headers: {
        host: "relay.test",
        upgrade: "websocket",
        "sec-websocket-protocol": "lifeline, token.abc",
      },
    },
    { write() {}, destroy() {}, on() {} },
    new Uint8Array(0),
  );
  assert.equal(await handed, "lifeline");
  assert.equal(lifeline.openSockets, 1);
  socket.receive(new TextEncoder().encode(HELLO).buffer); // binary: refused
  socket.receive(HELLO);
  assert.deepEqual(socket.types(), ["error", "welcome"]);
  socket.closed();
  assert.equal(await lifeline.close(), true);
});

Deno.test("nodeRelay answers a plain request to the relay's path like the others", async () => {
  class WebSocketServer {
    handleUpgrade(): void {}
  }
  const lifeline = nodeRelay(new Relay(), { WebSocketServer });
  const response = await lifeline.fetch(new Request("http://relay.test/ws"));
  assert.equal(response.status, 426);
  await response.body?.cancel();
  await lifeline.close();
});

Deno.test("an adapter's handle forwards liveness heard outside any frame to the relay", () => {
  const clock = createTestClock();
  const relay = new Relay({
    clock,
    sweepTimer: false,
    heartbeat: { interval: 10, timeout: 10 },
  });
  const core = new AdapterCore(relay);
  const socket = new ServerSocket();
  const connection = core.attach(
    socket,
    {},
    upgradeRequest(),
  );
  clock.tick(15);
  connection.seen?.(15); // a ping the runtime answered by itself
  clock.tick(15);
  relay.sweep();
  assert.equal(relay.stats().connections, 1);
  clock.tick(6);
  relay.sweep();
  assert.equal(relay.stats().connections, 0);
  assert.equal(core.openSockets, 1); // the socket has not reported its close yet
  connection.closed(4408, "heartbeat timeout");
  assert.equal(core.openSockets, 0);
});
