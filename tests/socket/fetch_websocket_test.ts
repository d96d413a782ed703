import assert from "node:assert/strict";
import {
  type AcceptableWebSocket,
  fetchWebSocket,
  type UpgradeResponse,
} from "../../src/socket/fetch_websocket.ts";
import { ReconnectingWebSocket } from "../../src/socket/reconnecting_websocket.ts";
import { ConnectionError } from "../../src/socket/connection_error.ts";

/** The server side a fake upgrade answers with. */
class Accepted extends EventTarget implements AcceptableWebSocket {
  accepted = 0;
  readonly sent: unknown[] = [];
  closes: (number | undefined)[] = [];
  accept(): void {
    this.accepted++;
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closes.push(code);
  }
}

function events(target: EventTarget): string[] {
  const seen: string[] = [];
  for (const type of ["open", "message", "error", "close"]) {
    target.addEventListener(type, (event) => {
      const e = event as Event & { code?: number; message?: string };
      seen.push(
        type === "close"
          ? `close ${e.code}`
          : type === "error"
          ? `error ${e.message}`
          : type === "message"
          ? `message ${(event as MessageEvent).data}`
          : type,
      );
    });
  }
  return seen;
}

Deno.test("FetchWebSocket upgrades over http(s) with the protocols and headers, then relays events", async () => {
  const server = new Accepted();
  const requests: { url: string; headers: Headers }[] = [];
  const answer = Promise.withResolvers<UpgradeResponse>();
  const Socket = fetchWebSocket({
    fetch: (url, init) => {
      requests.push({ url, headers: init.headers });
      return answer.promise;
    },
  });
  const ws = new Socket("wss://relay.test/ws", {
    protocols: ["lifeline", "token.t"],
    headers: { "x-key": "k" },
  });
  const seen = events(ws);
  assert.equal(ws.readyState, 0);
  assert.throws(() => ws.send("early"), DOMException);
  answer.resolve({
    status: 101,
    headers: new Headers({ "sec-websocket-protocol": "lifeline" }),
    webSocket: server,
  });
  await new Promise((resolve) => ws.addEventListener("open", resolve));
  assert.equal(requests[0].url, "https://relay.test/ws");
  assert.equal(requests[0].headers.get("upgrade"), "websocket");
  assert.equal(requests[0].headers.get("x-key"), "k");
  assert.equal(
    requests[0].headers.get("sec-websocket-protocol"),
    "lifeline, token.t",
  );
  assert.equal(ws.protocol, "lifeline");
  assert.equal(server.accepted, 1);
  ws.send("hi");
  server.dispatchEvent(new MessageEvent("message", { data: "pong" }));
  ws.close(1000);
  server.dispatchEvent(
    Object.assign(new Event("close"), {
      code: 1000,
      reason: "",
      wasClean: true,
    }),
  );
  assert.deepEqual(server.sent, ["hi"]);
  assert.deepEqual(server.closes, [1000]);
  assert.deepEqual(seen, ["open", "message pong", "close 1000"]);
  assert.equal(ws.readyState, 3);
});

Deno.test("FetchWebSocket reports a refusal as the runtimes do: an error naming the status, then 1006", async () => {
  const Socket = fetchWebSocket({
    fetch: () => Promise.resolve(new Response("no", { status: 401 })),
  });
  const ws = new Socket("ws://relay.test/ws");
  const seen = events(ws);
  await new Promise((resolve) => ws.addEventListener("close", resolve));
  assert.deepEqual(seen, ["error Expected 101 status code: 401", "close 1006"]);
});

Deno.test("FetchWebSocket closed while connecting aborts the upgrade, and closes a late socket", async () => {
  const server = new Accepted();
  const answer = Promise.withResolvers<UpgradeResponse>();
  let signal: AbortSignal | undefined;
  const Socket = fetchWebSocket({
    fetch: (_url, init) => {
      signal = init.signal;
      return answer.promise;
    },
  });
  const ws = new Socket("ws://relay.test/ws");
  const seen = events(ws);
  ws.close();
  assert.equal(signal?.aborted, true);
  assert.equal(ws.readyState, 3);
  answer.resolve({ status: 101, headers: new Headers(), webSocket: server });
  await answer.promise;
  await Promise.resolve();
  assert.deepEqual(server.closes, [1000]);
  assert.equal(seen.at(-1), "close 1006");
});

Deno.test("ReconnectingWebSocket over FetchWebSocket: a refused upgrade is handshake_failed with its status", async () => {
  const Socket = fetchWebSocket({
    fetch: () => Promise.resolve(new Response(null, { status: 403 })),
  });
  await using socket = new ReconnectingWebSocket("wss://relay.test/ws", {
    WebSocket: Socket,
    headers: { authorization: "Bearer x" },
    maxRetries: 0,
  });
  const error = await socket.ready().then(
    () => undefined,
    (e: Error) => e.cause,
  );
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.code, "handshake_failed");
  assert.equal(error.status, 403);
});
