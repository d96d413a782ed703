/**
 * Reads a {@linkcode RealtimeManagerOptions} object once, strictly: an
 * unknown key, a value of the wrong type or out of range throws at
 * construction with a message that names the option. Internal to the
 * client layer.
 *
 * @module
 */

import {
  checkBoolean,
  checkKeys,
  checkMethods,
  checkNumber,
  optionMessage,
} from "../core/_options.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { tokenProtocols } from "../protocol/mod.ts";
import { checkWebSocket } from "../socket/_settings.ts";
import type {
  ProtocolsProvider,
  ReconnectingWebSocketOptions,
  UrlProvider,
} from "../socket/reconnecting_websocket.ts";
import type {
  RealtimeManagerOptions,
  TokenProvider,
} from "./realtime_manager_options.ts";

const OWNER = "RealtimeManager";

// Every option, the socket's included. The type says every key of the
// options is here, so a new socket option cannot be refused by mistake.
const KNOWN_KEYS = Object.keys(
  {
    echoMessages: true,
    bufferMessages: true,
    autoJoinChannels: true,
    token: true,
    profile: true,
    ackTimeout: true,
    maxQueued: true,
    recover: true,
    protocols: true,
    headers: true,
    timeout: true,
    backoff: true,
    maxRetries: true,
    minUptime: true,
    keepalive: true,
    binaryType: true,
    shouldReconnect: true,
    WebSocket: true,
    clock: true,
    random: true,
    signal: true,
    logger: true,
    debug: true,
    networkEvents: true,
  } satisfies Record<keyof RealtimeManagerOptions, true>,
);

// Other clients' names (Altogic, socket.io-client, Supabase realtime,
// partysocket) point at the option that does the job here.
const ALIASES = {
  aliases: {
    reconnectionDelay: "backoff",
    reconnectionDelayMax: "backoff",
    randomizationFactor: "backoff",
    reconnectAfterMs: "backoff",
    minReconnectionDelay: "backoff",
    maxReconnectionDelay: "backoff",
    reconnectionDelayGrowFactor: "backoff",
    retries: "maxRetries",
    reconnectionAttempts: "maxRetries",
    maxReconnectAttempts: "maxRetries",
    reconnection: "maxRetries",
    connectionTimeout: "timeout",
    auth: "token",
    accessToken: "token",
    params: "token",
    heartbeatIntervalMs: "keepalive",
    pingInterval: "keepalive",
    maxEnqueuedMessages: "maxQueued",
  },
  notes: {
    autoConnect:
      "the manager connects when it is created; create it when you want it to connect",
    startClosed:
      "the manager connects when it is created; create it when you want it to connect",
    transports: "lifeline speaks WebSocket only",
  },
};

/** The manager's options, checked, with their defaults filled in. */
export interface ManagerSettings {
  /** What the socket connects to. */
  url: UrlProvider;
  echo: boolean;
  buffer: boolean;
  autoJoin: boolean;
  recover: boolean;
  /** The starting profile, when one was given. */
  profile: { value: unknown } | undefined;
  ackTimeout: number;
  maxQueued: number;
  clock: Clock;
  /**
   * What the socket is created with: its send buffer off, and the token,
   * when there is one, among the subprotocols.
   */
  socket: ReconnectingWebSocketOptions;
}

/** Checks `options` and fills in the defaults; throws on a bad option. */
export function managerSettings(
  url: string | URL,
  options: RealtimeManagerOptions | undefined,
): ManagerSettings {
  checkKeys(OWNER, options, KNOWN_KEYS, ALIASES);
  const {
    echoMessages = true,
    bufferMessages = true,
    autoJoinChannels = true,
    token,
    profile,
    ackTimeout = 10_000,
    maxQueued = 1000,
    recover = true,
    ...socket
  } = options ?? {};
  let endpoint: URL;
  try {
    endpoint = new URL(url);
  } catch (cause) {
    const must = "be a WebSocket URL, such as ws://127.0.0.1:8787/ws";
    throw new TypeError(optionMessage(OWNER, "url", must, url), { cause });
  }
  if (
    token !== undefined && typeof token !== "string" &&
    typeof token !== "function"
  ) {
    const must = "be a string or a function";
    throw new TypeError(optionMessage(OWNER, "token", must, token));
  }
  checkWebSocket(OWNER, socket.WebSocket);
  if (token !== undefined) {
    socket.protocols = withToken(token, socket.protocols);
  }
  return {
    url: endpoint,
    echo: checkBoolean(OWNER, "echoMessages", echoMessages),
    buffer: checkBoolean(OWNER, "bufferMessages", bufferMessages),
    autoJoin: checkBoolean(OWNER, "autoJoinChannels", autoJoinChannels),
    recover: checkBoolean(OWNER, "recover", recover),
    profile: profile === undefined ? undefined : { value: profile },
    ackTimeout: checkNumber(OWNER, "ackTimeout", ackTimeout, {
      positive: true,
    }),
    maxQueued: checkNumber(OWNER, "maxQueued", maxQueued, { min: 0 }),
    clock: checkMethods(OWNER, "clock", socket.clock ?? systemClock, [
      "now",
      "setTimeout",
      "clearTimeout",
    ]),
    socket: { ...socket, buffer: false },
  };
}

// What a `Sec-WebSocket-Protocol` entry may hold (RFC 7230's tchar).
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The subprotocols of each attempt: `lifeline, token.<t>` and then the app's
 * own, so the token travels in `Sec-WebSocket-Protocol`, out of the URL and
 * of access logs. The relay answers `lifeline`, never the token.
 */
function withToken(
  token: string | TokenProvider,
  own: ProtocolsProvider | undefined,
): () => Promise<string[]> {
  return async () => {
    const value = typeof token === "function" ? await token() : token;
    const resolved = typeof own === "function" ? await own() : own;
    const others = resolved === undefined
      ? []
      : typeof resolved === "string"
      ? [resolved]
      : resolved;
    if (value === undefined || value === "") return others;
    if (!TOKEN_CHARS.test(value)) {
      throw new TypeError(
        "Cannot send the token as a subprotocol: it must consist of HTTP token characters (base64url, a JWT), not spaces, '=', '/' or ','",
      );
    }
    const offered = tokenProtocols(value);
    return [...offered, ...others.filter((p) => !offered.includes(p))];
  };
}
