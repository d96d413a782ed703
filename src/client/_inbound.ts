/**
 * Inbound routing: decodes what the relay sends and hands each frame to the
 * part that owns it. Acks and request errors go to the requests in flight,
 * messages and presence to the manager's listeners and the channel they
 * belong to, `welcome` and `bye` to the connection. Undecodable input is
 * reported, never thrown. Internal to the client layer.
 *
 * @module
 */

import {
  type ByeFrame,
  decodeRelayFrame,
  type DiffFrame,
  type ErrorBody,
  type MsgFrame,
  type PresenceFrame,
  type UserFrame,
  type WelcomeFrame,
} from "../protocol/mod.ts";
import { RealtimeError } from "./realtime_error.ts";

/** Where {@linkcode routeInbound} sends each kind of frame. */
export interface InboundTarget {
  welcome(frame: WelcomeFrame): void;
  /**
   * Settles the request sent with `ref`; `false` when none is in flight
   * under it.
   */
  answer(ref: number, error: RealtimeError | null, data: unknown): boolean;
  message(frame: MsgFrame): void;
  presence(frame: PresenceFrame): void;
  /** A big channel's batched presence changes. */
  diff(frame: DiffFrame): void;
  user(frame: UserFrame): void;
  bye(frame: ByeFrame): void;
  /** An error that belongs to no request, or input this client cannot read. */
  error(error: RealtimeError): void;
}

/** Decodes one inbound message and routes it to `target`. */
export function routeInbound(data: unknown, target: InboundTarget): void {
  if (typeof data !== "string") return;
  const decoded = decodeRelayFrame(data);
  if (!decoded.ok) {
    target.error(new RealtimeError("bad_response", decoded.error.message));
    return;
  }
  const frame = decoded.frame;
  switch (frame.type) {
    case "welcome":
      return target.welcome(frame);
    case "ack":
      if (frame.ok) target.answer(frame.ref, null, frame.data);
      else target.answer(frame.ref, relayError(frame.error), undefined);
      return;
    case "msg":
      return target.message(frame);
    case "presence":
      return target.presence(frame);
    case "diff":
      return target.diff(frame);
    case "user":
      return target.user(frame);
    case "error": {
      const error = relayError(frame.error);
      if (
        frame.ref === undefined || !target.answer(frame.ref, error, undefined)
      ) {
        target.error(error);
      }
      return;
    }
    case "bye":
      return target.bye(frame);
  }
}

function relayError(body: ErrorBody): RealtimeError {
  return new RealtimeError(body.code, body.message);
}
