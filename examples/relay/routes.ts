/**
 * The example relay server's HTTP routes, a small Hono app that is the same
 * on every runtime. The WebSocket endpoint is not among them: each runtime's
 * entry point hands `GET /ws` ({@linkcode isRelayRequest}) to its relay
 * adapter and everything else to these routes.
 *
 * | route | answer |
 * |---|---|
 * | `GET /channels/:name/members` | `{ channel, members }` (`name` may contain `/`) |
 * | `GET /` | the chat page (`examples/chat/`), and `GET /chat/app.js` its script |
 * | `GET /health` | `{ ok: true }` |
 * | `GET /metrics` | the relay's counters in the Prometheus text format; with tokens set, wants the admin token |
 * | `GET /stats` | the relay's stats plus `cpu` (µs) and `memory` (bytes) of the process (zeros on workerd, which has neither) |
 * | `POST /users/:id/events` | sends `{ event, data }` to the user's connections: `{ delivered }`; only with an admin token |
 *
 * With client tokens configured (`LIFELINE_TOKENS`, so the relay has an
 * `authenticate` hook), `GET /stats` wants the admin token and
 * `GET /channels/:name/members` the admin token or a client token whose
 * identity may join that channel, each as `Authorization: Bearer <token>`;
 * without one: 401.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import process from "node:process";
import { prometheusMetrics, type Relay } from "../../src/relay/mod.ts";
import type { ServerConfig } from "./config.ts";
import { createChatRoutes } from "../chat/routes.ts";
import {
  isEventName,
  MAX_EVENT_LENGTH,
  RESERVED_EVENT_PREFIX,
} from "../../src/protocol/mod.ts";

/** The path of the relay's WebSocket endpoint. */
export const RELAY_PATH = "/ws";

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

/** Whether `request` is for the relay's WebSocket endpoint, `GET /ws`. */
export function isRelayRequest(request: Request): boolean {
  return request.method === "GET" &&
    new URL(request.url).pathname === RELAY_PATH;
}

/**
 * What the routes need of the server's settings: the admin token, and the
 * relay's `authenticate` and `authorize` hooks, which decide who may read a
 * channel's members.
 */
export type RouteAccess = Pick<ServerConfig, "adminToken"> & {
  relay?: Pick<ServerConfig["relay"], "authenticate" | "authorize">;
};

/**
 * Makes the HTTP routes of `relay`. `access.adminToken` is the bearer token
 * that `POST /users/:id/events` requires; without one the route does not
 * exist (404), since it lets its caller message any user. When the relay
 * authenticates clients (`access.relay.authenticate`), `GET /stats` wants
 * the admin token too, and `GET /channels/:name/members` the admin token or
 * a client token allowed to join the channel (401 otherwise).
 */
export function createRoutes(relay: Relay, access: RouteAccess = {}): Hono {
  const app = new Hono();
  const { adminToken } = access;
  const authenticate = access.relay?.authenticate;
  const authorize = access.relay?.authorize;
  const unauthorized = (c: Context) =>
    c.json(
      errorBody("unauthorized", "A valid admin bearer token is required"),
      401,
    );
  const isAdmin = (token: string | undefined) =>
    token !== undefined && adminToken !== undefined &&
    sameToken(token, adminToken);

  // Channel names may contain `/`, sent raw or as %2F.
  app.get("/channels/:name{.+}/members", async (c) => {
    const channel = c.req.param("name");
    if (authenticate !== undefined) {
      const token = bearerToken(c.req.header("authorization"));
      if (!isAdmin(token)) {
        let allowed = false;
        try {
          const identity = token === undefined
            ? undefined
            : await authenticate(c.req.raw, token);
          allowed = identity !== null && identity !== undefined &&
            (authorize === undefined ||
              await authorize(identity, "join", channel) === true);
        } catch {
          allowed = false;
        }
        if (!allowed) {
          return c.json(
            errorBody(
              "unauthorized",
              "The admin token or a client token allowed to join the channel is required",
            ),
            401,
          );
        }
      }
    }
    return c.json({ channel, members: relay.members(channel) });
  });

  app.get("/health", (c) => c.json({ ok: true }));
  app.route("/", createChatRoutes());

  if (adminToken !== undefined) {
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

  // Prometheus scrapes this; with tokens set, with the admin token.
  app.get("/metrics", (c) => {
    if (
      authenticate !== undefined &&
      !isAdmin(bearerToken(c.req.header("authorization")))
    ) return unauthorized(c);
    return c.body(prometheusMetrics(relay.stats()), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });

  app.get("/stats", (c) => {
    if (
      authenticate !== undefined &&
      !isAdmin(bearerToken(c.req.header("authorization")))
    ) return unauthorized(c);
    const { user, system } = cpuUsage();
    const { rss, heapUsed } = memoryUsage();
    const body: StatsBody = {
      ...relay.stats(),
      cpu: { user, system },
      memory: { rss, heapUsed },
    };
    return c.json(body);
  });

  return app;
}

/** The process's CPU time; zeros where the runtime has none (workerd). */
function cpuUsage(): { user: number; system: number } {
  try {
    return process.cpuUsage();
  } catch {
    return { user: 0, system: 0 };
  }
}

/** The process's memory; zeros where the runtime has none (workerd). */
function memoryUsage(): { rss: number; heapUsed: number } {
  try {
    return process.memoryUsage();
  } catch {
    return { rss: 0, heapUsed: 0 };
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i);
  return match?.[1];
}

/** Compares tokens in a time that does not depend on where they differ. */
function sameToken(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < Math.min(given.length, expected.length); i++) {
    diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  }
  return diff === 0;
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
