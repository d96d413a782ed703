/**
 * The incremental RFC 6455 frame decoder: bytes in, in chunks of any size
 * split at any boundary; messages, pings, pongs, the peer's close, or one
 * protocol failure with the close code to answer it with, out. It never
 * throws on what a peer sends, and holds at most one message (bounded by the
 * limits) plus a 14-byte header. Pure: no I/O, no timers.
 *
 * @module
 */

import {
  invalidFramePayloadData,
  messageTooBig,
  noStatusReceived,
  protocolError,
} from "../core/status.ts";
import { isWireCloseCode } from "./_close.ts";
import { DEFAULT_LIMITS, type WireLimits } from "./limits.ts";

/** Which end of the connection decodes: a server reads masked frames. */
export type Role = "client" | "server";

/** Where the decoder delivers what it decodes; each call is one event. */
export interface FrameSink {
  /** A whole data message: text as a string, binary as bytes. */
  message(data: string | Uint8Array): void;
  /** A ping with its application data. */
  ping(data: Uint8Array): void;
  /** A pong with its application data. */
  pong(data: Uint8Array): void;
  /** The peer's close frame: 1005 when it carried no code. Nothing follows. */
  close(code: number, reason: string): void;
  /** The peer broke the protocol: close with `code`. Nothing follows. */
  fail(code: number, reason: string): void;
  /**
   * A whole message sent compressed (RSV1, with permessage-deflate): its
   * bytes still to inflate, and whether it is text.
   */
  compressed?(data: Uint8Array, text: boolean): void;
}

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

const HEAD = 0;
const PAYLOAD = 1;
const DONE = 2;

/** Decodes the frames one peer sends; see the module doc. */
export class FrameDecoder {
  readonly #sink: FrameSink;
  readonly #expectMask: boolean;
  readonly #limits: Required<WireLimits>;
  readonly #deflate: boolean;
  #compressed = false;
  readonly #utf8 = new TextDecoder("utf-8", { fatal: true });
  #state = HEAD;
  // The frame being read.
  readonly #head = new Uint8Array(14);
  #headLen = 0;
  #headNeed = 2;
  #fin = false;
  #opcode = 0;
  #mask: Uint8Array | undefined;
  #remaining = 0;
  #offset = 0;
  #control: Uint8Array | undefined;
  // The message being assembled: 0 none, else OP_TEXT or OP_BINARY.
  #message = 0;
  #messageBytes = 0;
  #fragments = 0;
  #parts: Uint8Array[] = [];
  #text = "";

  /**
   * @param deflate Whether permessage-deflate was agreed: RSV1 then marks
   * the first frame of a compressed message, delivered to `compressed`.
   */
  constructor(
    role: Role,
    sink: FrameSink,
    limits: WireLimits = {},
    deflate = false,
  ) {
    this.#sink = sink;
    this.#expectMask = role === "server";
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    this.#deflate = deflate;
  }

  /** Whether a close or a failure ended decoding. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** Bytes held for the message being assembled. */
  get heldBytes(): number {
    return this.#messageBytes;
  }

