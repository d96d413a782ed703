/**
 * What a failed connection attempt says, as a coded {@linkcode ConnectionError}:
 * an invalid URL is caught before the WebSocket is made, and the runtime's
 * error event is read for the reason it gives. Deno says
 * `Invalid status code: 401`, `tcp connect error` or `dns error`; Bun says
 * `Expected 101 status code: 401` or `Failed to connect`; Node's `ws` says
 * `Unexpected server response: 401`. Browsers say nothing (the status of a
 * refused handshake is hidden from scripts), so their attempts fail with
 * `connect_failed`. Internal to the socket layer.
 *
 * @module
 */

import { ConnectionError } from "./connection_error.ts";

const SCHEMES = new Set(["ws:", "wss:", "http:", "https:"]);

// What to do about the statuses a new user meets first.
const HINTS: Record<number, string> = {
  400:
    "the request was malformed (a lifeline relay says so for a token that is not a valid subprotocol)",
  401:
    "the server wants a valid token: check the `token` option (or the credentials in the URL)",
  403:
    "the server refused this client: check the token's rights and the page's Origin",
  404:
    "check the URL's path: nothing serves WebSockets there (the lifeline relay's is /ws)",
  426:
    "the URL reached a server that wants a WebSocket upgrade at another path, or a proxy dropped the Upgrade header",
  429: "too many connections for this user: close some first",
  503: "the server is shutting down or overloaded: the client retries",
};

const STATUS =
  /(?:invalid status code|expected 101 status code|unexpected server response)\D{0,4}(\d{3})/i;
const DNS =
  /dns error|failed to lookup|getaddrinfo|enotfound|name or service not known|no such host/i;
const REFUSED =
  /tcp connect error|connection refused|econnrefused|failed to connect/i;

/**
 * The error of a URL a WebSocket cannot connect to, or `undefined` when
 * `href` is a `ws:`, `wss:`, `http:` or `https:` URL.
 */
export function invalidUrl(href: string): ConnectionError | undefined {
  let protocol: string;
  try {
    protocol = new URL(href).protocol;
  } catch (cause) {
    return new ConnectionError(
      "invalid_url",
      `Not a URL: '${href}' (want ws://host:port/path or wss://…)`,
      { cause },
    );
  }
  if (SCHEMES.has(protocol)) return undefined;
  return new ConnectionError(
    "invalid_url",
    `Not a WebSocket URL: '${href}' (want ws: or wss:)`,
  );
}

/**
 * The error of an attempt whose socket reported `message` (the error
 * event's text, possibly empty) before it opened.
 */
export function attemptFailed(
  message: string,
  cause: unknown,
): ConnectionError {
  const text = message === "" ? "The WebSocket reported an error" : message;
  const status = STATUS.exec(message);
  if (status) {
    const code = Number(status[1]);
    const hint = HINTS[code] === undefined ? "" : `; ${HINTS[code]}`;
    return new ConnectionError(
      "handshake_failed",
      `The server refused the WebSocket with HTTP ${code}${hint} (${text})`,
      { cause, status: code },
    );
  }
  if (DNS.test(message)) {
    return new ConnectionError("dns_failed", text, { cause });
  }
  if (REFUSED.test(message)) {
    return new ConnectionError("connection_refused", text, { cause });
  }
  return new ConnectionError("connect_failed", text, { cause });
}
