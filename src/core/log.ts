/**
 * Structured logging, the same on both ends: the client and the relay hand
 * each notable event to a {@linkcode Logger} as one {@linkcode LogEntry}, a
 * plain object the app prints, filters or ships as it likes. Nothing is
 * logged unless a logger is given, and an entry never holds a token or the
 * body of a message.
 *
 * @module
 */

/**
 * How much an entry matters, from chatter to failure.
 *
 * @example Keeping entries at a level and above
 * ```ts
 * import type { LogEntry, LogLevel } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const order: LogLevel[] = ["debug", "info", "warn", "error"];
 * const atLeast = (least: LogLevel) => (entry: LogEntry) =>
 *   order.indexOf(entry.level) >= order.indexOf(least);
 * assert.equal(atLeast("warn")({ time: 0, level: "info", event: "state" }), false);
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * One notable event. `event` names it (such as `state`, `attempt`, `flush`,
 * `drop` and `resync` on the client; `upgrade_refused`, `auth_failed`,
 * `rate_limited`, `bad_frames`, `slow_consumer`, `resume`, `takeover` and
 * `shutdown` on the relay); the other fields say what is known about it.
 *
 * @example An entry, as a logger receives it
 * ```ts
 * import type { LogEntry } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const entry: LogEntry = {
 *   time: 1_700_000_000_000,
 *   level: "warn",
 *   event: "attempt",
 *   attempt: 2,
 *   delay: 730,
 *   error: "connection_refused",
 * };
 * assert.equal(entry.event, "attempt");
 * ```
 */
export interface LogEntry {
  /** When it happened, in milliseconds since the epoch (from the clock). */
  time: number;
  /** How much it matters. */
  level: LogLevel;
  /** What happened. */
  event: string;
  /** What else is known: numbers, codes, ids; never tokens or message bodies. */
  [field: string]: unknown;
}

/**
 * Receives log entries. It is called synchronously, so it should be quick;
 * what it throws is reported the way an event listener's error is, and
 * never breaks the caller.
 *
 * @example Keeping warnings and errors
 * ```ts
 * import { type Logger, ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const problems: string[] = [];
 * const logger: Logger = (entry) => {
 *   if (entry.level === "warn" || entry.level === "error") problems.push(entry.event);
 * };
 * const fake = fakeWebSockets();
 * await using _socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   logger,
 *   random: () => 0,
 * });
 * fake.last.fail();
 * assert.deepEqual(problems, ["attempt"]);
 * ```
 */
export type Logger = (entry: LogEntry) => void;

/**
 * The logger `debug: true` stands for: every entry to `console.debug`, as
 * `lifeline <event>` and the entry.
 *
 * @example What debug mode prints
 * ```ts
 * import { consoleLogger } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const lines: unknown[][] = [];
 * const original = console.debug;
 * console.debug = (...args: unknown[]) => void lines.push(args);
 * try {
 *   consoleLogger({ time: 0, level: "info", event: "state", to: "connected" });
 * } finally {
 *   console.debug = original;
 * }
 * assert.equal(lines[0][0], "lifeline state");
 * ```
 */
export function consoleLogger(entry: LogEntry): void {
  console.debug(`lifeline ${entry.event}`, entry);
}
