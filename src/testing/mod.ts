/**
 * Test doubles for code that uses lifeline, the same ones the library tests
 * itself with: a scripted fake WebSocket ({@linkcode FakeWebSocket},
 * {@linkcode fakeWebSockets}) and a fake clock built on
 * `@sinonjs/fake-timers` ({@linkcode fromFakeTimers}). Inject them through
 * the `WebSocket` and `clock` options; nothing is installed globally.
 *
 * @example Testing a reconnect without a network or a real timer
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets, fromFakeTimers } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const clock = fromFakeTimers(createClock());
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   clock,
 * });
 * socket.send("queued while connecting");
 * fake.last.open();
 * assert.deepEqual(fake.last.sent, ["queued while connecting"]);
 * ```
 *
 * @module
 */
export {
  type FakeInit,
  FakeWebSocket,
  type FakeWebSockets,
  fakeWebSockets,
} from "./fake_websocket.ts";
export {
  type Clock,
  type FakeTimersClock,
  fromFakeTimers,
  type TestClock,
  type TimerId,
} from "./test_clock.ts";
