/**
 * lifeline: resilient WebSockets and realtime channels for Deno, Bun, browsers
 * and edge workers.
 *
 * @module
 */
export * from "./src/clock.ts";
export * from "./src/backoff.ts";
export * from "./src/byte_length.ts";
export * from "./src/keepalive.ts";
export * from "./src/ring_buffer.ts";
export * from "./src/sign_key.ts";
export * as status from "./src/status.ts";
export * from "./src/event_stream.ts";
export * from "./src/state_stream.ts";
export * from "./src/wait_error.ts";
export * from "./src/connection_error.ts";
export * from "./src/reconnecting_websocket.ts";
export * from "./src/realtime_error.ts";
export * from "./src/realtime_channel.ts";
export * from "./src/realtime_manager.ts";
export * from "./src/websocket_channel.ts";
