/**
 * The server's half of the WebSocket opening handshake: the
 * `Sec-WebSocket-Accept` value that proves a server read the client's
 * `Sec-WebSocket-Key` (RFC 6455, section 4.2.2).
 *
 * @module
 */

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Computes the `Sec-WebSocket-Accept` header value for a
 * `Sec-WebSocket-Key`: base64 of the SHA-1 digest of the key followed by the
 * RFC 6455 GUID. Uses WebCrypto, so it is asynchronous.
 *
 * @param key The client's `Sec-WebSocket-Key` header value.
 * @returns The matching `Sec-WebSocket-Accept` value.
 * @throws {TypeError} If `key` is not a string (the promise rejects).
 *
 * @example The example from RFC 6455
 * ```ts
 * import { signKey } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   await signKey("dGhlIHNhbXBsZSBub25jZQ=="),
 *   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
 * );
 * ```
 */
export async function signKey(key: string): Promise<string> {
  if (typeof key !== "string") {
    throw new TypeError(
      `Cannot sign key as 'key' must be a string: current value is ${
        String(key)
      }`,
    );
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(key + GUID),
    ),
  );
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
