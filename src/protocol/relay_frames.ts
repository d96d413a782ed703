/**
 * The frames the relay sends to a client, discriminated on `type`.
 *
 * @module
 */

import type { ErrorBody } from "./error.ts";
import type { Heartbeat, RelayLimits } from "./limits.ts";

/**
 * Answers `hello`: the session is open.
 *
 * @example Reading the session id from a welcome
 * ```ts
 * import { decodeRelayFrame, DEFAULT_HEARTBEAT, DEFAULT_LIMITS, encodeFrame, PROTOCOL_VERSION, type WelcomeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const welcome: WelcomeFrame = {
 *   type: "welcome",
 *   ref: 1,
 *   v: PROTOCOL_VERSION,
 *   session: "s1",
 *   limits: DEFAULT_LIMITS,
 *   heartbeat: DEFAULT_HEARTBEAT,
 * };
 * const result = decodeRelayFrame(encodeFrame(welcome));
 * assert.ok(result.ok && result.frame.type === "welcome");
 * assert.equal(result.frame.session, "s1");
 * ```
 */
export interface WelcomeFrame {
  /** The frame type. */
  type: "welcome";
  /** The `ref` of the `hello` this answers. */
  ref?: number;
  /** The protocol version the relay speaks. */
  v: number;
  /** The session id; also this connection's member id. */
  session: string;
  /**
   * The session's resume token: a secret only this client gets, which a
   * later `hello` must carry (`hello.resume`) with `session` to resume the
   * session. Never shown to anyone else; keep it private.
   */
  resume?: string;
  /** The limits the relay enforces. */
  limits: RelayLimits;
  /** The heartbeat the relay expects. */
  heartbeat: Heartbeat;
  /** The app-wide stream's epoch and offset, and what `hello.since` recovered. */
  app?: AppWideData;
}

/**
 * The app-wide stream's place in a `welcome` (`welcome.app`): its epoch and
 * latest offset and, when the `hello` carried `since`, whether the app-wide
 * messages missed since follow in `missed` (in order, before any live one)
 * or why they cannot be recovered. The fields of a `join` ack's data
 * without members and presence version.
 *
 * @example A welcome that recovered one app-wide message
 * ```ts
 * import { decodeRelayFrame, type AppWideData } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame(JSON.stringify({
 *   type: "welcome", v: 1, session: "s1", limits: {}, heartbeat: {},
 *   app: { epoch: "e1", offset: 3, recovered: true, missed: [{ offset: 3, event: "deploy", sender: null }] },
 * }));
 * assert.ok(result.ok && result.frame.type === "welcome");
 * const app: AppWideData | undefined = result.frame.app;
 * assert.equal(app?.missed?.[0].event, "deploy");
 * ```
 */
export interface AppWideData {
  /** The app-wide stream's epoch: it changes whenever its history is lost. */
  epoch: string;
  /** The latest app-wide offset (0 before the first app-wide message). */
  offset: number;
  /** With `hello.since`: whether the missed messages follow in `missed`. */
  recovered?: boolean;
  /**
   * With `recovered: true`: every app-wide message after `since.offset`
   * (a `MissedMessage` each).
   */
  missed?: {
    offset: number;
    event: string;
    data?: unknown;
    sender: string | null;
  }[];
  /** With `recovered: false`: why (a `RecoveryFailure`). */
  reason?: "history_lost" | "too_far_behind";
}

/**
 * A member of a channel: the session id and its profile.
 *
 * @example The member in a presence frame
 * ```ts
 * import { decodeRelayFrame, type Member } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame(
 *   '{"type":"presence","channel":"lobby","action":"join","member":{"id":"s2","data":{"name":"bo"}},"version":2}',
 * );
 * assert.ok(result.ok && result.frame.type === "presence");
 * const member: Member = result.frame.member;
 * assert.deepEqual(member, { id: "s2", data: { name: "bo" } });
 * ```
 */
export interface Member<Profile = unknown> {
  /** The member's session id. */
  id: string;
  /** The profile: any JSON value, typed by the app's `Profile` if it gives one. */
  data: Profile;
}

/**
 * Answers a frame that carried a `ref`: `ok` with the result's `data`, or a
 * failure with an {@linkcode ErrorBody}.
 *
 * @example Narrowing an ack on ok
 * ```ts
 * import { type AckFrame, decodeRelayFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame(
 *   '{"type":"ack","ref":3,"ok":false,"error":{"code":"rate_limited","message":"Slow down"}}',
 * );
 * assert.ok(result.ok && result.frame.type === "ack");
 * const ack: AckFrame = result.frame;
 * assert.equal(ack.ok ? "done" : ack.error.code, "rate_limited");
 * ```
 */
export type AckFrame =
  | { type: "ack"; ref: number; ok: true; data?: unknown }
  | { type: "ack"; ref: number; ok: false; error: ErrorBody };

/**
 * A published event, delivered to channel members (or everyone, app-wide).
 *
 * @example A server broadcast, encoded and decoded
 * ```ts
 * import { decodeRelayFrame, encodeFrame, type MsgFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const msg: MsgFrame = { type: "msg", channel: null, event: "deploy", data: { v: 2 }, sender: null };
 * assert.deepEqual(decodeRelayFrame(encodeFrame(msg)), { ok: true, frame: msg });
 * ```
 */
export interface MsgFrame {
  /** The frame type. */
  type: "msg";
  /** The channel, or `null` for an app-wide broadcast. */
  channel: string | null;
  /** Per-channel offset, increasing by one per message; absent app-wide. */
  offset?: number;
  /** The event name. */
  event: string;
  /** The payload: any JSON value. */
  data?: unknown;
  /** The sender's session id, or `null` when the server itself sent it. */
  sender: string | null;
}

