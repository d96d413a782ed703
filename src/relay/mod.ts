/**
 * The lifeline relay: a runtime-neutral pub/sub server core with channels,
 * presence, app-wide and per-user events, publish acks with dedupe, limits
 * and auth hooks. Adapters (Hono on Deno and Bun, Durable Objects) feed it
 * sockets; PROTOCOL.md describes what it speaks.
 *
 * @example A relay answering a hello
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const sent: string[] = [];
 * relay.open({ send: (text) => sent.push(text), close() {} })
 *   .message('{"type":"hello","v":1,"ref":1}');
 * assert.equal(JSON.parse(sent[0]).type, "welcome");
 * relay.close();
 * ```
 *
 * @module
 */

export { Relay, RelayCloseCode } from "./relay.ts";
export type { AcceptResult } from "./accept_result.ts";
export type { RelayConnection } from "./connection.ts";
export type { LatencyHistogram, RelayStats } from "./stats.ts";
export type { RelayAction, RelayOptions } from "./options.ts";
export type { RelaySocket } from "./socket.ts";
export type { ConnectionSnapshot } from "./snapshot.ts";
export type {
  ChannelState,
  HistoryAnswer,
  RelayStore,
  StoreAnswer,
  StoreCounts,
  StoreListener,
} from "./store.ts";
export { APP_CHANNEL } from "./store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory_store.ts";
export type { Identity } from "./identity.ts";
export { APP_TOPIC, type Fanout } from "./fanout.ts";
export { readToken, type RequestToken } from "./auth_token.ts";
export { TokenBucket, type TokenBucketOptions } from "./token_bucket.ts";
export type { Clock, TimerId } from "../core/clock.ts";
export type { LogEntry, Logger, LogLevel } from "../core/log.ts";
export { LATENCY_BUCKETS, prometheusMetrics } from "./metrics.ts";
export type {
  ErrorBody,
  ErrorCode,
  Heartbeat,
  Member,
  RelayLimits,
} from "../protocol/mod.ts";
