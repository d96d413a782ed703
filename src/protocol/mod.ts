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

export {
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  tokenProtocols,
} from "./version.ts";
export { PING, PONG } from "./liveness.ts";
export {
  DEFAULT_HEARTBEAT,
  DEFAULT_LIMITS,
  type Heartbeat,
  MAX_EVENT_LENGTH,
  MAX_ID_LENGTH,
  type RelayLimits,
  RESERVED_EVENT_PREFIX,
} from "./limits.ts";
export { isChannelName, isEventName } from "./names.ts";
export {
  BYE_REASONS,
  type ByeReason,
  type ByeReasonEntry,
  ERROR_CODES,
  type ErrorCode,
  isErrorCode,
  RelayCloseCode,
} from "./codes.ts";
export { CodedError, type ErrorBody, ProtocolError } from "./error.ts";
export type {
  ClientFrame,
  HelloFrame,
  JoinFrame,
  JoinSince,
  LeaveFrame,
  MembersFrame,
  PubFrame,
  UpdateFrame,
} from "./client_frames.ts";
export type {
  AckFrame,
  AppWideData,
  ByeFrame,
  DiffFrame,
  ErrorFrame,
  Member,
  MsgFrame,
  PresenceChange,
  PresenceFrame,
  RelayFrame,
  UserFrame,
  WelcomeFrame,
} from "./relay_frames.ts";
export type {
  JoinAckData,
  MembersAckData,
  MissedMessage,
  PubAckData,
  RecoveryFailure,
} from "./ack_data.ts";
export {
  decodeClientFrame,
  type DecodeError,
  type DecodeLimits,
  decodeRelayFrame,
  type DecodeResult,
} from "./decode.ts";
export { encodeFrame } from "./encode.ts";
export {
  type FrameOptions,
  helloFrame,
  type HelloOptions,
  joinFrame,
  leaveFrame,
  membersFrame,
  pubFrame,
  type PubOptions,
  updateFrame,
} from "./client_builders.ts";
export {
  ackErrorFrame,
  ackFrame,
  byeFrame,
  diffFrame,
  errorFrame,
  msgFrame,
  presenceFrame,
  userFrame,
  welcomeFrame,
} from "./relay_builders.ts";
