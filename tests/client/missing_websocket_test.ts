/**
 * A runtime without a global `WebSocket` (Node.js 20): each class says so,
 * by its own name, and shows the fix (the `ws` package's `WebSocket`).
 * The global is removed for the duration of each test and put back.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { WebSocketChannel } from "../../src/client/websocket_channel.ts";
import { ReconnectingWebSocket } from "../../src/socket/reconnecting_websocket.ts";
import { FakeWebSocket } from "../../src/testing/fake_websocket.ts";

/** Runs `fn` with `globalThis.WebSocket` gone, as on Node.js 20. */
function withoutGlobalWebSocket(fn: () => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "WebSocket")!;
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  try {
    assert.equal(
      typeof (globalThis as { WebSocket?: unknown }).WebSocket,
      "undefined",
    );
    fn();
  } finally {
    Object.defineProperty(globalThis, "WebSocket", descriptor);
  }
}

function missing(owner: string) {
  return {
    name: "TypeError",
    message:
      `Cannot create ${owner} as this runtime has no global WebSocket (Node.js 20 and older have none): pass the 'ws' package's as the 'WebSocket' option: import { WebSocket } from "ws"; new ${owner}(url, { WebSocket })`,
  };
}

Deno.test("without a global WebSocket, RealtimeManager's error names RealtimeManager and the ws package", () => {
  withoutGlobalWebSocket(() => {
    assert.throws(
      () => new RealtimeManager("ws://127.0.0.1:9/ws"),
      missing("RealtimeManager"),
    );
  });
});

Deno.test("without a global WebSocket, ReconnectingWebSocket and WebSocketChannel name themselves", () => {
  withoutGlobalWebSocket(() => {
    assert.throws(
      () => new ReconnectingWebSocket("ws://127.0.0.1:9/ws"),
      missing("ReconnectingWebSocket"),
    );
    assert.throws(
      () =>
        new WebSocketChannel({ url: "ws://127.0.0.1:9/ws", channelId: "a" }),
      missing("WebSocketChannel"),
    );
  });
});

Deno.test("without a global WebSocket, a given WebSocket is used", async () => {
  let manager: RealtimeManager | undefined;
  withoutGlobalWebSocket(() => {
    manager = new RealtimeManager("ws://127.0.0.1:9/ws", {
      WebSocket: FakeWebSocket,
    });
  });
  assert.equal(manager?.isConnected(), false);
  await manager?.close();
});
