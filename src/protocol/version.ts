/**
 * Which protocol a peer speaks: the version in `hello` and `welcome`, and the
 * WebSocket subprotocol (with the token a browser sends through it).
 *
 * @module
 */

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
