/**
 * Failed connection attempts against real sockets on loopback: a `Deno.serve`
 * that refuses the upgrade with 401, 404 or 503, a port nothing listens on,
 * and the relay itself reading a token from `Sec-WebSocket-Protocol`. Real
 * time, small timeouts, every wait bounded.
 */
import assert from "node:assert/strict";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { tokenProtocols } from "../../src/protocol/mod.ts";
import { Relay } from "../../src/relay/mod.ts";
import { denoRelay } from "../../src/relay/adapters/deno.ts";
import { ConnectionError } from "../../src/socket/connection_error.ts";
import {
  type ConnectionState,
  ReconnectingWebSocket,
} from "../../src/socket/reconnecting_websocket.ts";
import { nothingUncaught } from "../_uncaught.ts";

/** Fails a wait that takes longer than this; no test should come close. */
const BOUND = 5_000;

/** Answers every request with the status in its path: `/401` gets 401. */
function refusingServer(): Deno.HttpServer<Deno.NetAddr> & { url: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const status = Number(new URL(request.url).pathname.slice(1));
      return new Response("no", { status });
    },
  );
  return Object.assign(server, {
    url: `ws://127.0.0.1:${server.addr.port}`,
  });
}

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer`)), BOUND);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

for (const status of [401, 404]) {
  Deno.test(`a real handshake refused with ${status} stops the socket with the status`, async () => {
    await using server = refusingServer();
    const socket = new ReconnectingWebSocket(`${server.url}/${status}`, {
      backoff: new ConstantBackoff(10),
    });
    const states: ConnectionState[] = [];
    socket.connection.subscribe((state) => states.push(state));
    const last = await bounded(
      socket.connection.until((s) => s.type === "disconnected"),
      "disconnected",
    );
    assert.ok(last.type === "disconnected");
    assert.ok(last.error instanceof ConnectionError);
    assert.equal(last.error.code, "handshake_failed");
    assert.equal(last.error.status, status);
    assert.deepEqual(states.map((s) => s.type), ["connecting", "disconnected"]);
  });
}

Deno.test("a real 503 is retried, each attempt reported with its status", async () => {
  await using server = refusingServer();
  const socket = new ReconnectingWebSocket(`${server.url}/503`, {
    backoff: new ConstantBackoff(10),
    maxRetries: 2,
  });
  const errors: (ConnectionError | undefined)[] = [];
  socket.connection.subscribe((state) => {
    if (state.type === "reconnecting" || state.type === "disconnected") {
      errors.push(state.error);
    }
  });
  await bounded(
    socket.connection.until((s) => s.type === "disconnected"),
    "disconnected",
  );
  assert.deepEqual(errors.map((e) => [e?.code, e?.status]), [
    ["handshake_failed", 503],
    ["handshake_failed", 503],
    ["handshake_failed", 503],
  ]);
});

Deno.test("a manager refused with 401 rejects join() with the reason, and throws nothing", async () => {
  await nothingUncaught(async () => {
    await using server = refusingServer();
    await using manager = new RealtimeManager(`${server.url}/401`, {
      token: "wrong",
    });
    await bounded(
      assert.rejects(manager.join("room"), (error) => {
        assert.ok(error instanceof RealtimeError);
        assert.equal(error.code, "closed");
        const cause = error.cause as ConnectionError;
        assert.equal(cause.code, "handshake_failed");
        assert.equal(cause.status, 401);
        assert.doesNotMatch(cause.message, /wrong/); // the token is not in it
        return true;
      }),
      "join",
    );
  });
});

Deno.test("with maxRetries: 1 and no onError listener, a refused port ends in a rejection only", async () => {
  await nothingUncaught(async () => {
    await using manager = new RealtimeManager(
      `ws://127.0.0.1:${closedPort()}/ws`,
      {
        maxRetries: 1,
        backoff: new ConstantBackoff(10),
      },
    );
    await bounded(
      assert.rejects(manager.join("room"), (error) => {
        assert.ok(error instanceof RealtimeError);
        assert.equal(
          (error.cause as ConnectionError).code,
          "connection_refused",
        );
        return true;
      }),
      "join",
    );
  });
});

Deno.test("the relay reads the manager's token from Sec-WebSocket-Protocol and answers lifeline", async () => {
  const seen: { url: string; protocol: string | null }[] = [];
  const relay = new Relay({
    authenticate: (request, token) => {
      seen.push({
        url: request.url,
        protocol: request.headers.get("sec-websocket-protocol"),
      });
      return token === "let-me-in" ? { userId: "alice" } : null;
    },
  });
  const lifeline = denoRelay(relay);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    lifeline.fetch,
  );
  const url = `ws://127.0.0.1:${server.addr.port}/ws`;
  try {
    const manager = new RealtimeManager(url, { token: "let-me-in" });
    await bounded(manager.join("room"), "join");
    await manager.close();
    assert.deepEqual(seen, [{
      url: url.replace("ws:", "http:"),
      protocol: "lifeline, token.let-me-in",
    }]);

    const raw = new WebSocket(url, tokenProtocols("let-me-in"));
    await bounded(
      new Promise((resolve, reject) => {
        raw.onopen = resolve;
        raw.onerror = reject;
      }),
      "open",
    );
    assert.equal(raw.protocol, "lifeline"); // never the token
    const closed = new Promise((resolve) => raw.onclose = resolve);
    raw.close();
    await closed;
  } finally {
    await lifeline.close();
    await server.shutdown();
  }
});
