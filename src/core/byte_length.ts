/**
 * The size in bytes that a WebSocket message occupies on the wire: what
 * `WebSocket.bufferedAmount` counts and what a send buffer's byte limit
 * measures.
 *
 * @module
 */

/**
 * Returns the number of bytes `data` takes when sent over a WebSocket: the
 * UTF-8 length of a string (lone surrogates count as the 3 bytes of the
 * U+FFFD they are sent as), the `byteLength` of an `ArrayBuffer`,
 * `SharedArrayBuffer`, typed array or `DataView`, the `size` of a `Blob`, and
 * 0 for anything else. Strings are measured without allocating.
 *
 * @param data The message to measure.
 * @returns Its size in bytes.
 *
 * @example Measuring text and binary messages
 * ```ts
 * import { byteLength } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(byteLength("hello"), 5);
 * assert.equal(byteLength("héllo"), 6);
 * assert.equal(byteLength("😀"), 4);
 * assert.equal(byteLength(new Uint32Array(4)), 16);
 * assert.equal(byteLength(new Blob(["abc"])), 3);
 * assert.equal(byteLength({ not: "a message" }), 0);
 * ```
 */
export function byteLength(data: unknown): number {
  if (typeof data === "string") return utf8Length(data);
  if (typeof data !== "object" || data === null) return 0;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) {
    return data.byteLength;
  }
  if (
    typeof SharedArrayBuffer === "function" && data instanceof SharedArrayBuffer
  ) {
    return data.byteLength;
  }
  if (typeof Blob === "function" && data instanceof Blob) return data.size;
  return 0;
}

function utf8Length(text: string): number {
  const length = text.length;
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (
      unit >= 0xd800 && unit <= 0xdbff && i + 1 < length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      // A surrogate pair: two code units, four bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
