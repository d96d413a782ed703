/**
 * `Outbound`: what a connection sends, as frames on the byte stream's
 * writer, in order: messages (a Blob read first, compressed once
 * permessage-deflate is on), control frames, the close frame last; and
 * `bufferedAmount`, the payload bytes the byte stream has not taken yet.
 * Internal.
 *
 * @module
 */

import { closePayload } from "./_close.ts";
import { OP_BINARY, OP_CLOSE, OP_TEXT } from "./_frame_decoder.ts";
import { encodeFrame } from "./_frame_encoder.ts";
import { deflate } from "./_permessage_deflate.ts";
import { Serial } from "./_serial.ts";

/** A message as `send` and `writable` take it. */
export type OutboundData =
  | string
  | BufferSource
  | ArrayBufferLike
  | ArrayBufferView
  | Blob;

/** Messages smaller than this go uncompressed: deflate would not pay. */
const MIN_DEFLATE_BYTES = 64;
const encoder = new TextEncoder();

export class Outbound {
  readonly #mask: boolean;
  readonly #broken: () => void;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #deflate = false;
  #buffered = 0;
  #closeSent = false;
  /** Sends waiting for an async step (a Blob read, compression), in order. */
  readonly #queue = new Serial();

  /**
   * @param mask Whether frames are masked (the client's).
   * @param broken Called when a write fails: the connection is lost.
   */
  constructor(mask: boolean, broken: () => void) {
    this.#mask = mask;
    this.#broken = broken;
  }

  /** Starts sending on `writer`; `deflate` once permessage-deflate is agreed. */
  start(writer: WritableStreamDefaultWriter<Uint8Array>, deflate: boolean) {
    this.#writer = writer;
    this.#deflate = deflate;
  }

  /** Payload bytes passed to `message` that the byte stream has not taken. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Whether the close frame went out: nothing is sent after it. */
  get closeSent(): boolean {
    return this.#closeSent;
  }

  /** Settles once the messages waiting for an async step went out. */
  get queued(): Promise<void> | undefined {
    return this.#queue.tail;
  }

  /**
   * Sends a message; the promise settles once the byte stream took it. A
   * Blob, or any message once compression is on, waits its turn.
   */
  message(data: OutboundData): Promise<void> {
    const opcode = typeof data === "string" ? OP_TEXT : OP_BINARY;
    if (
      !(data instanceof Blob) && !this.#deflate &&
      this.#queue.tail === undefined
    ) {
      return this.#send(opcode, bytesOf(data));
    }
    const size = data instanceof Blob ? data.size : byteSize(data);
    this.#buffered += size;
    return this.#queue.later(async () => {
      let payload = data instanceof Blob
        ? new Uint8Array(await data.arrayBuffer())
        : bytesOf(data);
      const compress = this.#deflate && payload.length >= MIN_DEFLATE_BYTES;
      if (compress) payload = await deflate(payload);
      this.#buffered -= size;
      return this.#send(opcode, payload, compress);
    });
  }

  /** Sends a control frame; a failure ends the connection (see `broken`). */
  control(opcode: number, payload: Uint8Array): void {
    this.#send(opcode, payload).catch(() => {});
  }

  /** Sends the close frame; nothing goes out after it. */
  close(code: number, reason: string): void {
    this.control(OP_CLOSE, closePayload(code, reason));
    this.#closeSent = true;
  }

  #send(
    opcode: number,
    payload: Uint8Array,
    compressed = false,
  ): Promise<void> {
    const writer = this.#writer;
    if (writer === undefined || this.#closeSent) return Promise.resolve();
    const size = payload.length;
    this.#buffered += size;
    const frame = encodeFrame(opcode, payload, this.#mask, true, compressed);
    return writer.write(frame).then(
      () => {
        this.#buffered -= size;
      },
      (error) => {
        this.#buffered -= size;
        this.#broken();
        throw error;
      },
    );
  }
}

function bytesOf(
  data: string | BufferSource | ArrayBufferLike | ArrayBufferView,
): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(data);
}

function byteSize(
  data: string | BufferSource | ArrayBufferLike | ArrayBufferView,
): number {
  return typeof data === "string" ? data.length : data.byteLength;
}
