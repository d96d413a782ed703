/**
 * The opening handshake of RFC 6455, section 4, as text: the client's
 * request and the check of the server's answer (through `signKey`), the
 * server's check of a request and its answer, and reading an HTTP head off a
 * byte stream. Bad handshakes get the status the RFC asks for: 426 with
 * `Sec-WebSocket-Version: 13` for another version, 400 for anything else
 * wrong, 431 for a head too large to read. Internal.
 *
 * @module
 */

import { signKey } from "../core/sign_key.ts";
import { WireError } from "./wire_error.ts";
import { checkAnswer, DEFLATE_OFFER } from "./_permessage_deflate.ts";

/** An HTTP request or response head, parsed. */
export interface Head {
  /** The request's method, or `HTTP/1.1` for a response. */
  start: [string, string, string];
  headers: Headers;
}

/** The handshake headers a caller may not set: the handshake owns them. */
const RESERVED = new Set([
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-accept",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

/** Whether `name` is a handshake header a caller may not set. */
export function isReservedHeader(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

/** Subprotocols as a list: a token each, no duplicates. */
export function protocolList(protocols?: string | string[]): string[] {
  const list = protocols === undefined
    ? []
    : typeof protocols === "string"
    ? [protocols]
    : [...protocols];
  for (const protocol of list) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(protocol)) {
      throw new SyntaxError(`Invalid subprotocol ${JSON.stringify(protocol)}`);
    }
  }
  if (new Set(list).size !== list.length) {
    throw new SyntaxError(`Duplicate subprotocol in ${list.join(", ")}`);
  }
  return list;
}

/** The client's request head for `url`, and the key it sent. */
export function clientRequest(
  url: URL,
  protocols: string[],
  headers?: HeadersInit,
  deflate = false,
): { request: string; key: string } {
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  const extra = new Headers(headers);
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
  ];
  if (protocols.length > 0) {
    lines.push(`Sec-WebSocket-Protocol: ${protocols.join(", ")}`);
  }
  if (deflate) lines.push(`Sec-WebSocket-Extensions: ${DEFLATE_OFFER}`);
  for (const [name, value] of extra) {
    if (isReservedHeader(name)) {
      throw new TypeError(
        `Cannot connect as the header '${name}' belongs to the handshake`,
      );
    }
    if (name === "host") lines[1] = `Host: ${value}`;
    else lines.push(`${name}: ${value}`);
  }
  return { request: lines.join("\r\n") + "\r\n\r\n", key };
}

