/**
 * lifeline: resilient WebSockets and realtime channels for Deno, Bun, browsers
 * and edge workers.
 *
 * @module
 */
export * from "./src/core/clock.ts";
export * from "./src/core/backoff.ts";
export * from "./src/core/byte_length.ts";
export * from "./src/core/keepalive.ts";
export * from "./src/core/ring_buffer.ts";
export * from "./src/core/sign_key.ts";
export * as status from "./src/core/status.ts";
export * from "./src/core/event_stream.ts";
export * from "./src/core/state_stream.ts";
export * from "./src/core/wait_error.ts";
export * from "./src/socket/connection_error.ts";
export * from "./src/socket/reconnecting_websocket.ts";
export * from "./src/client/realtime_error.ts";
export * from "./src/client/realtime_channel.ts";
export * from "./src/client/realtime_manager.ts";
export * from "./src/client/websocket_channel.ts";
