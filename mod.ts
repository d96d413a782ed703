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
