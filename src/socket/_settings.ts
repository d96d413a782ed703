/**
 * Turns the URL and the options given to a `ReconnectingWebSocket` into its
 * settings: every option checked (an unknown key, a wrong type or a value out
 * of range throws at construction, naming the option) and every default
 * filled in, in one place. Internal; not exported.
 *
 * @module
 */

import {
  checkBoolean,
  checkFunction,
  checkKeys,
  checkMethods,
  checkNumber,
  optionMessage,
} from "../core/_options.ts";
import { type Backoff, ExponentialBackoff } from "../core/backoff.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { createLog, type Log } from "../core/_log.ts";
import type { MessageBuffer } from "../core/message_buffer.ts";
import { RingBuffer, type WebSocketData } from "../core/ring_buffer.ts";
import { type CloseInfo, defaultShouldReconnect } from "./close_info.ts";
import type {
  KeepaliveSettings,
  NetworkEventSource,
  ProtocolsProvider,
  ReconnectingWebSocketOptions,
  UrlProvider,
} from "./reconnecting_websocket_options.ts";
import type { BinaryType, WebSocketConstructor } from "./web_socket_like.ts";
import { FetchWebSocket } from "./fetch_websocket.ts";

const OWNER = "ReconnectingWebSocket";

const KEYS: readonly (keyof ReconnectingWebSocketOptions)[] = [
  "protocols",
  "headers",
  "timeout",
  "backoff",
  "maxRetries",
  "minUptime",
  "buffer",
  "keepalive",
  "binaryType",
  "shouldReconnect",
  "WebSocket",
  "clock",
  "random",
  "signal",
  "logger",
  "debug",
  "networkEvents",
];

// Other reconnecting sockets' names (partysocket, reconnecting-websocket,
// web_socket_client) point at the option that does the job here.
const ALIASES = {
  aliases: {
    minReconnectionDelay: "backoff",
    maxReconnectionDelay: "backoff",
    reconnectionDelayGrowFactor: "backoff",
    connectionTimeout: "timeout",
    maxEnqueuedMessages: "buffer",
    pingInterval: "keepalive",
    reconnectInterval: "backoff",
    maxReconnectInterval: "backoff",
    reconnectDecay: "backoff",
    timeoutInterval: "timeout",
    maxReconnectAttempts: "maxRetries",
  },
  notes: {
    startClosed:
      "the socket connects when it is created; create it when you want it to connect",
  },
};

const KEEPALIVE_KEYS: readonly (keyof KeepaliveSettings)[] = [
  "interval",
  "timeout",
  "ping",
  "isPong",
];

/** The checked options of a `ReconnectingWebSocket`, defaults filled in. */
export interface Settings {
  url: UrlProvider;
  protocols: ProtocolsProvider | undefined;
  headers: HeadersInit | undefined;
  timeout: number;
  backoff: Backoff;
  maxRetries: number;
  minUptime: number;
  buffer: MessageBuffer<WebSocketData> | undefined;
  keepalive: KeepaliveSettings | undefined;
  binaryType: BinaryType;
  shouldReconnect: (info: CloseInfo) => boolean;
  WebSocket: WebSocketConstructor;
  clock: Clock;
  signal: AbortSignal | undefined;
  /** Where notable events are logged; undefined when nobody listens. */
  log: Log | undefined;
  networkEvents: NetworkEventSource | undefined;
}

/**
 * The options given in either constructor form: `(url, options)`, or
 * partysocket's `(url, protocols, options)`, where `protocols` may be
 * `null` or `undefined` for none. Protocols given both ways is a
 * `TypeError`.
 */
export function constructorOptions(
  second: unknown,
  third: unknown,
): ReconnectingWebSocketOptions {
  const positional = third !== undefined || second === null ||
    typeof second === "string" || typeof second === "function" ||
    Array.isArray(second);
  if (!positional) return (second ?? {}) as ReconnectingWebSocketOptions;
  const options = checkKeys(
    OWNER,
    third ?? {},
    KEYS,
    ALIASES,
  ) as ReconnectingWebSocketOptions;
  if (second === null || second === undefined) return options;
  if (options.protocols !== undefined) {
    throw new TypeError(
      "Cannot create ReconnectingWebSocket as 'protocols' is given twice: pass it as the second argument or as an option, not both",
    );
  }
  return { ...options, protocols: second as ProtocolsProvider };
}