  /** Feeds the next bytes; after `close` or `fail`, bytes are ignored. */
  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n && this.#state !== DONE) {
      if (this.#state === HEAD) {
        const take = Math.min(this.#headNeed - this.#headLen, n - i);
        this.#head.set(chunk.subarray(i, i + take), this.#headLen);
        this.#headLen += take;
        i += take;
        if (this.#headLen < this.#headNeed) break;
        if (this.#headNeed === 2 && !this.#startHead()) continue;
        if (this.#headLen === this.#headNeed) this.#endHead();
      } else {
        const take = Math.min(this.#remaining, n - i);
        this.#payload(chunk.subarray(i, i + take));
        i += take;
      }
    }
  }

  /** Checks the first two bytes; false when more header bytes are needed. */
  #startHead(): boolean {
    const b0 = this.#head[0];
    const b1 = this.#head[1];
    this.#fin = (b0 & 0x80) !== 0;
    this.#opcode = b0 & 0x0f;
    const op = this.#opcode;
    const rsv = b0 & 0x70;
    const rsv1 = rsv === 0x40 && this.#deflate &&
      (op === OP_TEXT || op === OP_BINARY);
    if (rsv !== 0 && !rsv1) return this.#fail(protocolError, "RSV bits set");
    if (op > OP_BINARY && op < OP_CLOSE || op > OP_PONG) {
      return this.#fail(protocolError, `Reserved opcode ${op}`);
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked !== this.#expectMask) {
      return this.#fail(
        protocolError,
        masked ? "A server must not mask" : "A client must mask",
      );
    }
    const len7 = b1 & 0x7f;
    if (op >= OP_CLOSE) {
      if (!this.#fin) return this.#fail(protocolError, "Fragmented control");
      if (len7 > 125) return this.#fail(protocolError, "Control too long");
    } else if (op === OP_CONTINUATION) {
      if (this.#message === 0) {
        return this.#fail(protocolError, "Continuation without a message");
      }
    } else if (this.#message !== 0) {
      return this.#fail(protocolError, "New message inside a fragmented one");
    } else {
      this.#compressed = rsv1;
    }
    if (op < OP_CLOSE && this.#fragments + 1 > this.#limits.maxFragments) {
      return this.#fail(messageTooBig, "Too many fragments");
    }
    this.#headNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) +
      (masked ? 4 : 0);
    return true;
  }

  /** The header is complete: the payload length and mask. */
  #endHead(): void {
    const head = this.#head;
    const len7 = head[1] & 0x7f;
    let length = len7;
    let at = 2;
    if (len7 === 126) {
      length = (head[2] << 8) | head[3];
      at = 4;
    } else if (len7 === 127) {
      const high = ((head[2] << 24) | (head[3] << 16) | (head[4] << 8) |
        head[5]) >>> 0;
      const low = ((head[6] << 24) | (head[7] << 16) | (head[8] << 8) |
        head[9]) >>> 0;
      if (high >= 0x80000000) {
        return void this.#fail(protocolError, "64-bit length with MSB set");
      }
      length = high * 0x100000000 + low;
      at = 10;
    }
    this.#mask = this.#expectMask ? head.slice(at, at + 4) : undefined;
    if (length > this.#limits.maxPayload) {
      return void this.#fail(messageTooBig, "Frame over maxPayload");
    }
    const op = this.#opcode;
    if (op < OP_CLOSE) {
      if (this.#messageBytes + length > this.#limits.maxMessage) {
        return void this.#fail(messageTooBig, "Message over maxMessage");
      }
      if (op !== OP_CONTINUATION) this.#message = op;
      this.#fragments++;
      this.#messageBytes += length;
    } else {
      this.#control = new Uint8Array(length);
    }
    this.#headLen = 0;
    this.#headNeed = 2;
    this.#remaining = length;
    this.#offset = 0;
    this.#state = PAYLOAD;
    if (length === 0) this.#endFrame(new Uint8Array(0));
  }

  #payload(piece: Uint8Array): void {
    const control = this.#control;
    let bytes: Uint8Array;
    if (control === undefined) {
      bytes = piece.slice();
    } else {
      control.set(piece, this.#offset);
      bytes = control.subarray(this.#offset, this.#offset + piece.length);
    }
    const mask = this.#mask;
    if (mask !== undefined) unmask(bytes, mask, this.#offset);
    this.#offset += piece.length;
    this.#remaining -= piece.length;
    if (control === undefined) {
      this.#data(bytes, this.#fin && this.#remaining === 0);
    }
    if (this.#remaining === 0 && this.#state === PAYLOAD) {
      this.#endFrame(control ?? bytes);
    }
  }

  /** A piece of a data message; `last` when it ends the message. */
  #data(bytes: Uint8Array, last: boolean): void {
    if (this.#message === OP_BINARY || this.#compressed) {
      if (bytes.length > 0) this.#parts.push(bytes);
      return;
    }
    try {
      this.#text += this.#utf8.decode(bytes, { stream: !last });
    } catch {
      this.#fail(invalidFramePayloadData, "Text is not UTF-8");
    }
  }

  #endFrame(payload: Uint8Array): void {
    this.#state = HEAD;
    const op = this.#opcode;
    this.#control = undefined;
    if (op === OP_PING) return this.#sink.ping(payload);
    if (op === OP_PONG) return this.#sink.pong(payload);
    if (op === OP_CLOSE) return this.#closeFrame(payload);
    if (!this.#fin) return;
    // A message ending in an empty frame: its text was not yet flushed.
    if (payload.length === 0) this.#data(payload, true);
    if (this.#state === DONE) return;
    const text = this.#message === OP_TEXT;
    const compressed = this.#compressed;
    const data = text && !compressed ? this.#text : concat(this.#parts);
    this.#message = 0;
    this.#compressed = false;
    this.#messageBytes = 0;
    this.#fragments = 0;
    this.#parts = [];
    this.#text = "";
    if (compressed) this.#sink.compressed?.(data as Uint8Array, text);
    else this.#sink.message(data);
  }

  #closeFrame(payload: Uint8Array): void {
    if (payload.length === 0) {
      this.#state = DONE;
      return this.#sink.close(noStatusReceived, "");
    }
    if (payload.length === 1) {
      return void this.#fail(protocolError, "Close payload of one byte");
    }
    const code = (payload[0] << 8) | payload[1];
    if (!isWireCloseCode(code)) {
      return void this.#fail(protocolError, `Invalid close code ${code}`);
    }
    let reason: string;
    try {
      reason = new TextDecoder("utf-8", { fatal: true }).decode(
        payload.subarray(2),
      );
    } catch {
      return void this.#fail(invalidFramePayloadData, "Reason is not UTF-8");
    }
    this.#state = DONE;
    this.#sink.close(code, reason);
  }

  #fail(code: number, reason: string): false {
    this.#state = DONE;
    this.#parts = [];
    this.#text = "";
    this.#control = undefined;
    this.#messageBytes = 0;
    this.#sink.fail(code, reason);
    return false;
  }
}

/** XORs `bytes` in place with `mask`, starting at payload position `offset`. */
export function unmask(bytes: Uint8Array, mask: Uint8Array, offset = 0): void {
  const n = bytes.length;
  let j = 0;
  // Align to the mask, then four bytes at a time through a 32-bit view.
  while (j < n && ((offset + j) & 3) !== 0) {
    bytes[j] ^= mask[(offset + j) & 3];
    j++;
  }
  const aligned = bytes.byteOffset + j;
  if (n - j >= 16 && (aligned & 3) === 0 && (mask.byteOffset & 3) === 0) {
    const words = new Uint32Array(bytes.buffer, aligned, (n - j) >>> 2);
    const key = new Uint32Array(mask.buffer, mask.byteOffset, 1)[0];
    for (let w = 0; w < words.length; w++) words[w] ^= key;
    j += words.length * 4;
  }
  for (; j < n; j++) bytes[j] ^= mask[(offset + j) & 3];
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
