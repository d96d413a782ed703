/**
 * The socket tests' common start: a `ReconnectingWebSocket` on scripted fake
 * sockets and a fake clock, keepalive off and the jitter at half, recording
 * every state it goes through.
 *
 * @module
 */

import { createTestClock } from "../_fake_clock.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import {
  type ConnectionState,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  type UrlProvider,
} from "../../src/socket/reconnecting_websocket.ts";

/** Makes the socket under test; `types()` lists the state types seen. */
export function setup(
  options: ReconnectingWebSocketOptions = {},
  url: UrlProvider = "ws://example.test/",
) {
  const clock = createTestClock();
  const fakes = fakeWebSockets();
  const socket = new ReconnectingWebSocket(url, {
    WebSocket: fakes.WebSocket,
    clock,
    keepalive: false,
    random: () => 0.5,
    ...options,
  });
  const states: ConnectionState[] = [];
  socket.connection.subscribe((state) => states.push(state));
  const types = () => states.map((state) => state.type);
  return { clock, fakes, socket, states, types };
}
