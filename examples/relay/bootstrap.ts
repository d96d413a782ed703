/**
 * What every entry point of the example relay server shares: read the
 * settings (`./config.ts`), start the runtime's server, print one line,
 * `listening on http://HOST:PORT (WebSocket: ws://HOST:PORT/ws)`, once it
 * accepts connections, and on
 * SIGINT or SIGTERM stop gracefully: the relay says bye to every client
 * (1012), the server waits for their close handshakes, then shuts down and
 * the process exits 0.
 *
 * An entry point only says how its runtime serves: see `./deno.ts`,
 * `./bun.ts`, `./hono.ts` and `./node.ts`.
 *
 * @module
 */

import process from "node:process";
import { setTimeout } from "node:timers";
import type { RelayAdapter } from "../../src/relay/adapters/deno.ts";
import { readConfig, type ServerConfig } from "./config.ts";
import { connectRedis } from "./redis.ts";
import { RELAY_PATH } from "./routes.ts";

/** A runtime's server, listening, in front of a relay adapter. */
export interface StartedServer {
  /** The adapter that serves the relay. */
  adapter: RelayAdapter;
  /** The interface it listens on. */
  hostname: string;
  /** The port it listens on. */
  port: number;
  /** Stops the HTTP server; called once the relay's clients are gone. */
  shutdown(): Promise<void>;
}

/** Starts a runtime's server from the settings; resolves once it listens. */
export type StartServer = (
  config: ServerConfig,
) => StartedServer | Promise<StartedServer>;

/** How long shutdown waits for clients to answer the relay's close, in ms. */
const CLOSE_HANDSHAKE_MS = 2_000;
/** How long shutdown may take in all before the process exits anyway, in ms. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Runs the example relay server that `start` starts, until a signal stops it. */
export async function bootstrap(start: StartServer): Promise<void> {
  const config = readConfig();
  // With LIFELINE_REDIS_URL, the relay's state is shared through Redis.
  const redis = await connectRedis(config, process.env);
  const server = await start(config);
  const log = config.relay.logger;
  const host = server.hostname.includes(":")
    ? `[${server.hostname}]`
    : server.hostname;
  const signals = process.platform === "win32"
    ? ["SIGINT", "SIGBREAK"] as const
    : ["SIGINT", "SIGTERM"] as const;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log?.({ time: Date.now(), level: "info", event: "stopping" });
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    await server.adapter.close(CLOSE_HANDSHAKE_MS);
    await server.shutdown();
    await redis?.close();
    // Every client has had its bye and the server is down, yet Deno may
    // still hold the event loop open: a socket whose peer vanished without
    // a close frame leaves Deno's internal idle-timeout ping timer armed
    // for up to 15 s, and user code cannot clear it. Nothing is left to do.
    process.exit(0);
  };
  for (const signal of signals) process.on(signal, stop);
  // Only now, with the signals heard: whoever reads the banner may stop us.
  // The WebSocket URL in full: a client given the bare origin gets a 404.
  console.log(
    `listening on http://${host}:${server.port} (WebSocket: ws://${host}:${server.port}${RELAY_PATH})`,
  );
  log?.({
    time: Date.now(),
    level: "info",
    event: "start",
    url: `ws://${host}:${server.port}${RELAY_PATH}`,
  });
}
