/**
 * The frames a client sends to the relay, discriminated on `type`.
 *
 * @module
 */

/**
 * Opens a session: the first frame a client sends after the socket opens.
 *
 * @example A hello that survives a round trip
 * ```ts
 * import { decodeClientFrame, encodeFrame, type HelloFrame, PROTOCOL_VERSION } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const hello: HelloFrame = { type: "hello", ref: 1, v: PROTOCOL_VERSION, profile: { name: "ann" } };
 * assert.deepEqual(decodeClientFrame(encodeFrame(hello)), { ok: true, frame: hello });
 * ```
 */
export interface HelloFrame {
  /** The frame type. */
  type: "hello";
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** Protocol version the client speaks. */
  v: number;
  /** The session id of the client's previous connection, when it had one. */
  session?: string;
  /**
   * The resume token the `welcome` of that session carried: without the
   * right one, `session` is ignored and a new session opens.
   */
  resume?: string;
  /** The member profile to start with. */
  profile?: unknown;
  /** An access token, for clients that could not send one with the upgrade. */
  token?: string;
  /**
   * The app-wide messages seen on an earlier connection: the `welcome`'s
   * `app` then answers the ones missed since, or why they cannot be.
   */
  since?: JoinSince;
}

/**
 * Joins a channel. With `channel: null` it joins nothing: it asks for the
 * app-wide messages missed after `since` (every welcomed connection already
 * gets app-wide messages), answered like a channel's recovery.
 *
 * @example Decoding a join on the relay
 * ```ts
 * import { decodeClientFrame, type JoinFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeClientFrame('{"type":"join","ref":1,"channel":"lobby","echo":false}');
 * assert.ok(result.ok && result.frame.type === "join");
 * const join: JoinFrame = result.frame;
 * assert.equal(join.channel, "lobby");
 * assert.equal(join.echo, false);
 * ```
 */
export interface JoinFrame {
  /** The frame type. */
  type: "join";
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** The channel name, or `null` to recover app-wide messages. */
  channel: string | null;
  /** Whether the joining client hears its own presence `join`. */
  echo?: boolean;
  /**
   * Recovery: the channel epoch and the last offset the client saw; the ack
   * then answers the messages missed since, or why they cannot be.
   */
  since?: JoinSince;
}

/**
 * Where a rejoining client left a channel: its epoch and the last offset
 * seen there. The `since` of a {@linkcode JoinFrame}.
 *
 * @example Asking for what was missed after offset 7
 * ```ts
 * import { decodeClientFrame, type JoinSince } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const since: JoinSince = { epoch: "e1", offset: 7 };
 * const result = decodeClientFrame(JSON.stringify({ type: "join", channel: "lobby", since }));
 * assert.ok(result.ok && result.frame.type === "join");
 * assert.deepEqual(result.frame.since, since);
 * ```
 */
export interface JoinSince {
  /** The channel's epoch, from the join ack. */
  epoch: string;
  /** The last channel offset the client saw in that epoch. */
  offset: number;
}

/**
 * Leaves a channel.
 *
 * @example Encoding a leave
 * ```ts
 * import { encodeFrame, type LeaveFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const leave: LeaveFrame = { type: "leave", ref: 2, channel: "lobby" };
 * assert.equal(encodeFrame(leave), '{"type":"leave","ref":2,"channel":"lobby"}');
 * ```
 */
export interface LeaveFrame {
  /** The frame type. */
  type: "leave";
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** The channel name. */
  channel: string;
  /** Whether the leaving client hears its own presence `leave`. */
  echo?: boolean;
}

/**
 * Publishes an event to a channel, or app-wide when `channel` is null.
 *
 * @example An app-wide publish with a message id
 * ```ts
 * import { decodeClientFrame, encodeFrame, type PubFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const pub: PubFrame = { type: "pub", ref: 3, channel: null, event: "deploy", data: { v: 2 }, mid: "m1" };
 * const result = decodeClientFrame(encodeFrame(pub));
 * assert.deepEqual(result, { ok: true, frame: pub });
 * ```
 */
export interface PubFrame {
  /** The frame type. */
  type: "pub";
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** The channel, or `null` for an app-wide broadcast. */
  channel: string | null;
  /** The event name. */
  event: string;
  /** The payload: any JSON value. */
  data?: unknown;
  /** Client message id: a resend with the same id is acked, never delivered twice. */
  mid?: string;
  /** Whether the sender receives its own message. */
  echo?: boolean;
  /**
   * Fire and forget: delivered live without an offset, never kept in
   * history, never deduplicated.
   */
  volatile?: boolean;
}

/**
 * Asks for the members of a channel; the ack carries them
 * ({@linkcode MembersAckData}).
 *
 * @example Asking who is in a channel
 * ```ts
 * import { decodeClientFrame, encodeFrame, type MembersFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const members: MembersFrame = { type: "members", ref: 4, channel: "lobby" };
 * assert.deepEqual(decodeClientFrame(encodeFrame(members)), { ok: true, frame: members });
 * ```
 */
export interface MembersFrame {
  /** The frame type. */
  type: "members";
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** The channel name. */
  channel: string;
}

/**
 * Replaces the client's member profile in every channel it has joined.
 *
 * @example A profile over the limit is refused
 * ```ts
 * import { decodeClientFrame, encodeFrame, type UpdateFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const update: UpdateFrame = { type: "update", ref: 5, profile: { name: "a long name" } };
 * const result = decodeClientFrame(encodeFrame(update), { profileBytes: 16 });
 * assert.equal(!result.ok && result.error.code, "profile_too_large");
 * ```
 */
export interface UpdateFrame {
  /** The frame type. */
  type: "update";
  /** Request id, echoed by the `ack` that answers this frame. */
  ref?: number;
  /** The new profile: any JSON value, at most `limits.profileBytes` bytes. */
  profile: unknown;
  /** Whether the client hears its own presence `update`. */
  echo?: boolean;
}

/**
 * Every frame a client may send, discriminated on `type`.
 *
 * @example Switching on a decoded frame
 * ```ts
 * import { type ClientFrame, decodeClientFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * function describe(frame: ClientFrame): string {
 *   switch (frame.type) {
 *     case "pub":
 *       return `${frame.event} to ${frame.channel ?? "everyone"}`;
 *     default:
 *       return frame.type;
 *   }
 * }
 * const result = decodeClientFrame('{"type":"pub","channel":null,"event":"deploy"}');
 * assert.ok(result.ok);
 * assert.equal(describe(result.frame), "deploy to everyone");
 * ```
 */
export type ClientFrame =
  | HelloFrame
  | JoinFrame
  | LeaveFrame
  | PubFrame
  | MembersFrame
  | UpdateFrame;
