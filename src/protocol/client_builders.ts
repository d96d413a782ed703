/**
 * One builder per client frame type, so a client writes no frame literal
 * itself and every frame of a type has the same fields in the same order.
 * Each returns the frame; `encodeFrame` turns it into the text to send.
 *
 * @module
 */

import type {
  HelloFrame,
  JoinFrame,
  JoinSince,
  LeaveFrame,
  MembersFrame,
  PubFrame,
  UpdateFrame,
} from "./client_frames.ts";
import { PROTOCOL_VERSION } from "./version.ts";

/**
 * The optional fields of a `hello`; see {@linkcode helloFrame}.
 *
 * @example Resuming a session
 * ```ts
 * import { helloFrame, type HelloOptions } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const options: HelloOptions = { ref: 1, session: "s1", resume: "r1" };
 * assert.equal(helloFrame(options).session, "s1");
 * assert.equal(helloFrame(options).resume, "r1");
 * ```
 */
export interface HelloOptions {
  /** Request id, echoed by the `welcome`. */
  ref?: number;
  /** The protocol version. @default {PROTOCOL_VERSION} */
  v?: number;
  /** The session id of the previous connection, to resume it. */
  session?: string;
  /** The resume token the previous connection's `welcome` carried. */
  resume?: string;
  /** The member profile to start with. */
  profile?: unknown;
  /** An access token. */
  token?: string;
  /** The app-wide messages seen on an earlier connection. */
  since?: JoinSince;
}

/**
 * A `hello`, in this module's protocol version unless `v` says otherwise.
 *
 * @example Saying hello with a profile
 * ```ts
 * import { encodeFrame, helloFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(helloFrame({ ref: 1, profile: { name: "ann" } })),
 *   '{"type":"hello","ref":1,"v":1,"profile":{"name":"ann"}}',
 * );
 * ```
 */
export function helloFrame(options: HelloOptions = {}): HelloFrame {
  const v = options.v ?? PROTOCOL_VERSION;
  const frame: HelloFrame = options.ref === undefined
    ? { type: "hello", v }
    : { type: "hello", ref: options.ref, v };
  if (options.session !== undefined) frame.session = options.session;
  if (options.resume !== undefined) frame.resume = options.resume;
  if (options.profile !== undefined) frame.profile = options.profile;
  if (options.token !== undefined) frame.token = options.token;
  if (options.since !== undefined) frame.since = options.since;
  return frame;
}

/**
 * The optional fields most client frames share: the request id, and whether
 * the sender hears its own presence change or message.
 *
 * @example A leave that is not echoed
 * ```ts
 * import { type FrameOptions, leaveFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const options: FrameOptions = { ref: 2, echo: false };
 * assert.equal(leaveFrame("lobby", options).echo, false);
 * ```
 */
export interface FrameOptions {
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** Whether the sender hears its own presence change or message. */
  echo?: boolean;
}

/**
 * A `join` of `channel`; `since` asks for the messages missed after it.
 * `null` for `channel` asks only for the app-wide messages missed.
 *
 * @example Joining quietly
 * ```ts
 * import { encodeFrame, joinFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(joinFrame("lobby", { ref: 1, echo: false })),
 *   '{"type":"join","ref":1,"channel":"lobby","echo":false}',
 * );
 * ```
 */
export function joinFrame(
  channel: string | null,
  options: FrameOptions & { since?: JoinSince } = {},
): JoinFrame {
  const frame: JoinFrame = options.ref === undefined
    ? { type: "join", channel }
    : { type: "join", ref: options.ref, channel };
  if (options.echo !== undefined) frame.echo = options.echo;
  if (options.since !== undefined) frame.since = options.since;
  return frame;
}

/**
 * A `leave` of `channel`.
 *
 * @example Leaving
 * ```ts
 * import { encodeFrame, leaveFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeFrame(leaveFrame("lobby", { ref: 2 })), '{"type":"leave","ref":2,"channel":"lobby"}');
 * ```
 */
export function leaveFrame(
  channel: string,
  options: FrameOptions = {},
): LeaveFrame {
  const frame: LeaveFrame = options.ref === undefined
    ? { type: "leave", channel }
    : { type: "leave", ref: options.ref, channel };
  if (options.echo !== undefined) frame.echo = options.echo;
  return frame;
}

/**
 * The optional fields of a `pub`; see {@linkcode pubFrame}.
 *
 * @example A publish with a message id
 * ```ts
 * import { pubFrame, type PubOptions } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const options: PubOptions = { ref: 3, data: "hi", mid: "m1" };
 * assert.equal(pubFrame("lobby", "chat", options).mid, "m1");
 * ```
 */
export interface PubOptions extends FrameOptions {
  /** The payload: any JSON value. */
  data?: unknown;
  /** Client message id, for dedupe of resends. */
  mid?: string;
  /** Fire and forget: no offset, no history, no dedupe. */
  volatile?: boolean;
}

/**
 * A `pub` of `event` to `channel`, or app-wide when `channel` is null.
 *
 * @example An app-wide publish
 * ```ts
 * import { encodeFrame, pubFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(pubFrame(null, "deploy", { ref: 3, data: { v: 2 }, mid: "m1" })),
 *   '{"type":"pub","ref":3,"channel":null,"event":"deploy","data":{"v":2},"mid":"m1"}',
 * );
 * ```
 */
export function pubFrame(
  channel: string | null,
  event: string,
  options: PubOptions = {},
): PubFrame {
  const frame: PubFrame = options.ref === undefined
    ? { type: "pub", channel, event }
    : { type: "pub", ref: options.ref, channel, event };
  if (options.data !== undefined) frame.data = options.data;
  // `echo` before `mid`: the order the client has always sent them in.
  if (options.echo !== undefined) frame.echo = options.echo;
  if (options.mid !== undefined) frame.mid = options.mid;
  if (options.volatile === true) frame.volatile = true;
  return frame;
}

/**
 * A `members` request for `channel`.
 *
 * @example Asking who is in the lobby
 * ```ts
 * import { encodeFrame, membersFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeFrame(membersFrame("lobby", { ref: 4 })), '{"type":"members","ref":4,"channel":"lobby"}');
 * ```
 */
export function membersFrame(
  channel: string,
  options: { ref?: number } = {},
): MembersFrame {
  return options.ref === undefined
    ? { type: "members", channel }
    : { type: "members", ref: options.ref, channel };
}

/**
 * An `update` of the sender's profile (`null` when `profile` is undefined).
 *
 * @example Renaming
 * ```ts
 * import { encodeFrame, updateFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(updateFrame({ name: "bo" }, { ref: 5, echo: false })),
 *   '{"type":"update","ref":5,"profile":{"name":"bo"},"echo":false}',
 * );
 * ```
 */
export function updateFrame(
  profile: unknown,
  options: FrameOptions = {},
): UpdateFrame {
  const frame: UpdateFrame = options.ref === undefined
    ? { type: "update", profile: profile ?? null }
    : { type: "update", ref: options.ref, profile: profile ?? null };
  if (options.echo !== undefined) frame.echo = options.echo;
  return frame;
}
