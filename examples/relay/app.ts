/**
 * A tiny Hono app that serves a {@linkcode Relay}: the WebSocket endpoint
 * plus a few HTTP routes for health, stats and channel members. It is the
 * same on every runtime; the runtime's `upgradeWebSocket` is passed in.
 *
 * | route | answer |
 * |---|---|
 * | `GET /ws` | the relay's WebSocket (origin and token checked first) |
 * | `GET /channels/:name/members` | `{ channel, members }` (`name` may contain `/`) |
 * | `GET /health` | `{ ok: true }` |
 * | `GET /stats` | the relay's stats plus `cpu` (µs) and `memory` (bytes) of the process |
 * | `POST /users/:id/events` | sends `{ event, data }` to the user's connections: `{ delivered }`; only with an admin token |
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { UpgradeWebSocket, WSContext, WSMessageReceive } from "hono/ws";
import process from "node:process";
import type {
  Relay,
  RelayConnection,
  RelaySocket,
} from "../../src/relay/mod.ts";
import {
  isEventName,
  MAX_EVENT_LENGTH,
  RESERVED_EVENT_PREFIX,
} from "../../src/protocol/mod.ts";
import type { OpenSockets } from "./open_sockets.ts";

/** The options the app passes to `upgradeWebSocket` (Deno's are a superset). */
export interface UpgradeOptions {
  /** The subprotocol to answer with, or none. */
  protocol?: string;
}

/** What {@linkcode createApp} needs. */
export interface AppOptions {
  /** The relay that serves the connections. */
  relay: Relay;
  /**
   * The runtime's Hono `upgradeWebSocket` (`hono/deno`, or the Bun one of
   * `./bun.ts`). The app calls it as `upgradeWebSocket(c, events, options)`
   * and relies on it honouring `options.protocol`.
   */
  // deno-lint-ignore no-explicit-any -- each runtime types its raw socket differently
  upgradeWebSocket: UpgradeWebSocket<any, UpgradeOptions>;
  /** Counts the open sockets, for a shutdown that waits for them to close. */
  openSockets?: OpenSockets;
  /**
   * The bearer token that `POST /users/:id/events` requires. Without one the
   * route does not exist (404): it lets its caller message any user.
   */
  adminToken?: string;
}

/** The body of `POST /users/:id/events`. */
export interface UserEventBody {
  /** The event name, as {@linkcode isEventName} accepts it. */
  event: string;
  /** The payload: any JSON value; absent sends none. */
  data?: unknown;
}

/** The answer of `POST /users/:id/events`. */
export interface UserEventResult {
  /** How many of the user's connections the event was sent to. */
  delivered: number;
}

/** The `/stats` answer: the relay's counters and the process's resources. */
export type StatsBody = ReturnType<Relay["stats"]> & {
  /** CPU time of the whole process since it started, in microseconds. */
  cpu: { user: number; system: number };
  /** Memory of the process, in bytes. */
  memory: { rss: number; heapUsed: number };
};

/**
 * A Hono `WSContext` seen as a {@linkcode RelaySocket}. `context.raw` is the
 * runtime's own socket (a `WebSocket` on Deno, a `ServerWebSocket` on Bun),
 * which a runtime's fan-out can reach through {@linkcode WSContextSocket.raw}.
 */
export class WSContextSocket implements RelaySocket {
  readonly #context: WSContext<unknown>;

  /** Wraps the context Hono hands to `onOpen`. */
  constructor(context: WSContext<unknown>) {
    this.#context = context;
  }

  /** The runtime's socket. */
  get raw(): unknown {
    return this.#context.raw;
  }

  /** Sends one text frame. */
  send(data: string): void {
    this.#context.send(data);
  }

  /** Closes the socket. */
  close(code?: number, reason?: string): void {
    this.#context.close(code, reason);
  }

  /** Bytes queued but not yet sent: Deno's `bufferedAmount`, Bun's `getBufferedAmount()`. */
  get bufferedAmount(): number | undefined {
    const raw = this.#context.raw as {
      bufferedAmount?: number;
      getBufferedAmount?: () => number;
    } | undefined;
    if (typeof raw?.getBufferedAmount === "function") {
      return raw.getBufferedAmount();
    }
    return raw?.bufferedAmount;
  }
}

