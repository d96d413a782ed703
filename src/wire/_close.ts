/**
 * Close codes on the wire (RFC 6455, section 7.4): which a close frame may
 * carry, and the close frame's payload. Internal.
 *
 * @module
 */

import {
  abnormalClosure,
  closeCodeName,
  noStatusReceived,
  reserved1004,
  tlsHandshakeFailed,
} from "../core/status.ts";

/**
 * Whether a close frame may carry `code`: a code named in `status` other
 * than the reserved and never-sent ones (1004, 1005, 1006, 1015), or a
 * registered or private code from 3000 to 4999.
 */
export function isWireCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return Number.isInteger(code);
  return closeCodeName(code) !== undefined && code !== reserved1004 &&
    code !== noStatusReceived && code !== abnormalClosure &&
    code !== tlsHandshakeFailed;
}

const encoder = new TextEncoder();

/** The payload of a close frame: no code (1005) gives an empty one. */
export function closePayload(code: number, reason: string): Uint8Array {
  if (code === noStatusReceived) return new Uint8Array(0);
  const text = encoder.encode(reason);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}

/** The largest close reason, in UTF-8 bytes: a control frame holds 125. */
export const MAX_REASON_BYTES = 123;
