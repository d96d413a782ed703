/**
 * The example relay server on Bun: `bun examples/relay/bun.ts` (after
 * `deno install`, which puts `hono` in `node_modules/`). Same settings and
 * output as `./deno.ts`. Channel fan-out uses Bun's native topics: each
 * channel is a topic, and a message is published once, not sent per socket.
 *
 * This file is type-checked by Deno too, so it declares the little of Bun's
 * API it uses instead of depending on `bun-types`.
 *
 * @module
 */

import { type BunWebSocketData, createBunWebSocket } from "hono/bun";
import { defineWebSocketHelper } from "hono/ws";
import process from "node:process";
import { setTimeout } from "node:timers";
import { type Fanout, Relay, type RelaySocket } from "../../src/relay/mod.ts";
import { createApp, type UpgradeOptions, type WSContextSocket } from "./app.ts";
import { readConfig } from "./config.ts";
import { OpenSockets } from "./open_sockets.ts";

/** The part of Bun's `ServerWebSocket` used here. */
interface BunSocket {
  readonly readyState: number;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Sends to every subscriber of `topic` but this socket. */
  publish(topic: string, data: string): number;
}

/** The part of Bun's `Server` used here. */
interface BunServer {
  readonly hostname: string;
  readonly port: number;
  upgrade(
    request: Request,
    options: { data: BunWebSocketData; headers?: HeadersInit },
  ): boolean;
  publish(topic: string, data: string): number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Response | Promise<Response>;
    websocket: unknown;
  }): BunServer;
};

/** How long shutdown waits for clients to answer the relay's close, in ms. */
const CLOSE_HANDSHAKE_MS = 2_000;
/** How long shutdown may take in all before the process exits anyway, in ms. */
const SHUTDOWN_GRACE_MS = 5_000;

const { websocket } = createBunWebSocket();

/**
 * Hono's Bun `upgradeWebSocket` ignores its options, and Bun then answers
 * with the first subprotocol the client offered, which may be the
 * `token.…` entry. This one answers `options.protocol`, and drives the same
 * Hono `websocket` handlers.
 */
const upgradeWebSocket = defineWebSocketHelper<unknown, UpgradeOptions>(
  (c, events, options) => {
    const bunServer = c.env as BunServer;
    const data: BunWebSocketData = {
      events,
      url: new URL(c.req.url),
      protocol: options?.protocol ?? "",
    };
    const headers = options?.protocol
      ? { "sec-websocket-protocol": options.protocol }
      : undefined;
    if (bunServer.upgrade(c.req.raw, { data, headers })) {
      return new Response(null);
    }
  },
);

function bunSocket(socket: RelaySocket): BunSocket {
  return (socket as WSContextSocket).raw as BunSocket;
}

const OPEN = 1;

const fanout: Fanout = {
  subscribe(socket, topic) {
    bunSocket(socket).subscribe(topic);
  },
  unsubscribe(socket, topic) {
    // Bun drops a closed socket's topics itself.
    const ws = bunSocket(socket);
    if (ws.readyState === OPEN) ws.unsubscribe(topic);
  },
  publish(topic, frame, except) {
    if (except) bunSocket(except).publish(topic, frame);
    else server.publish(topic, frame);
  },
};

const config = readConfig();
const relay = new Relay({ ...config.relay, fanout });
const openSockets = new OpenSockets();
const app = createApp({
  relay,
  upgradeWebSocket,
  openSockets,
  adminToken: config.adminToken,
});

const server: BunServer = Bun.serve({
  hostname: config.hostname,
  port: config.port,
  fetch: (request, bunServer) => app.fetch(request, bunServer),
  websocket,
});
const host = server.hostname.includes(":")
  ? `[${server.hostname}]`
  : server.hostname;
console.log(`listening on http://${host}:${server.port}`);

let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  relay.close();
  await openSockets.drained(CLOSE_HANDSHAKE_MS);
  await server.stop();
  process.exit(0);
}

process.on("SIGINT", stop);
process.on("SIGTERM", stop);
