/**
 * lifeline: resilient WebSockets and realtime channels for Deno, Bun, browsers
 * and edge workers.
 *
 * @module
 */
export * from "./src/clock.ts";
