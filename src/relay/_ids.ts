/**
 * The relay's default session ids: 96 random bits as 16 base64url
 * characters. A session id is public (it is the member id and every
 * message's `sender`), so it needs to be unique, not secret: 20 characters
 * fewer than a UUID in each `msg` frame and member entry, and in each
 * connection's memory. Resume tokens, which are secrets, stay UUIDs.
 * Internal.
 *
 * @module
 */

const BASE64URL =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Random bytes per id: a multiple of 3, so no padding. */
const ID_BYTES = 12;

/** A new session id: 16 base64url characters from 96 random bits. */
export function randomSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(ID_BYTES));
  let id = "";
  for (let i = 0; i < ID_BYTES; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    id += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63] +
      BASE64URL[(n >> 6) & 63] + BASE64URL[n & 63];
  }
  return id;
}
