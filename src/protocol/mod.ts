/**
 * The relay wire protocol, shared by both ends: one JSON object per text
 * frame, discriminated on `type`. Frames that want an answer carry a `ref`
 * (a request id chosen by the client) that the relay's `ack` echoes.
 * Liveness is the literal text frames `ping` and `pong`, outside JSON.
 *
 * PROTOCOL.md is the reference for every frame, error code and limit.
 *
 * @module
 */

import { byteLength } from "../core/byte_length.ts";

/**
 * The protocol version this module speaks, sent in `hello` and `welcome`.
 *
 * @example Saying hello in this version
 * ```ts
 * import { encodeFrame, PROTOCOL_VERSION } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const hello = encodeFrame({ type: "hello", v: PROTOCOL_VERSION });
 * assert.equal(hello, '{"type":"hello","v":1}');
 * ```
 */
export const PROTOCOL_VERSION = 1;

/**
 * The WebSocket subprotocol of lifeline. A client that sends its token in
 * `Sec-WebSocket-Protocol` offers this and `token.<value>`; the relay
 * answers with this one.
 *
 * @example The first subprotocol a client offers
 * ```ts
 * import { SUBPROTOCOL, tokenProtocols } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const offered = tokenProtocols("abc");
 * assert.equal(offered[0], SUBPROTOCOL);
 * assert.equal(SUBPROTOCOL, "lifeline");
 * ```
 */
export const SUBPROTOCOL = "lifeline";
/**
 * The prefix of the `Sec-WebSocket-Protocol` entry that carries a token.
 *
 * @example Reading the token out of an entry
 * ```ts
 * import { TOKEN_PROTOCOL_PREFIX } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const entry = "token.abc.def";
 * assert.ok(entry.startsWith(TOKEN_PROTOCOL_PREFIX));
 * assert.equal(entry.slice(TOKEN_PROTOCOL_PREFIX.length), "abc.def");
 * ```
 */
export const TOKEN_PROTOCOL_PREFIX = "token.";

/**
 * The subprotocols a client offers to send `token` with the upgrade request,
 * for clients (browsers) that cannot set headers. The token must consist of
 * HTTP token characters (base64url, JWTs are fine; no `=`, `/`, `+`).
 *
 * @example Offering a token
 * ```ts
 * import { tokenProtocols } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(tokenProtocols("abc.def"), ["lifeline", "token.abc.def"]);
 * // new WebSocket(url, tokenProtocols(token))
 * ```
 */
export function tokenProtocols(token: string): string[] {
  return [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
}

/**
 * The liveness request, a literal text frame; the relay answers {@linkcode PONG}.
 * It is not JSON, so check for it before decoding.
 *
 * @example Answering a ping before decoding
 * ```ts
 * import { decodeClientFrame, PING, PONG } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const reply = (text: string) => text === PING ? PONG : undefined;
 * assert.equal(reply("ping"), "pong");
 * assert.equal(decodeClientFrame(PING).ok, false);
 * ```
 */
export const PING = "ping";
/**
 * The liveness answer, a literal text frame. It is not JSON, so check for it
 * before decoding.
 *
 * @example Swallowing pongs on the client
 * ```ts
 * import { decodeRelayFrame, PONG } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const isPong = (data: unknown) => data === PONG;
 * assert.equal(isPong("pong"), true);
 * assert.equal(decodeRelayFrame(PONG).ok, false);
 * ```
 */
export const PONG = "pong";

// ---------------------------------------------------------------- client → relay

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
  /** The member profile to start with. */
  profile?: unknown;
  /** An access token, for clients that could not send one with the upgrade. */
  token?: string;
}

/**
 * Joins a channel.
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
  /** The channel name. */
  channel: string;
  /** Whether the joining client hears its own presence `join`. */
  echo?: boolean;
  /** Reserved for recovery: the last channel offset the client saw. */
  since?: number;
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

// ---------------------------------------------------------------- relay → client