/** Checks `url` and `options` and fills in the defaults. */
export function resolveSettings(
  url: UrlProvider,
  options: ReconnectingWebSocketOptions,
): Settings {
  if (
    typeof url !== "string" && !(url instanceof URL) &&
    typeof url !== "function"
  ) {
    const must = "be a string, a URL or a function";
    throw new TypeError(optionMessage(OWNER, "url", must, url));
  }
  checkKeys(OWNER, options, KEYS, ALIASES);
  const {
    protocols,
    headers,
    timeout = 10_000,
    maxRetries = Infinity,
    minUptime = 5_000,
    buffer = new RingBuffer<WebSocketData>(),
    keepalive = {},
    binaryType = "arraybuffer",
    shouldReconnect = defaultShouldReconnect,
    clock = systemClock,
    random = Math.random,
    signal,
    logger,
    debug = false,
  } = options;
  const WebSocket = options.WebSocket === undefined && headers !== undefined &&
      isWorkerd()
    ? FetchWebSocket
    : checkWebSocket(OWNER, options.WebSocket);
  if (
    headers !== undefined && options.WebSocket === undefined &&
    !("Deno" in globalThis || "Bun" in globalThis || isWorkerd())
  ) {
    throw new TypeError(
      "Cannot create ReconnectingWebSocket as 'headers' cannot be sent by this runtime's WebSocket: Deno, Bun and workerd (through fetch) support them; pass credentials in the URL or a subprotocol, or give a 'WebSocket' constructor that takes (url, { protocols, headers })",
    );
  }
  checkFunction(OWNER, "random", random);
  const { backoff = new ExponentialBackoff({ random }) } = options;
  return {
    url,
    protocols: checkProtocols(protocols),
    headers: checkHeaders(headers),
    timeout: checkNumber(OWNER, "timeout", timeout, { positive: true }),
    backoff: checkMethods(OWNER, "backoff", backoff, ["next", "reset"]),
    maxRetries: checkNumber(OWNER, "maxRetries", maxRetries, {
      min: 0,
      integer: true,
      allowInfinity: true,
    }),
    minUptime: checkNumber(OWNER, "minUptime", minUptime, { min: 0 }),
    buffer: buffer === false ? undefined : checkBuffer(buffer),
    keepalive: keepalive === false ? undefined : checkKeepalive(keepalive),
    binaryType: checkBinaryType(binaryType),
    shouldReconnect: checkFunction(OWNER, "shouldReconnect", shouldReconnect),
    WebSocket,
    clock: checkMethods(OWNER, "clock", clock, [
      "now",
      "setTimeout",
      "clearTimeout",
    ]),
    signal: checkSignal(signal),
    log: createLog(
      checkFunction(OWNER, "logger", logger, true),
      checkBoolean(OWNER, "debug", debug),
      clock,
    ),
    networkEvents: checkNetworkEvents(options.networkEvents),
  };
}

/**
 * The `WebSocket` option of `owner`, or the global `WebSocket` when it is
 * absent. A runtime without one (Node.js 20 and older) gets a `TypeError`
 * that says so, names `owner` (the class the user created) and shows the fix.
 */
export function checkWebSocket(
  owner: string,
  value: unknown,
): WebSocketConstructor {
  if (value === undefined) {
    const global = (globalThis as { WebSocket?: unknown }).WebSocket;
    if (typeof global === "function") return global as WebSocketConstructor;
    throw new TypeError(
      `Cannot create ${owner} as this runtime has no global WebSocket (Node.js 20 and older have none): pass the 'ws' package's as the 'WebSocket' option: import { WebSocket } from "ws"; new ${owner}(url, { WebSocket })`,
    );
  }
  if (typeof value !== "function") {
    const must = "be a constructor";
    throw new TypeError(optionMessage(owner, "WebSocket", must, value));
  }
  return value as WebSocketConstructor;
}

/** `"arraybuffer"` or `"blob"`; the `binaryType` setter checks it too. */
export function checkBinaryType(value: unknown): BinaryType {
  if (value !== "arraybuffer" && value !== "blob") {
    throw new TypeError(
      `Cannot set 'binaryType' as it must be "arraybuffer" or "blob": current value is ${
        String(value)
      }`,
    );
  }
  return value;
}

function checkProtocols(
  value: unknown,
): ProtocolsProvider | undefined {
  if (
    value === undefined || typeof value === "string" ||
    typeof value === "function" ||
    (Array.isArray(value) && value.every((p) => typeof p === "string"))
  ) {
    return value as ProtocolsProvider | undefined;
  }
  const must = "be a string, an array of strings or a function";
  throw new TypeError(optionMessage(OWNER, "protocols", must, value));
}

function checkHeaders(value: unknown): HeadersInit | undefined {
  if (value === undefined || (typeof value === "object" && value !== null)) {
    return value as HeadersInit | undefined;
  }
  const must = "be an object, an array of pairs or Headers";
  throw new TypeError(optionMessage(OWNER, "headers", must, value));
}

function checkBuffer(value: unknown): MessageBuffer<WebSocketData> {
  const buffer = value as Record<string, unknown> | null;
  if (
    typeof buffer !== "object" || buffer === null ||
    ["push", "shift", "peek"].some((m) => typeof buffer[m] !== "function")
  ) {
    const must = "be false or a MessageBuffer such as a RingBuffer";
    throw new TypeError(optionMessage(OWNER, "buffer", must, value));
  }
  return value as MessageBuffer<WebSocketData>;
}

function checkKeepalive(value: unknown): KeepaliveSettings {
  if (typeof value !== "object" || value === null) {
    const must = "be false or an object of keepalive settings";
    throw new TypeError(optionMessage(OWNER, "keepalive", must, value));
  }
  return checkKeys(OWNER, value, KEEPALIVE_KEYS, { name: "keepalive" });
}

function checkSignal(value: unknown): AbortSignal | undefined {
  const signal = value as Record<string, unknown> | null;
  if (
    value === undefined ||
    (typeof signal === "object" && signal !== null &&
      typeof signal.aborted === "boolean" &&
      typeof signal.addEventListener === "function" &&
      typeof signal.removeEventListener === "function")
  ) {
    return value as AbortSignal | undefined;
  }
  throw new TypeError(
    optionMessage(OWNER, "signal", "be an AbortSignal", value),
  );
}

/** Whether this is workerd (Cloudflare Workers), whose `navigator.userAgent` says so. */
function isWorkerd(): boolean {
  const agent = (globalThis as { navigator?: { userAgent?: unknown } })
    .navigator?.userAgent;
  return agent === "Cloudflare-Workers";
}

/** The given source, none for `false`, else the global object if it has events. */
function checkNetworkEvents(value: unknown): NetworkEventSource | undefined {
  if (value === false) return undefined;
  if (value === undefined) {
    const global = globalThis as unknown as Partial<NetworkEventSource>;
    return typeof global.addEventListener === "function" &&
        typeof global.removeEventListener === "function"
      ? global as NetworkEventSource
      : undefined;
  }
  return checkMethods(OWNER, "networkEvents", value, [
    "addEventListener",
    "removeEventListener",
  ]) as NetworkEventSource;
}
