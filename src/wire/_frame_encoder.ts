/**
 * Builds RFC 6455 frames: the header (7-, 16- or 64-bit length) and the
 * payload in one buffer, masked with a fresh random key when the client
 * sends. Mask keys come from a pool refilled by `crypto.getRandomValues`, so
 * a frame costs no call into the random source. Internal.
 *
 * @module
 */

import { unmask } from "./_frame_decoder.ts";

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolAt = 0;

function maskKey(): Uint8Array {
  if (poolAt + 4 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolAt = 0;
  }
  const key = pool.subarray(poolAt, poolAt + 4);
  poolAt += 4;
  return key;
}

/**
 * One frame: `opcode` with `payload`, final unless `fin` is false, masked
 * when `mask` is true (a client's frames), RSV1 set for a compressed one.
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  mask: boolean,
  fin = true,
  rsv1 = false,
): Uint8Array {
  const length = payload.length;
  const ext = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const head = 2 + ext + (mask ? 4 : 0);
  // Start the payload on a 4-byte boundary, so masking runs a word at a time.
  const pad = mask ? (4 - (head & 3)) & 3 : 0;
  const frame = new Uint8Array(new ArrayBuffer(pad + head + length), pad);
  frame[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (ext === 0) {
    frame[1] = length;
  } else if (ext === 2) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 127;
    const high = Math.floor(length / 0x100000000);
    const view = new DataView(frame.buffer, frame.byteOffset);
    view.setUint32(2, high);
    view.setUint32(6, length >>> 0);
  }
  frame.set(payload, head);
  if (mask) {
    frame[1] |= 0x80;
    const key = maskKey();
    frame.set(key, head - 4);
    unmask(frame.subarray(head), key);
  }
  return frame;
}