/**
 * The limits a relay enforces, announced in `welcome`; see
 * {@linkcode DEFAULT_LIMITS}.
 *
 * @example A frame over a smaller limit
 * ```ts
 * import { decodeClientFrame, DEFAULT_LIMITS, encodeFrame, type RelayLimits } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const limits: RelayLimits = { ...DEFAULT_LIMITS, frameBytes: 1024 };
 * const big = encodeFrame({ type: "pub", channel: "lobby", event: "chat", data: "x".repeat(2000) });
 * const result = decodeClientFrame(big, limits);
 * assert.equal(!result.ok && result.error.code, "too_large");
 * ```
 */
export interface RelayLimits {
  /** Largest frame the relay accepts, in bytes. */
  frameBytes: number;
  /** Most channels one connection may join. */
  channels: number;
  /**
   * Sustained messages per second per connection (token bucket refill); 0 =
   * unlimited. `ping` and the `hello` that opens the session take no token.
   */
  rate: number;
  /** Token bucket size: the burst of messages allowed at once. */
  burst: number;
  /** Largest member profile, in bytes of its JSON. */
  profileBytes: number;
  /** Longest channel name, in characters. */
  channelLength: number;
}

/**
 * The heartbeat the relay expects, announced in `welcome`; see
 * {@linkcode DEFAULT_HEARTBEAT}.
 *
 * @example How long a silent client lasts
 * ```ts
 * import { type Heartbeat } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const heartbeat: Heartbeat = { interval: 10_000, timeout: 5_000 };
 * // A client pings after `interval` ms of silence (e.g. a Keepalive's interval).
 * assert.equal(heartbeat.interval + heartbeat.timeout, 15_000);
 * ```
 */
export interface Heartbeat {
  /** Ms of silence after which a client should send `ping`. */
  interval: number;
  /**
   * Ms of grace past `interval`: a relay may drop a client that sent no frame
   * at all for `interval + timeout` ms. 0 = the relay never drops silent clients.
   */
  timeout: number;
}

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
  /** The limits the relay enforces. */
  limits: RelayLimits;
  /** The heartbeat the relay expects. */
  heartbeat: Heartbeat;
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
export interface Member {
  /** The member's session id. */
  id: string;
  /** The payload: any JSON value. */
  data: unknown;
}

/**
 * A coded failure, as carried by `ack` and `error` frames.
 *
 * @example The body of a decoding failure, as an error
 * ```ts
 * import { decodeClientFrame, type ErrorBody, ProtocolError } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeClientFrame("not json");
 * assert.ok(!result.ok);
 * const body: ErrorBody = result.error;
 * assert.equal(body.code, "bad_frame");
 * assert.equal(ProtocolError.from(body).message, body.message);
 * ```
 */
