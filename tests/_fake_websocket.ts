/**
 * The scripted fake WebSocket, now published as `@lifeline/realtime/testing`;
 * re-exported here so the tests keep one short import path.
 *
 * @module
 */
export {
  type FakeInit,
  FakeWebSocket,
  type FakeWebSockets,
  fakeWebSockets,
} from "../src/testing/fake_websocket.ts";
