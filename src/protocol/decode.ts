/**
 * Decoding frames from text into typed results; never throws.
 *
 * @module
 */

import { byteLength } from "../core/byte_length.ts";
import {
  deeperThan,
  fewBrackets,
  SCAN_FROM,
  textDeeperThan,
  topLevelRef,
} from "./_depth.ts";
import type {
  ClientFrame,
  HelloFrame,
  JoinFrame,
  JoinSince,
  LeaveFrame,
  MembersFrame,
  PubFrame,
  UpdateFrame,
} from "./client_frames.ts";
import type { ErrorCode } from "./codes.ts";
import type { ErrorBody } from "./error.ts";
import {
  DEFAULT_LIMITS,
  MAX_EVENT_LENGTH,
  MAX_ID_LENGTH,
  type RelayLimits,
  RESERVED_EVENT_PREFIX,
} from "./limits.ts";
import { isChannelName, isEventName } from "./names.ts";
import type { RelayFrame } from "./relay_frames.ts";

/**
 * A decoding failure: a coded error, with the frame's `ref` when it had a valid
 * one, so the relay can answer with an `ack` rather than an `error` frame.
 *
 * @example A failure that keeps its ref
 * ```ts
 * import { decodeClientFrame, type DecodeError } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeClientFrame('{"type":"join","ref":5,"channel":""}');
 * assert.ok(!result.ok);
 * const error: DecodeError = result.error;
 * assert.deepEqual(error, { code: "bad_channel", message: "Invalid channel name", ref: 5 });
 * ```
 */
export type DecodeError = ErrorBody & { ref?: number };

/**
 * The outcome of decoding a frame: the typed frame, or a coded error. Never
 * thrown.
 *
 * @example Unwrapping a result into a frame or a thrown error
 * ```ts
 * import { decodeClientFrame, type DecodeResult, ProtocolError } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * function unwrap<F>(result: DecodeResult<F>): F {
 *   if (!result.ok) throw ProtocolError.from(result.error);
 *   return result.frame;
 * }
 * assert.equal(unwrap(decodeClientFrame('{"type":"members","channel":"lobby"}')).type, "members");
 * assert.throws(() => unwrap(decodeClientFrame("[]")), ProtocolError);
 * ```
 */
export type DecodeResult<F> =
  | { ok: true; frame: F }
  | { ok: false; error: DecodeError };

/**
 * The limits {@linkcode decodeClientFrame} checks; each defaults to
 * {@linkcode DEFAULT_LIMITS}.
 *
 * @example A shorter channel name limit
 * ```ts
 * import { decodeClientFrame, type DecodeLimits } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const limits: DecodeLimits = { frameBytes: 1024, profileBytes: 64, channelLength: 8, depth: 4 };
 * const result = decodeClientFrame('{"type":"join","channel":"a-long-channel"}', limits);
 * assert.equal(!result.ok && result.error.code, "bad_channel");
 * ```
 */
export type DecodeLimits = Pick<
  RelayLimits,
  "frameBytes" | "profileBytes" | "channelLength" | "depth"
>;

type Obj = Record<string, unknown>;

function fail(
  code: ErrorCode,
  message: string,
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number,
): { ok: false; error: DecodeError } {
  return {
    ok: false,
    error: ref === undefined ? { code, message } : { code, message, ref },
  };
}

function tooDeep(ref: unknown): { ok: false; error: DecodeError } {
  return fail(
    "bad_frame",
    "Frame nested too deep",
    isRef(ref) ? ref : undefined,
  );
}

function badFields(
  type: string,
  ref: number | undefined,
): { ok: false; error: DecodeError } {
  return fail("bad_frame", `Invalid fields in '${type}' frame`, ref);
}

function tooLarge(
  profileBytes: number,
  ref: number | undefined,
): { ok: false; error: DecodeError } {
  return fail(
    "profile_too_large",
    `Profile exceeds ${profileBytes} bytes`,
    ref,
  );
}

function parseObject(text: string): Obj | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Obj
    : undefined;
}