export interface ErrorBody {
  /** The stable code to switch on. */
  code: ErrorCode;
  /** A human-readable explanation; may change between versions. */
  message: string;
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
  /** Why: `shutdown`, `timeout`, `replaced`, `unauthorized`, `unsupported_version`. */
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
  | ErrorFrame
  | ByeFrame;

// ---------------------------------------------------------------- errors

/**
 * Stable error codes carried by `ack` and `error` frames; PROTOCOL.md says
 * when each is sent.
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
export type ErrorCode =
  | "bad_frame" // not JSON, not an object, wrong field types, unknown type
  | "unsupported_version"
  | "hello_required"
  | "bad_channel"
  | "bad_event"
  | "too_large" // frame over limits.frameBytes
  | "profile_too_large"
  | "rate_limited"
  | "too_many_channels"
  | "not_joined"
  | "unauthorized"
  | "forbidden"
  | "internal";

// ---------------------------------------------------------------- ack payloads

/**
 * The `data` of a successful `join` ack.
 *
 * @example What a relay acknowledges a join with
 * ```ts
 * import type { AckFrame, JoinAckData } from "@lifeline/realtime/protocol";
 * import { Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const sent: string[] = [];
 * const client = relay.open({ send: (text) => sent.push(text), close() {} });
 * client.message('{"type":"hello","v":1}');
 * client.message('{"type":"join","ref":1,"channel":"lobby","echo":false}');
 * const ack: AckFrame = JSON.parse(sent.at(-1)!);
 * assert.ok(ack.ok);
 * const data = ack.data as JoinAckData;
 * assert.deepEqual([data.members.map((m) => m.id), data.offset], [[client.id], 0]);
 * relay.close();
 * ```
 */
export interface JoinAckData {
  /** Everyone in the channel, the joiner included. */
  members: Member[];
  /** The channel's latest message offset (0 before its first message). */
  offset: number;
  /** The channel's presence version after this join. */
  version: number;
}

/**
 * The `data` of a successful `pub` ack.
 *
 * @example Reading the offset a publish got
 * ```ts
 * import { decodeRelayFrame, type PubAckData } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame('{"type":"ack","ref":2,"ok":true,"data":{"offset":8}}');
 * assert.ok(result.ok && result.frame.type === "ack" && result.frame.ok);
 * const data = result.frame.data as PubAckData;
 * assert.equal(data.offset, 8);
 * ```
 */
export interface PubAckData {
  /** The message's channel offset; absent for app-wide broadcasts. */
  offset?: number;
}

/**
 * The `data` of a successful `members` ack.
 *
 * @example What a relay answers a members request with
 * ```ts
 * import type { AckFrame, MembersAckData } from "@lifeline/realtime/protocol";
 * import { Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const sent: string[] = [];
 * const client = relay.open({ send: (text) => sent.push(text), close() {} });
 * client.message('{"type":"hello","v":1,"profile":"ann"}');
 * client.message('{"type":"join","channel":"lobby"}');
 * client.message('{"type":"members","ref":2,"channel":"lobby"}');
 * const ack: AckFrame = JSON.parse(sent.at(-1)!);
 * assert.ok(ack.ok);
 * assert.deepEqual((ack.data as MembersAckData).members, [{ id: client.id, data: "ann" }]);
 * relay.close();
 * ```
 */
export interface MembersAckData {
  /** Everyone in the channel. */
  members: Member[];
  /** The channel's presence version these members reflect. */
  version: number;
}

// ---------------------------------------------------------------- limits

/**
 * The limits a relay enforces unless configured otherwise.
 *
 * @example Reading the defaults
 * ```ts
 * import { DEFAULT_LIMITS } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LIMITS.frameBytes, 1024 * 1024);
 * assert.equal(DEFAULT_LIMITS.channels, 100);
 * ```
 */
export const DEFAULT_LIMITS: Readonly<RelayLimits> = Object.freeze({
  frameBytes: 1024 * 1024,
  channels: 100,
  rate: 100,
  burst: 200,
  profileBytes: 4096,
  channelLength: 128,
});

/**
 * The heartbeat a relay announces unless configured otherwise: clients ping
 * after 25 s of silence; the relay drops a client silent for 25 s + 20 s.
 *
 * @example Reading the defaults
 * ```ts
 * import { DEFAULT_HEARTBEAT } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_HEARTBEAT.interval, 25_000);
 * assert.equal(DEFAULT_HEARTBEAT.timeout, 20_000);
 * ```
 */
export const DEFAULT_HEARTBEAT: Readonly<Heartbeat> = Object.freeze({
  interval: 25_000,
  timeout: 20_000,
});

/**
 * Longest event name, in characters.
 *
 * @example The longest event name allowed
 * ```ts
 * import { isEventName, MAX_EVENT_LENGTH } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isEventName("e".repeat(MAX_EVENT_LENGTH)), true);
 * assert.equal(isEventName("e".repeat(MAX_EVENT_LENGTH + 1)), false);
 * ```
 */
export const MAX_EVENT_LENGTH = 128;
/**
 * The prefix of event names the protocol keeps for itself: clients name
 * presence `channel:join`, `channel:leave` and `channel:update`, so no
 * published event may start with it.
 *
 * @example A publish named like a presence event is refused
 * ```ts
 * import { decodeClientFrame, RESERVED_EVENT_PREFIX } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const event = `${RESERVED_EVENT_PREFIX}join`;
 * const result = decodeClientFrame(JSON.stringify({ type: "pub", channel: "lobby", event }));
 * assert.equal(!result.ok && result.error.code, "bad_event");
 * ```
 */
export const RESERVED_EVENT_PREFIX = "channel:";
/**
 * Longest session id or client message id (`mid`), in characters.
 *
 * @example A message id one character too long
 * ```ts
 * import { decodeClientFrame, encodeFrame, MAX_ID_LENGTH } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const mid = "m".repeat(MAX_ID_LENGTH + 1);
 * const result = decodeClientFrame(encodeFrame({ type: "pub", channel: "lobby", event: "chat", mid }));
 * assert.equal(!result.ok && result.error.code, "bad_frame");
 * ```
 */
export const MAX_ID_LENGTH = 128;

const CHANNEL_CHARS = /^[A-Za-z0-9_\-.:@/]+$/;

/**
 * Whether `value` is a valid channel name: 1 to `maxLength` characters, each
 * a letter, a digit or one of `_ - . : @ /`.
 *
 * @example Checking names
 * ```ts
 * import { isChannelName } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isChannelName("room:42/chat"), true);
 * assert.equal(isChannelName("has space"), false);
 * assert.equal(isChannelName("a".repeat(129)), false);
 * ```
 */
export function isChannelName(
  value: unknown,
  maxLength: number = DEFAULT_LIMITS.channelLength,
): value is string {
  return typeof value === "string" && value.length > 0 &&
    value.length <= maxLength && CHANNEL_CHARS.test(value);
}

/**
 * Whether `value` is a valid event name: a non-empty string of at most
 * {@linkcode MAX_EVENT_LENGTH} characters that does not start with
 * {@linkcode RESERVED_EVENT_PREFIX} (`channel:`, the presence events).
 *
 * @example Checking names
 * ```ts
 * import { isEventName } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isEventName("chat message"), true);
 * assert.equal(isEventName("chat:message"), true);
 * assert.equal(isEventName(""), false);
 * assert.equal(isEventName("channel:join"), false);
 * ```
 */
export function isEventName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 &&
    value.length <= MAX_EVENT_LENGTH &&
    !value.startsWith(RESERVED_EVENT_PREFIX);
}