/** A header's comma-separated tokens, lower-cased. */
function tokens(headers: Headers, name: string): string[] {
  return (headers.get(name) ?? "").split(",").map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Checks the server's answer to a request sent with `key` and `offered`
 * subprotocols; answers the subprotocol and extensions it chose.
 */
export async function checkResponse(
  head: Head,
  key: string,
  offered: string[],
  deflate = false,
): Promise<{ protocol: string; extensions: string }> {
  const [version, status] = head.start;
  const bad = (why: string) =>
    new WireError("bad_handshake", `The server refused the upgrade: ${why}`);
  if (!version.startsWith("HTTP/1.") || status !== "101") {
    throw bad(`status ${status}`);
  }
  const { headers } = head;
  if (!tokens(headers, "upgrade").includes("websocket")) {
    throw bad("no 'Upgrade: websocket'");
  }
  if (!tokens(headers, "connection").includes("upgrade")) {
    throw bad("no 'Connection: Upgrade'");
  }
  if (headers.get("sec-websocket-accept") !== await signKey(key)) {
    throw bad("wrong Sec-WebSocket-Accept");
  }
  const protocol = headers.get("sec-websocket-protocol") ?? "";
  if (protocol !== "" && !offered.includes(protocol)) {
    throw bad(`subprotocol ${JSON.stringify(protocol)} was not offered`);
  }
  const extensions = headers.get("sec-websocket-extensions") ?? "";
  const agreed = deflate ? checkAnswer(extensions) : extensions === "";
  if (typeof agreed === "string") throw bad(agreed);
  if (!deflate && !agreed) {
    throw bad(`extension ${JSON.stringify(extensions)} was not offered`);
  }
  return { protocol, extensions };
}

/** A refusal: the status and why, for the response and the error. */
export interface Refusal {
  status: number;
  message: string;
}

/**
 * Checks a client's upgrade request; answers the key and offered
 * subprotocols, or the refusal the RFC asks for. A `Request` carries its
 * host in its URL: `needHost` false skips the `Host` header.
 */
export function checkRequest(
  method: string,
  headers: Headers,
  needHost = true,
): { key: string; offered: string[] } | Refusal {
  const refuse = (message: string, status = 400): Refusal => ({
    status,
    message,
  });
  if (method !== "GET") return refuse(`Method ${method} is not GET`);
  if (needHost && !headers.has("host")) return refuse("No Host header");
  if (!tokens(headers, "upgrade").includes("websocket")) {
    return refuse("No 'Upgrade: websocket'");
  }
  if (!tokens(headers, "connection").includes("upgrade")) {
    return refuse("No 'Connection: Upgrade'");
  }
  if (headers.get("sec-websocket-version") !== "13") {
    return refuse("Sec-WebSocket-Version must be 13", 426);
  }
  const key = headers.get("sec-websocket-key") ?? "";
  let raw = "";
  try {
    raw = atob(key);
  } catch {
    // Not base64: refused below.
  }
  if (raw.length !== 16) return refuse("Sec-WebSocket-Key is not 16 bytes");
  const offered = (headers.get("sec-websocket-protocol") ?? "").split(",")
    .map((t) => t.trim()).filter(Boolean);
  return { key, offered };
}

/** The server's 101 answer for `key`, with `protocol` if one was chosen. */
export async function acceptResponse(
  key: string,
  protocol: string,
  headers?: HeadersInit,
  extensions = "",
): Promise<string> {
  const lines = [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${await signKey(key)}`,
  ];
  if (protocol !== "") lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  if (extensions !== "") lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  for (const [name, value] of new Headers(headers)) {
    if (!isReservedHeader(name)) lines.push(`${name}: ${value}`);
  }
  return lines.join("\r\n") + "\r\n\r\n";
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
};

/** A refusal as a whole HTTP response, the connection closing after it. */
export function refusalResponse({ status, message }: Refusal): string {
  const body = new TextEncoder().encode(message);
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${body.length}`,
    "Connection: close",
  ];
  if (status === 426) lines.push("Sec-WebSocket-Version: 13");
  return lines.join("\r\n") + "\r\n\r\n" + message;
}

/** The most bytes an HTTP head may take before it is refused. */
export const MAX_HEAD_BYTES = 16 * 1024;

/**
 * Reads one HTTP head from `reader`: the head, and the bytes read past it
 * (the first frames). `null` when the stream ended first or the head is not
 * HTTP; a `Refusal` with 431 when it is too long.
 */
export async function readHead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ head: Head; rest: Uint8Array } | null | Refusal> {
  let buffer = new Uint8Array(0);
  while (true) {
    const end = headEnd(buffer);
    if (end > MAX_HEAD_BYTES) {
      return { status: 431, message: "The request head is too large" };
    }
    if (end >= 0) {
      const head = parseHead(buffer.subarray(0, end));
      return head === null ? null : { head, rest: buffer.slice(end + 4) };
    }
    if (buffer.length > MAX_HEAD_BYTES) {
      return { status: 431, message: "The request head is too large" };
    }
    const { value, done } = await reader.read();
    if (done) return null;
    const next = new Uint8Array(buffer.length + value.length);
    next.set(buffer);
    next.set(value, buffer.length);
    buffer = next;
  }
}

function headEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
      bytes[i + 3] === 10
    ) return i;
  }
  return -1;
}

const latin1 = new TextDecoder("latin1");

/** A head's start line and headers; `null` when it is not HTTP/1.x. */
export function parseHead(bytes: Uint8Array): Head | null {
  const [first, ...lines] = latin1.decode(bytes).split("\r\n");
  const start = first.split(" ");
  if (start.length < 3) return null;
  const headers = new Headers();
  try {
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon <= 0) return null;
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
  } catch {
    return null;
  }
  return {
    start: [start[0], start[1], start.slice(2).join(" ")],
    headers,
  };
}
