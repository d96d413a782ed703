/**
 * One builder per relay frame type, so the relay writes no frame literal
 * itself and every frame of a type has the same fields in the same order.
 * Each returns the frame; `encodeFrame` turns it into the text to
 * send, once, however many recipients get it.
 *
 * @module
 */

import { BYE_REASONS, type ByeReason } from "./codes.ts";
import type { ErrorBody } from "./error.ts";
import type { Heartbeat, RelayLimits } from "./limits.ts";
import { PROTOCOL_VERSION } from "./version.ts";
import type {
  AckFrame,
  AppWideData,
  ByeFrame,
  DiffFrame,
  ErrorFrame,
  Member,
  MsgFrame,
  PresenceChange,
  PresenceFrame,
  UserFrame,
  WelcomeFrame,
} from "./relay_frames.ts";

/**
 * A `welcome`: the session is open, with the limits and heartbeat the relay
 * enforces. `ref` is the `hello`'s, when it had one; `resume` is the
 * session's private resume token.
 *
 * @example Welcoming a hello with ref 1
 * ```ts
 * import { DEFAULT_HEARTBEAT, DEFAULT_LIMITS, welcomeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame = welcomeFrame("s1", DEFAULT_LIMITS, DEFAULT_HEARTBEAT, 1, "r1");
 * assert.equal(frame.session, "s1");
 * assert.equal(frame.ref, 1);
 * assert.equal(frame.resume, "r1");
 * ```
 */
export function welcomeFrame(
  session: string,
  limits: RelayLimits,
  heartbeat: Heartbeat,
  ref?: number,
  resume?: string,
  app?: AppWideData,
): WelcomeFrame {
  const frame: WelcomeFrame = {
    type: "welcome",
    v: PROTOCOL_VERSION,
    session,
    limits,
    heartbeat,
  };
  if (ref !== undefined) frame.ref = ref;
  if (resume !== undefined) frame.resume = resume;
  if (app !== undefined) frame.app = app;
  return frame;
}

/**
 * A successful `ack` of the request `ref`, with the result's `data` if any.
 *
 * @example Acknowledging a publish
 * ```ts
 * import { ackFrame, encodeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(ackFrame(3, { offset: 8 })),
 *   '{"type":"ack","ref":3,"ok":true,"data":{"offset":8}}',
 * );
 * ```
 */
export function ackFrame(ref: number, data?: unknown): AckFrame {
  return data === undefined
    ? { type: "ack", ref, ok: true }
    : { type: "ack", ref, ok: true, data };
}

/**
 * A failed `ack` of the request `ref`. Only the code and message of `error`
 * are sent.
 *
 * @example Refusing a publish
 * ```ts
 * import { ackErrorFrame, encodeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(ackErrorFrame(3, { code: "forbidden", message: "No" })),
 *   '{"type":"ack","ref":3,"ok":false,"error":{"code":"forbidden","message":"No"}}',
 * );
 * ```
 */
export function ackErrorFrame(ref: number, error: ErrorBody): AckFrame {
  return {
    type: "ack",
    ref,
    ok: false,
    error: { code: error.code, message: error.message },
  };
}

/**
 * An `error` not tied to a request (or for a frame that could not be
 * decoded). Only the code and message of `error` are sent.
 *
 * @example Answering a frame that is not JSON
 * ```ts
 * import { encodeFrame, errorFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(errorFrame({ code: "bad_frame", message: "Expected a JSON object" })),
 *   '{"type":"error","error":{"code":"bad_frame","message":"Expected a JSON object"}}',
 * );
 * ```
 */
export function errorFrame(error: ErrorBody, ref?: number): ErrorFrame {
  const body: ErrorBody = { code: error.code, message: error.message };
  return ref === undefined
    ? { type: "error", error: body }
    : { type: "error", ref, error: body };
}

/**
 * A `msg`: an event published to a channel (with its `offset`), or app-wide
 * (`channel` null, no offset). `sender` is the publisher's session id, or
 * null for the server. Build and encode it once per publish.
 *
 * @example A channel message and an app-wide one
 * ```ts
 * import { encodeFrame, msgFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(msgFrame("lobby", 7, "chat", "hi", "s1")),
 *   '{"type":"msg","channel":"lobby","offset":7,"event":"chat","data":"hi","sender":"s1"}',
 * );
 * assert.equal(msgFrame(null, undefined, "deploy", undefined, null).offset, undefined);
 * ```
 */
export function msgFrame(
  channel: string | null,
  offset: number | undefined,
  event: string,
  data: unknown,
  sender: string | null,
): MsgFrame {
  if (offset === undefined) {
    return data === undefined
      ? { type: "msg", channel, event, sender }
      : { type: "msg", channel, event, data, sender };
  }
  return data === undefined
    ? { type: "msg", channel, offset, event, sender }
    : { type: "msg", channel, offset, event, data, sender };
}

/**
 * A `user` frame: an event addressed to a user id.
 *
 * @example A notice for a user
 * ```ts
 * import { encodeFrame, userFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(userFrame("notice", { unread: 3 })),
 *   '{"type":"user","event":"notice","data":{"unread":3}}',
 * );
 * ```
 */
export function userFrame(event: string, data?: unknown): UserFrame {
  return data === undefined
    ? { type: "user", event }
    : { type: "user", event, data };
}

/**
 * A `presence` change in a channel, with the channel's new presence
 * version.
 *
 * @example A member joined
 * ```ts
 * import { presenceFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame = presenceFrame("lobby", "join", { id: "s2", data: null }, 4);
 * assert.deepEqual([frame.action, frame.member.id, frame.version], ["join", "s2", 4]);
 * ```
 */
export function presenceFrame(
  channel: string,
  action: PresenceFrame["action"],
  member: Member,
  version: number,
): PresenceFrame {
  return { type: "presence", channel, action, member, version };
}

/**
 * A `diff`: a big channel's presence changes within a short window, as one
 * frame.
 *
 * @example Two members joined
 * ```ts
 * import { diffFrame, encodeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame = diffFrame("town", [
 *   { action: "join", member: { id: "s2", data: null }, version: 4 },
 *   { action: "join", member: { id: "s3", data: null }, version: 5 },
 * ]);
 * assert.ok(encodeFrame(frame).startsWith('{"type":"diff","channel":"town"'));
 * assert.equal(frame.changes.length, 2);
 * ```
 */
export function diffFrame(
  channel: string,
  changes: PresenceChange[],
): DiffFrame {
  return { type: "diff", channel, changes };
}

/**
 * A `bye`: the relay is closing the connection. Whether the client should
 * reconnect follows from the reason ({@linkcode BYE_REASONS}).
 *
 * @example Shutting down
 * ```ts
 * import { byeFrame, encodeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame(byeFrame("shutdown")),
 *   '{"type":"bye","reason":"shutdown","reconnect":true}',
 * );
 * assert.equal(byeFrame("replaced").reconnect, false);
 * ```
 */
export function byeFrame(reason: ByeReason, retryAfter?: number): ByeFrame {
  const reconnect = BYE_REASONS[reason].reconnect;
  return retryAfter === undefined
    ? { type: "bye", reason, reconnect }
    : { type: "bye", reason, reconnect, retryAfter };
}
