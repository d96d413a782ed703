/**
 * Where the relay finds a connection's access token in the upgrade request.
 *
 * @module
 */

import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from "../protocol/mod.ts";

/**
 * What {@linkcode readToken} found in an upgrade request.
 *
 * @example A token entry without the lifeline subprotocol is an error
 * ```ts
 * import { readToken, type RequestToken } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://relay.test/ws", {
 *   headers: { "sec-websocket-protocol": "token.abc" },
 * });
 * const result: RequestToken = readToken(request);
 * assert.equal(result.token, undefined);
 * assert.equal(typeof result.error, "string"); // answer 400
 * ```
 */
export interface RequestToken {
  /** The access token, if the request carried one. */
  token?: string;
  /** The subprotocol to answer with: `lifeline` when the client offered it. */
  protocol?: string;
  /** Why the request is malformed, if it is (a token entry without `lifeline`). */
  error?: string;
}

/**
 * Reads the token of an upgrade request. `Sec-WebSocket-Protocol` wins (it
 * stays out of URL logs): the client lists `lifeline` and `token.<value>`,
 * and the relay answers `lifeline`. Otherwise the `?token=` query parameter.
 * A token entry without `lifeline` is an error, since the relay could only
 * answer with the token itself.
 *
 * @example Reading a token from either place
 * ```ts
 * import { readToken } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const query = new Request("http://relay.test/ws?token=abc");
 * assert.deepEqual(readToken(query), { token: "abc" });
 *
 * const header = new Request("http://relay.test/ws", {
 *   headers: { "sec-websocket-protocol": "lifeline, token.xyz" },
 * });
 * assert.deepEqual(readToken(header), { token: "xyz", protocol: "lifeline" });
 * ```
 */
export function readToken(request: Request): RequestToken {
  const result: RequestToken = {};
  const header = request.headers.get("sec-websocket-protocol");
  let fromHeader: string | undefined;
  if (header !== null) {
    for (const entry of header.split(",")) {
      const value = entry.trim();
      if (value === SUBPROTOCOL) result.protocol = SUBPROTOCOL;
      else if (value.startsWith(TOKEN_PROTOCOL_PREFIX)) {
        fromHeader = value.slice(TOKEN_PROTOCOL_PREFIX.length);
      }
    }
  }
  if (fromHeader !== undefined) {
    if (result.protocol === undefined) {
      return {
        error:
          `Sec-WebSocket-Protocol carries a token but does not offer '${SUBPROTOCOL}'`,
      };
    }
    result.token = fromHeader;
    return result;
  }
  let query: string | null = null;
  try {
    query = new URL(request.url).searchParams.get("token");
  } catch {
    // A Request always has an absolute URL; nothing to read otherwise.
  }
  if (query !== null) result.token = query;
  return result;
}
