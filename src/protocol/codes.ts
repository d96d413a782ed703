/**
 * The one table of error codes and the one table of close codes, used by
 * both ends: the relay answers and closes with them, the client switches on
 * them. PROTOCOL.md says when each is sent.
 *
 * @module
 */

import {
  messageTooBig,
  policyViolation,
  protocolError,
  serviceRestart,
  tryAgainLater,
} from "../core/status.ts";

/**
 * Every error code an `ack` or `error` frame may carry, in the order
 * PROTOCOL.md lists them; {@linkcode ErrorCode} is one of these.
 *
 * @example Checking a code read off the wire
 * ```ts
 * import { ERROR_CODES } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.ok(ERROR_CODES.includes("rate_limited"));
 * assert.equal(ERROR_CODES.length, 13);
 * ```
 */
export const ERROR_CODES: readonly [
  "bad_frame",
  "unsupported_version",
  "hello_required",
  "bad_channel",
  "bad_event",
  "too_large",
  "profile_too_large",
  "rate_limited",
  "too_many_channels",
  "not_joined",
  "unauthorized",
  "forbidden",
  "internal",
] = Object.freeze(
  [
    "bad_frame", // not JSON, not an object, wrong field types, unknown type
    "unsupported_version",
    "hello_required",
    "bad_channel",
    "bad_event",
    "too_large", // frame over limits.frameBytes
    "profile_too_large",
    "rate_limited",
    "too_many_channels",
    "not_joined",
    "unauthorized",
    "forbidden",
    "internal",
  ] as const,
);

/**
 * Stable error codes carried by `ack` and `error` frames; PROTOCOL.md says
 * when each is sent. The list is {@linkcode ERROR_CODES}.
 *
 * @example Telling a retryable failure from a final one
 * ```ts
 * import { decodeClientFrame, type ErrorCode } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const retryable = new Set<ErrorCode>(["rate_limited", "internal"]);
 * const result = decodeClientFrame('{"type":"pub","ref":1,"channel":"lobby","event":""}');
 * assert.ok(!result.ok);
 * assert.equal(result.error.code, "bad_event");
 * assert.equal(retryable.has(result.error.code), false);
 * ```
 */
export type ErrorCode = typeof ERROR_CODES[number];

/**
 * Whether `value` is one of the protocol's {@linkcode ERROR_CODES}.
 *
 * @example Telling a known code from anything else
 * ```ts
 * import { isErrorCode } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isErrorCode("not_joined"), true);
 * assert.equal(isErrorCode("oops"), false);
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value);
}

/**
 * The close codes the relay closes a connection with, and the client reads.
 * The standard ones are the constants of `@lifeline/realtime/status`; the
 * 44xx ones are the protocol's own. PROTOCOL.md says when each is sent.
 *
 * @example The standard codes are the status module's
 * ```ts
 * import { RelayCloseCode } from "@lifeline/realtime/protocol";
 * import { serviceRestart } from "@lifeline/realtime/status";
 * import assert from "node:assert/strict";
 *
 * assert.equal(RelayCloseCode.serviceRestart, serviceRestart);
 * assert.equal(RelayCloseCode.sessionReplaced, 4409);
 * ```
 */
export const RelayCloseCode: {
  /** The hello spoke a protocol version the relay does not. */
  readonly protocolError: 1002;
  /** Too many bad frames within the bad-frame window. */
  readonly policyViolation: 1008;
  /** A frame larger than `limits.frameBytes`. */
  readonly messageTooBig: 1009;
  /** The relay is shutting down (`Relay.close`); reconnect. */
  readonly serviceRestart: 1012;
  /** The socket's send backlog stayed over the bound for too long. */
  readonly tryAgainLater: 1013;
  /** The token in `hello` was rejected. */
  readonly unauthorized: 4401;
  /** No frame at all for `heartbeat.interval + heartbeat.timeout` ms. */
  readonly heartbeatTimeout: 4408;
  /** A newer connection of the same user resumed this session. */
  readonly sessionReplaced: 4409;
} = Object.freeze({
  protocolError,
  policyViolation,
  messageTooBig,
  serviceRestart,
  tryAgainLater,
  unauthorized: 4401,
  heartbeatTimeout: 4408,
  sessionReplaced: 4409,
});

/**
 * Why the relay says `bye`, each with whether the client should reconnect
 * and the close code that follows (PROTOCOL.md, "bye").
 *
 * @example What a client does after a bye
 * ```ts
 * import { BYE_REASONS, RelayCloseCode } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(BYE_REASONS.replaced, {
 *   reconnect: false,
 *   code: RelayCloseCode.sessionReplaced,
 * });
 * ```
 */
export const BYE_REASONS: {
  /** The relay is shutting down. */
  readonly shutdown: ByeReasonEntry;
  /** The connection was silent past the heartbeat. */
  readonly timeout: ByeReasonEntry;
  /** A newer connection took the session over. */
  readonly replaced: ByeReasonEntry;
  /** The token in `hello` was rejected. */
  readonly unauthorized: ByeReasonEntry;
  /** The hello spoke another protocol version. */
  readonly unsupported_version: ByeReasonEntry;
  /** The socket stayed backlogged past `maxBufferedBytes` (a slow consumer). */
  readonly slow_consumer: ByeReasonEntry;
} = Object.freeze({
  shutdown: { reconnect: true, code: RelayCloseCode.serviceRestart },
  timeout: { reconnect: true, code: RelayCloseCode.heartbeatTimeout },
  replaced: { reconnect: false, code: RelayCloseCode.sessionReplaced },
  unauthorized: { reconnect: false, code: RelayCloseCode.unauthorized },
  unsupported_version: {
    reconnect: false,
    code: RelayCloseCode.protocolError,
  },
  slow_consumer: { reconnect: true, code: RelayCloseCode.tryAgainLater },
});

/**
 * One row of {@linkcode BYE_REASONS}.
 *
 * @example Reading a row
 * ```ts
 * import { BYE_REASONS, type ByeReasonEntry } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const entry: ByeReasonEntry = BYE_REASONS.shutdown;
 * assert.equal(entry.reconnect, true);
 * ```
 */
export interface ByeReasonEntry {
  /** Whether the client should reconnect. */
  readonly reconnect: boolean;
  /** The close code that follows the `bye`. */
  readonly code: number;
}

/**
 * A reason a `bye` frame gives; a key of {@linkcode BYE_REASONS}.
 *
 * @example Naming a reason
 * ```ts
 * import type { ByeReason } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const reason: ByeReason = "shutdown";
 * assert.equal(reason, "shutdown");
 * ```
 */
export type ByeReason = keyof typeof BYE_REASONS;