function isRef(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function optional(
  value: unknown,
  check: (value: unknown) => boolean,
): boolean {
  return value === undefined || check(value);
}

const EVENT_RULE =
  `'event' must be 1 to ${MAX_EVENT_LENGTH} characters, not starting with '${RESERVED_EVENT_PREFIX}'`;

const isBoolean = (v: unknown): boolean => typeof v === "boolean";
const isId = (v: unknown): boolean =>
  typeof v === "string" && v.length > 0 && v.length <= MAX_ID_LENGTH;
const isOffset = (v: unknown): boolean =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

const isSince = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !Array.isArray(v) &&
  isId((v as Record<string, unknown>).epoch) &&
  isOffset((v as Record<string, unknown>).offset);

function profileSize(profile: unknown): number {
  if (profile === undefined) return 0;
  // Profiles come from JSON.parse, so stringifying them cannot throw.
  return byteLength(JSON.stringify(profile));
}

/**
 * Decodes and validates a frame a client sent: its size, its JSON, its type
 * and every field's type, channel names, event names and the profile size.
 * Unknown fields are dropped. Never throws; a failure carries the frame's
 * `ref` when it had a valid one, so the relay can answer with an `ack`.
 *
 * Liveness `ping` is not a frame: check for it before decoding.
 *
 * @example Decoding a publish and a bad frame
 * ```ts
 * import { decodeClientFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const good = decodeClientFrame(
 *   '{"type":"pub","ref":1,"channel":"lobby","event":"chat","data":"hi"}',
 * );
 * assert.ok(good.ok && good.frame.type === "pub");
 *
 * const bad = decodeClientFrame('{"type":"join","ref":2,"channel":"no spaces"}');
 * assert.deepEqual(bad, {
 *   ok: false,
 *   error: { code: "bad_channel", message: "Invalid channel name", ref: 2 },
 * });
 * ```
 */
export function decodeClientFrame(
  text: string,
  /** The limits the relay enforces. */
  limits: Partial<DecodeLimits> = {},
): DecodeResult<ClientFrame> {
  const frameBytes = limits.frameBytes ?? DEFAULT_LIMITS.frameBytes;
  const channelLength = limits.channelLength ?? DEFAULT_LIMITS.channelLength;
  const profileBytes = limits.profileBytes ?? DEFAULT_LIMITS.profileBytes;
  const depth = limits.depth ?? DEFAULT_LIMITS.depth;
  if (typeof text !== "string") return fail("bad_frame", "Expected text");
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes: count exactly only when unsure.
  if (
    text.length > frameBytes ||
    (text.length * 3 > frameBytes && byteLength(text) > frameBytes)
  ) {
    return fail("too_large", `Frame exceeds ${frameBytes} bytes`);
  }
  // Nesting is checked before anything re-encodes the frame: a long text
  // is scanned before it is parsed, a short one walked after.
  const long = text.length >= SCAN_FROM;
  if (long && textDeeperThan(text, depth)) return tooDeep(topLevelRef(text));
  const o = parseObject(text);
  if (o === undefined) return fail("bad_frame", "Expected a JSON object");
  let ref: number | undefined;
  if (o.ref !== undefined) {
    if (!isRef(o.ref)) {
      return fail("bad_frame", "'ref' must be a non-negative integer");
    }
    ref = o.ref;
  }
  if (!long && !fewBrackets(text, depth) && deeperThan(o, depth)) {
    return tooDeep(ref);
  }
  // No closures here: this runs once per inbound frame.
  const channel = o.channel;
  switch (o.type) {
    case "hello": {
      if (
        typeof o.v !== "number" || !optional(o.session, isId) ||
        !optional(o.resume, isId) ||
        !optional(o.token, (v) => typeof v === "string") ||
        !optional(o.since, isSince)
      ) return badFields("hello", ref);
      if (profileSize(o.profile) > profileBytes) {
        return tooLarge(profileBytes, ref);
      }
      const frame: HelloFrame = { type: "hello", v: o.v };
      if (ref !== undefined) frame.ref = ref;
      if (o.session !== undefined) frame.session = o.session as string;
      if (o.resume !== undefined) frame.resume = o.resume as string;
      if (o.profile !== undefined) frame.profile = o.profile;
      if (o.token !== undefined) frame.token = o.token as string;
      if (o.since !== undefined) {
        const since = o.since as JoinSince;
        frame.since = { epoch: since.epoch, offset: since.offset };
      }
      return { ok: true, frame };
    }
    case "join": {
      if (channel !== null && !isChannelName(channel, channelLength)) {
        return fail("bad_channel", "Invalid channel name", ref);
      }
      if (!optional(o.echo, isBoolean) || !optional(o.since, isSince)) {
        return badFields("join", ref);
      }
      const frame: JoinFrame = {
        type: "join",
        channel: o.channel as string | null,
      };
      if (ref !== undefined) frame.ref = ref;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      if (o.since !== undefined) {
        const since = o.since as JoinSince;
        frame.since = { epoch: since.epoch, offset: since.offset };
      }
      return { ok: true, frame };
    }
    case "leave": {
      if (!isChannelName(channel, channelLength)) {
        return fail("bad_channel", "Invalid channel name", ref);
      }
      if (!optional(o.echo, isBoolean)) return badFields("leave", ref);
      const frame: LeaveFrame = { type: "leave", channel: o.channel as string };
      if (ref !== undefined) frame.ref = ref;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      return { ok: true, frame };
    }
    case "pub": {
      if (channel !== null && !isChannelName(channel, channelLength)) {
        return fail("bad_channel", "Invalid channel name", ref);
      }
      if (!isEventName(o.event)) {
        return fail("bad_event", EVENT_RULE, ref);
      }
      if (
        !optional(o.mid, isId) || !optional(o.echo, isBoolean) ||
        !optional(o.volatile, isBoolean)
      ) return badFields("pub", ref);
      const frame: PubFrame = {
        type: "pub",
        channel: o.channel as string | null,
        event: o.event,
      };
      if (ref !== undefined) frame.ref = ref;
      if (o.data !== undefined) frame.data = o.data;
      if (o.mid !== undefined) frame.mid = o.mid as string;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      if (o.volatile === true) frame.volatile = true;
      return { ok: true, frame };
    }
    case "members": {
      if (!isChannelName(channel, channelLength)) {
        return fail("bad_channel", "Invalid channel name", ref);
      }
      const frame: MembersFrame = {
        type: "members",
        channel: o.channel as string,
      };
      if (ref !== undefined) frame.ref = ref;
      return { ok: true, frame };
    }
    case "update": {
      if (!optional(o.echo, isBoolean)) return badFields("update", ref);
      if (profileSize(o.profile) > profileBytes) {
        return tooLarge(profileBytes, ref);
      }
      const frame: UpdateFrame = { type: "update", profile: o.profile ?? null };
      if (ref !== undefined) frame.ref = ref;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      return { ok: true, frame };
    }
    default:
      return fail("bad_frame", "Unknown frame type", ref);
  }
}

const isString = (v: unknown): boolean => typeof v === "string";
const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isErrorBody = (v: unknown): boolean =>
  isObj(v) && typeof v.code === "string" && typeof v.message === "string";
const isMember = (v: unknown): boolean => isObj(v) && typeof v.id === "string";
const isChange = (v: unknown): boolean =>
  isObj(v) && PRESENCE_ACTIONS.has(v.action) && isMember(v.member) &&
  isOffset(v.version);
const PRESENCE_ACTIONS: ReadonlySet<unknown> = new Set([
  "join",
  "leave",
  "update",
]);

/**
 * Decodes a frame the relay sent, for clients. It checks the type and the
 * fields a client relies on (ids, channel, offsets, versions, error bodies)
 * but not payloads, to stay cheap. Never throws.
 *
 * Liveness `pong` is not a frame: check for it before decoding.
 *
 * @example Decoding a message
 * ```ts
 * import { decodeRelayFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame(
 *   '{"type":"msg","channel":"lobby","offset":7,"event":"chat","data":"hi","sender":"s1"}',
 * );
 * assert.ok(result.ok && result.frame.type === "msg");
 * assert.equal(result.frame.offset, 7);
 * assert.equal(decodeRelayFrame("[1]").ok, false);
 * ```
 */
export function decodeRelayFrame(text: string): DecodeResult<RelayFrame> {
  if (typeof text !== "string") return fail("bad_frame", "Expected text");
  const o = parseObject(text);
  if (o === undefined) return fail("bad_frame", "Expected a JSON object");
  let valid: boolean;
  switch (o.type) {
    case "welcome":
      valid = typeof o.v === "number" && isString(o.session) &&
        optional(o.resume, isString) && isObj(o.limits) && isObj(o.heartbeat) &&
        optional(o.ref, isRef) && optional(o.app, isObj);
      break;
    case "ack":
      valid = isRef(o.ref) &&
        (o.ok === true || (o.ok === false && isErrorBody(o.error)));
      break;
    case "msg":
      valid = (o.channel === null || isString(o.channel)) &&
        isString(o.event) && (o.sender === null || isString(o.sender)) &&
        optional(o.offset, isOffset);
      break;
    case "user":
      valid = isString(o.event);
      break;
    case "presence":
      valid = isString(o.channel) && PRESENCE_ACTIONS.has(o.action) &&
        isMember(o.member) && isOffset(o.version);
      break;
    case "diff":
      valid = isString(o.channel) && Array.isArray(o.changes) &&
        o.changes.every(isChange);
      break;
    case "error":
      valid = isErrorBody(o.error) && optional(o.ref, isRef);
      break;
    case "bye":
      valid = isString(o.reason) && isBoolean(o.reconnect) &&
        optional(o.retryAfter, isOffset);
      break;
    default:
      return fail("bad_frame", "Unknown frame type");
  }
  return valid
    ? { ok: true, frame: o as unknown as RelayFrame }
    : fail("bad_frame", `Invalid fields in '${o.type}' frame`);
}
