/**
 * WebSocket close codes 1000–1015 from RFC 6455 and the IANA "WebSocket Close
 * Code Number" registry, named as in Dart's web_socket_channel, and the check
 * for which codes an application may send itself.
 *
 * @example Closing normally
 * ```ts
 * import { isApplicationCloseCode, normalClosure } from "@lifeline/realtime/status";
 * import assert from "node:assert/strict";
 *
 * assert.equal(normalClosure, 1000);
 * assert.equal(isApplicationCloseCode(normalClosure), true);
 * ```
 *
 * @module
 */

/** 1000: the purpose of the connection has been fulfilled. */
export const normalClosure = 1000;
/** 1001: an endpoint is going away: a server shutting down or a page navigating away. */
export const goingAway = 1001;
/** 1002: an endpoint is terminating the connection because of a protocol error. */
export const protocolError = 1002;
/** 1003: an endpoint received a type of data it cannot accept, such as binary when it only takes text. */
export const unsupportedData = 1003;
/** 1004: reserved; its meaning may be defined in the future. */
export const reserved1004 = 1004;
/** 1005: no status code was present in the close frame; never sent on the wire. */
export const noStatusReceived = 1005;
/** 1006: the connection closed without a close frame; never sent on the wire. */
export const abnormalClosure = 1006;
/** 1007: a message's data was inconsistent with its type, such as text that is not UTF-8. */
export const invalidFramePayloadData = 1007;
/** 1008: a message violated the endpoint's policy; a generic code when no other fits. */
export const policyViolation = 1008;
/** 1009: a message was too big to process. */
export const messageTooBig = 1009;
/** 1010: the client expected the server to negotiate an extension it did not. */
export const missingMandatoryExtension = 1010;
/** 1011: the server met an unexpected condition that prevented it from fulfilling the request. */
export const internalServerError = 1011;
/** 1012: the server is restarting; the client may reconnect. */
export const serviceRestart = 1012;
/** 1013: the server is overloaded; the client should reconnect later. */
export const tryAgainLater = 1013;
/** 1014: the server, acting as a gateway or proxy, got an invalid response from upstream. */
export const badGateway = 1014;
/** 1015: the TLS handshake failed; never sent on the wire. */
export const tlsHandshakeFailed = 1015;

const NAMES: Readonly<Record<number, string>> = {
  1000: "normalClosure",
  1001: "goingAway",
  1002: "protocolError",
  1003: "unsupportedData",
  1004: "reserved1004",
  1005: "noStatusReceived",
  1006: "abnormalClosure",
  1007: "invalidFramePayloadData",
  1008: "policyViolation",
  1009: "messageTooBig",
  1010: "missingMandatoryExtension",
  1011: "internalServerError",
  1012: "serviceRestart",
  1013: "tryAgainLater",
  1014: "badGateway",
  1015: "tlsHandshakeFailed",
};

/**
 * Whether an application may pass `code` to `WebSocket.close()`: 1000 or an
 * integer from 3000 to 4999 (3000–3999 registered with IANA, 4000–4999
 * private). Browsers and Deno throw `InvalidAccessError` for anything else.
 *
 * @param code The close code to check.
 * @returns `true` if `WebSocket.close(code)` accepts it.
 *
 * @example Checking codes before closing
 * ```ts
 * import { goingAway, isApplicationCloseCode } from "@lifeline/realtime/status";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isApplicationCloseCode(1000), true);
 * assert.equal(isApplicationCloseCode(4001), true);
 * assert.equal(isApplicationCloseCode(goingAway), false);
 * assert.equal(isApplicationCloseCode(5000), false);
 * ```
 */
export function isApplicationCloseCode(code: number): boolean {
  return code === 1000 ||
    (Number.isInteger(code) && code >= 3000 && code <= 4999);
}

/**
 * The name of a close code from 1000 to 1015, as exported by this module, or
 * `undefined` for any other code.
 *
 * @param code The close code.
 * @returns Its name, such as `"goingAway"`.
 *
 * @example Naming a close code in a log line
 * ```ts
 * import { closeCodeName } from "@lifeline/realtime/status";
 * import assert from "node:assert/strict";
 *
 * assert.equal(closeCodeName(1001), "goingAway");
 * assert.equal(closeCodeName(4000), undefined);
 * ```
 */
export function closeCodeName(code: number): string | undefined {
  return Object.hasOwn(NAMES, code) ? NAMES[code] : undefined;
}