/** Makes the relay's Hono app. */
export function createApp(options: AppOptions): Hono {
  const { relay, upgradeWebSocket, openSockets, adminToken } = options;
  const app = new Hono();

  app.get("/ws", async (c) => {
    const accepted = await relay.accept(c.req.raw);
    if (!accepted.ok) {
      return c.json(
        { error: { code: accepted.code, message: accepted.message } },
        accepted.status as ContentfulStatusCode,
      );
    }
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.json({
        error: { code: "bad_request", message: "Expected a WebSocket upgrade" },
      }, 426);
    }
    const { identity } = accepted;
    const request = c.req.raw;
    let connection: RelayConnection | undefined;
    const closed = (code: number, reason: string) => {
      if (connection === undefined) return;
      connection.closed(code, reason);
      connection = undefined;
      openSockets?.closed();
    };
    return upgradeWebSocket(c, {
      onOpen(_event, ws) {
        openSockets?.opened();
        connection = relay.open(new WSContextSocket(ws), identity, request);
      },
      onMessage(event) {
        connection?.message(frameData(event.data));
      },
      onClose(event) {
        closed(event.code, event.reason);
      },
      onError() {
        closed(1006, "socket error");
      },
    }, { protocol: accepted.protocol });
  });

  // Channel names may contain `/`, sent raw or as %2F.
  app.get("/channels/:name{.+}/members", (c) => {
    const channel = c.req.param("name");
    return c.json({ channel, members: relay.members(channel) });
  });

  app.get("/health", (c) => c.json({ ok: true }));

  if (adminToken !== undefined) {
    const unauthorized = (c: Context) =>
      c.json(
        errorBody("unauthorized", "A valid admin bearer token is required"),
        401,
      );
    app.post(
      "/users/:id/events",
      bearerAuth({
        token: adminToken,
        noAuthenticationHeader: { message: unauthorized },
        invalidAuthenticationHeader: { message: unauthorized },
        invalidToken: { message: unauthorized },
      }),
      bodyLimit({
        maxSize: relay.limits.frameBytes,
        onError: (c) =>
          c.json(
            errorBody(
              "too_large",
              `The body exceeds ${relay.limits.frameBytes} bytes`,
            ),
            413,
          ),
      }),
      async (c) => {
        const body = readUserEvent(await c.req.text());
        if (!body.ok) return c.json(errorBody(body.code, body.message), 400);
        const { event, data } = body.value;
        const result: UserEventResult = {
          delivered: relay.sendToUser(c.req.param("id"), event, data),
        };
        return c.json(result);
      },
    );
  }

  app.get("/stats", (c) => {
    const { user, system } = process.cpuUsage();
    const { rss, heapUsed } = process.memoryUsage();
    const body: StatsBody = {
      ...relay.stats(),
      cpu: { user, system },
      memory: { rss, heapUsed },
    };
    return c.json(body);
  });

  return app;
}

function errorBody(
  code: string,
  message: string,
): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Decodes the body of `POST /users/:id/events`; never throws. */
function readUserEvent(
  text: string,
):
  | { ok: true; value: UserEventBody }
  | { ok: false; code: "bad_request" | "bad_event"; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_request", message: "Expected JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      code: "bad_request",
      message: "Expected a JSON object { event, data }",
    };
  }
  const { event, data } = value as Record<string, unknown>;
  if (!isEventName(event)) {
    return {
      ok: false,
      code: "bad_event",
      message:
        `'event' must be 1 to ${MAX_EVENT_LENGTH} characters, not starting with '${RESERVED_EVENT_PREFIX}'`,
    };
  }
  return { ok: true, value: data === undefined ? { event } : { event, data } };
}

/**
 * What the relay accepts of a received frame. Deno and Bun hand binary frames
 * over as ArrayBuffer; a Blob (a `binaryType` of "blob") cannot be read
 * synchronously, and binary frames are refused anyway, so it reads as empty.
 */
function frameData(data: WSMessageReceive): string | ArrayBuffer | Uint8Array {
  if (typeof data === "string" || data instanceof ArrayBuffer) return data;
  if (data instanceof Blob) return new Uint8Array(0);
  return new Uint8Array(data);
}