// ---------------------------------------------------------------- errors

/**
 * A coded protocol failure, for code that prefers throwing to results: the
 * client rejects a request whose ack failed with one of these.
 *
 * @example Turning an error body into an error
 * ```ts
 * import { ProtocolError } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const error = ProtocolError.from({ code: "forbidden", message: "no" });
 * assert.equal(error.name, "ProtocolError");
 * assert.equal(error.code, "forbidden");
 * ```
 */
export class ProtocolError extends Error {
  /** Always `"ProtocolError"`. */
  override name: string = "ProtocolError";
  /** The stable error code. */
  readonly code: ErrorCode;
  /** The `ref` of the request that failed, when there was one. */
  readonly ref?: number;

  /** Makes an error with a code, a message and optionally the failed `ref`. */
  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { ref?: number },
  ) {
    super(message, options);
    this.code = code;
    if (options?.ref !== undefined) this.ref = options.ref;
  }

  /** Makes an error from the body of an `ack` or `error` frame. */
  static from(body: ErrorBody & { ref?: number }): ProtocolError {
    return new ProtocolError(body.code, body.message, { ref: body.ref });
  }
}

// ---------------------------------------------------------------- decoding

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
 * const limits: DecodeLimits = { frameBytes: 1024, profileBytes: 64, channelLength: 8 };
 * const result = decodeClientFrame('{"type":"join","channel":"a-long-channel"}', limits);
 * assert.equal(!result.ok && result.error.code, "bad_channel");
 * ```
 */
export type DecodeLimits = Pick<
  RelayLimits,
  "frameBytes" | "profileBytes" | "channelLength"
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
  if (typeof text !== "string") return fail("bad_frame", "Expected text");
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes: count exactly only when unsure.
  if (
    text.length > frameBytes ||
    (text.length * 3 > frameBytes && byteLength(text) > frameBytes)
  ) {
    return fail("too_large", `Frame exceeds ${frameBytes} bytes`);
  }
  const o = parseObject(text);
  if (o === undefined) return fail("bad_frame", "Expected a JSON object");
  let ref: number | undefined;
  if (o.ref !== undefined) {
    if (!isRef(o.ref)) {
      return fail("bad_frame", "'ref' must be a non-negative integer");
    }
    ref = o.ref;
  }
  const channel = (): boolean => isChannelName(o.channel, channelLength);
  const badChannel = () => fail("bad_channel", "Invalid channel name", ref);
  const badFields = (type: string) =>
    fail("bad_frame", `Invalid fields in '${type}' frame`, ref);
  const tooLarge = () =>
    fail(
      "profile_too_large",
      `Profile exceeds ${profileBytes} bytes`,
      ref,
    );
  switch (o.type) {
    case "hello": {
      if (
        typeof o.v !== "number" || !optional(o.session, isId) ||
        !optional(o.token, (v) => typeof v === "string")
      ) return badFields("hello");
      if (profileSize(o.profile) > profileBytes) return tooLarge();
      const frame: HelloFrame = { type: "hello", v: o.v };
      if (ref !== undefined) frame.ref = ref;
      if (o.session !== undefined) frame.session = o.session as string;
      if (o.profile !== undefined) frame.profile = o.profile;
      if (o.token !== undefined) frame.token = o.token as string;
      return { ok: true, frame };
    }
    case "join": {
      if (!channel()) return badChannel();
      if (!optional(o.echo, isBoolean) || !optional(o.since, isOffset)) {
        return badFields("join");
      }
      const frame: JoinFrame = { type: "join", channel: o.channel as string };
      if (ref !== undefined) frame.ref = ref;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      if (o.since !== undefined) frame.since = o.since as number;
      return { ok: true, frame };
    }
    case "leave": {
      if (!channel()) return badChannel();
      if (!optional(o.echo, isBoolean)) return badFields("leave");
      const frame: LeaveFrame = { type: "leave", channel: o.channel as string };
      if (ref !== undefined) frame.ref = ref;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      return { ok: true, frame };
    }
    case "pub": {
      if (o.channel !== null && !channel()) return badChannel();
      if (!isEventName(o.event)) {
        return fail("bad_event", EVENT_RULE, ref);
      }
      if (!optional(o.mid, isId) || !optional(o.echo, isBoolean)) {
        return badFields("pub");
      }
      const frame: PubFrame = {
        type: "pub",
        channel: o.channel as string | null,
        event: o.event,
      };
      if (ref !== undefined) frame.ref = ref;
      if (o.data !== undefined) frame.data = o.data;
      if (o.mid !== undefined) frame.mid = o.mid as string;
      if (o.echo !== undefined) frame.echo = o.echo as boolean;
      return { ok: true, frame };
    }
    case "members": {
      if (!channel()) return badChannel();
      const frame: MembersFrame = {
        type: "members",
        channel: o.channel as string,
      };
      if (ref !== undefined) frame.ref = ref;
      return { ok: true, frame };
    }
    case "update": {
      if (!optional(o.echo, isBoolean)) return badFields("update");
      if (profileSize(o.profile) > profileBytes) return tooLarge();
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
        isObj(o.limits) && isObj(o.heartbeat) && optional(o.ref, isRef);
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

// ---------------------------------------------------------------- encoding

/**
 * Encodes a frame as the text to send. Encode once and send the same string
 * to every recipient.
 *
 * @example Encoding a join
 * ```ts
 * import { encodeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame({ type: "join", ref: 1, channel: "lobby" }),
 *   '{"type":"join","ref":1,"channel":"lobby"}',
 * );
 * ```
 */
export function encodeFrame(frame: ClientFrame | RelayFrame): string {
  return JSON.stringify(frame);
}