/**
 * An event addressed to a user id, delivered to all of that user's connections.
 *
 * @example Decoding a user event
 * ```ts
 * import { decodeRelayFrame, type UserFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame('{"type":"user","event":"notice","data":{"unread":3}}');
 * assert.ok(result.ok && result.frame.type === "user");
 * const frame: UserFrame = result.frame;
 * assert.deepEqual([frame.event, frame.data], ["notice", { unread: 3 }]);
 * ```
 */
export interface UserFrame {
  /** The frame type. */
  type: "user";
  /** The event name. */
  event: string;
  /** The payload: any JSON value. */
  data?: unknown;
}

/**
 * A presence change in a channel.
 *
 * @example Keeping a member list up to date
 * ```ts
 * import { type PresenceFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const members = new Map<string, unknown>();
 * function apply(frame: PresenceFrame): void {
 *   if (frame.action === "leave") members.delete(frame.member.id);
 *   else members.set(frame.member.id, frame.member.data);
 * }
 * const member = { id: "s2", data: { name: "bo" } };
 * apply({ type: "presence", channel: "lobby", action: "join", member, version: 1 });
 * assert.deepEqual([...members.keys()], ["s2"]);
 * apply({ type: "presence", channel: "lobby", action: "leave", member, version: 2 });
 * assert.equal(members.size, 0);
 * ```
 */
export interface PresenceFrame {
  /** The frame type. */
  type: "presence";
  /** The channel name. */
  channel: string;
  /** What happened: a member joined, left or changed its profile. */
  action: "join" | "leave" | "update";
  /** The member, with its profile (for `leave`, its last one). */
  member: Member;
  /** Per-channel presence version, increasing by one per change. */
  version: number;
}

/** One change of a {@linkcode DiffFrame}: what a `presence` frame says, without the channel. */
export interface PresenceChange {
  /** What happened: a member joined, left or changed its profile. */
  action: "join" | "leave" | "update";
  /** The member, with its profile (for `leave`, its last one). */
  member: Member;
  /** The channel's presence version after this change. */
  version: number;
}

/**
 * The presence changes of a big channel within a short window, in order, as
 * one frame: a client handles each change as the `presence` frame it
 * replaces. The relay sends it to every member, each member's own changes
 * included; a client skips its own (it heard them in a `presence` frame).
 *
 * @example Applying a diff to a member list
 * ```ts
 * import { type DiffFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const members = new Map<string, unknown>([["s1", null]]);
 * const frame: DiffFrame = {
 *   type: "diff",
 *   channel: "town",
 *   changes: [
 *     { action: "join", member: { id: "s2", data: null }, version: 8 },
 *     { action: "leave", member: { id: "s1", data: null }, version: 9 },
 *   ],
 * };
 * for (const { action, member } of frame.changes) {
 *   if (action === "leave") members.delete(member.id);
 *   else members.set(member.id, member.data);
 * }
 * assert.deepEqual([...members.keys()], ["s2"]);
 * ```
 */
export interface DiffFrame {
  /** The frame type. */
  type: "diff";
  /** The channel name. */
  channel: string;
  /** The changes, oldest first, each with its presence version. */
  changes: PresenceChange[];
}

/**
 * A failure not tied to a `ref` (or a frame that could not be decoded).
 *
 * @example Answering a frame that is not JSON
 * ```ts
 * import { decodeClientFrame, encodeFrame, type ErrorFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeClientFrame("{oops");
 * assert.ok(!result.ok);
 * const frame: ErrorFrame = { type: "error", error: result.error };
 * assert.equal(
 *   encodeFrame(frame),
 *   '{"type":"error","error":{"code":"bad_frame","message":"Expected a JSON object"}}',
 * );
 * ```
 */
export interface ErrorFrame {
  /** The frame type. */
  type: "error";
  /** The `ref` of the frame that failed, when it had one. */
  ref?: number;
  /** What went wrong. */
  error: ErrorBody;
}

/**
 * The relay is closing this connection.
 *
 * @example Deciding when to come back
 * ```ts
 * import { type ByeFrame, decodeRelayFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame('{"type":"bye","reason":"shutdown","reconnect":true,"retryAfter":1000}');
 * assert.ok(result.ok && result.frame.type === "bye");
 * const bye: ByeFrame = result.frame;
 * assert.equal(bye.reconnect ? bye.retryAfter ?? 0 : Infinity, 1000);
 * ```
 */
export interface ByeFrame {
  /** The frame type. */
  type: "bye";
  /** Why: `shutdown`, `timeout`, `replaced`, `unauthorized`, `unsupported_version`, `slow_consumer`. */
  reason: string;
  /** Whether the client should reconnect. */
  reconnect: boolean;
  /** Ms the client should wait before reconnecting. */
  retryAfter?: number;
}

/**
 * Every frame a relay may send, discriminated on `type`.
 *
 * @example Switching on a relay frame
 * ```ts
 * import { type RelayFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * function summary(frame: RelayFrame): string {
 *   switch (frame.type) {
 *     case "msg":
 *       return `${frame.event} from ${frame.sender ?? "the server"}`;
 *     case "ack":
 *       return frame.ok ? `ack ${frame.ref}` : `${frame.ref} failed: ${frame.error.code}`;
 *     default:
 *       return frame.type;
 *   }
 * }
 * const error = { code: "forbidden", message: "No" } as const;
 * assert.equal(summary({ type: "ack", ref: 1, ok: false, error }), "1 failed: forbidden");
 * assert.equal(summary({ type: "msg", channel: "lobby", event: "chat", sender: null }), "chat from the server");
 * ```
 */
export type RelayFrame =
  | WelcomeFrame
  | AckFrame
  | MsgFrame
  | UserFrame
  | PresenceFrame
  | DiffFrame
  | ErrorFrame
  | ByeFrame;
