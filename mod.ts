/**
 * lifeline: resilient WebSockets and realtime channels for Deno, Bun, browsers
 * and edge workers.
 *
 * Read it one layer at a time, each built on the one before:
 *
 * - the pure parts (`src/core/`): clock, backoff, ring buffer, keepalive,
 *   event and state streams, close codes, the handshake key;
 * - the socket (`src/socket/`): {@linkcode ReconnectingWebSocket};
 * - the realtime client (`src/client/`): {@linkcode RealtimeManager},
 *   {@linkcode RealtimeChannel} views and {@linkcode WebSocketChannel}.
 *
 * The relay, its adapters and the wire protocol have subpaths of their own
 * (`./relay`, `./relay/deno`, `./relay/bun`, `./relay/hono`, `./relay/node`,
 * `./protocol`); test doubles are in `./testing`.
 *
 * @example A socket that comes back by itself
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test/live", {
 *   WebSocket: FakeWebSocket, // the global WebSocket by default
 * });
 * assert.equal(socket.connection.value.type, "connecting");
 * assert.equal(socket.send("hello"), "queued"); // goes out once connected
 * ```
 *
 * @module
 */

// The pure parts.
export { type Clock, systemClock, type TimerId } from "./src/core/clock.ts";
export {
  type Backoff,
  BinaryExponentialBackoff,
  type BinaryExponentialBackoffOptions,
  ConstantBackoff,
  ExponentialBackoff,
  type ExponentialBackoffOptions,
  type Jitter,
  LinearBackoff,
  type LinearBackoffOptions,
} from "./src/core/backoff.ts";
export { byteLength } from "./src/core/byte_length.ts";
export {
  Keepalive,
  type KeepaliveHandlers,
  type KeepaliveOptions,
} from "./src/core/keepalive.ts";
export {
  BufferFullError,
  type DropReason,
  type MessageBuffer,
  type OverflowPolicy,
  RingBuffer,
  type RingBufferOptions,
  type WebSocketData,
} from "./src/core/ring_buffer.ts";
export { signKey } from "./src/core/sign_key.ts";
export * as status from "./src/core/status.ts";
export {
  type EventStream,
  type Listener,
  type SubscribeOptions,
} from "./src/core/event_stream.ts";
export {
  type StateStream,
  type UntilOptions,
} from "./src/core/state_stream.ts";
export { CodedError } from "./src/core/coded_error.ts";
export {
  consoleLogger,
  type LogEntry,
  type Logger,
  type LogLevel,
} from "./src/core/log.ts";
export { WaitError, type WaitErrorCode } from "./src/core/wait_error.ts";

// The socket.
export {
  ConnectionError,
  type ConnectionErrorCode,
  type ConnectionErrorOptions,
} from "./src/socket/connection_error.ts";
export {
  type BinaryType,
  type CloseInfo,
  type ConnectionState,
  defaultShouldReconnect,
  type KeepaliveSettings,
  type MessageData,
  type NetworkEventSource,
  type ProtocolsProvider,
  type ReadyOptions,
  ReconnectingWebSocket,
  type ReconnectingWebSocketEventMap,
  type ReconnectingWebSocketOptions,
  type SendResult,
  type SocketEventHandler,
  SocketEventTarget,
  type UrlProvider,
  type WebSocketConstructor,
  type WebSocketInit,
  type WebSocketLike,
} from "./src/socket/reconnecting_websocket.ts";

// The realtime client.
export type { ErrorCode, Member, RecoveryFailure } from "./src/protocol/mod.ts";
export {
  RealtimeError,
  type RealtimeErrorCode,
} from "./src/client/realtime_error.ts";
export type {
  ChannelMessage,
  ChannelMessageOf,
  ChannelSendOptions,
  ChannelStatus,
  RealtimeChannel,
  SendArguments,
} from "./src/client/realtime_channel.ts";
export type {
  AnyListener,
  EventMap,
  MemberEvent,
  MemberEventName,
  MemberListener,
  MessageListener,
  RealtimeManagerEvents,
  RealtimeMessage,
  ResyncEvent,
  UserEvent,
  UserEventListener,
} from "./src/client/realtime_events.ts";
export type {
  RealtimeManagerOptions,
  SendOptions,
  TokenProvider,
  VolatileSendOptions,
} from "./src/client/realtime_manager_options.ts";
export { RealtimeManager } from "./src/client/realtime_manager.ts";
export {
  type MessageBufferOptions,
  WebSocketChannel,
  type WebSocketChannelOptions,
} from "./src/client/websocket_channel.ts";
