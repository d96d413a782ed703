/**
 * The example relay server on Deno: `deno task relay`. Settings come from
 * environment variables (see `./config.ts`); it prints one line,
 * `listening on http://HOST:PORT`, once it accepts connections, and on
 * SIGINT or SIGTERM says bye to every client and shuts down.
 *
 * @module
 */

import { upgradeWebSocket } from "hono/deno";
import { Relay } from "../../src/relay/mod.ts";
import { createApp } from "./app.ts";
import { readConfig } from "./config.ts";
import { OpenSockets } from "./open_sockets.ts";

/** How long shutdown waits for clients to answer the relay's close, in ms. */
const CLOSE_HANDSHAKE_MS = 2_000;
/** How long shutdown may take in all before the process exits anyway, in ms. */
const SHUTDOWN_GRACE_MS = 5_000;

const config = readConfig();
const relay = new Relay(config.relay);
const openSockets = new OpenSockets();
const app = createApp({
  relay,
  upgradeWebSocket,
  openSockets,
  adminToken: config.adminToken,
});

const server = Deno.serve({
  hostname: config.hostname,
  port: config.port,
  onListen({ hostname, port }) {
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    console.log(`listening on http://${host}:${port}`);
  },
}, app.fetch);

const signals: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  const deadline = setTimeout(() => Deno.exit(0), SHUTDOWN_GRACE_MS);
  Deno.unrefTimer(deadline);
  relay.close();
  await openSockets.drained(CLOSE_HANDSHAKE_MS);
  await server.shutdown();
  await server.finished;
  clearTimeout(deadline);
  // Every client has had its bye and the server is down, yet Deno may still
  // hold the event loop open: a socket whose peer vanished without a close
  // frame ("Unexpected EOF") leaves Deno's internal idle-timeout ping timer
  // (`idleTimeout`, 30 s by default, fires at half of it) armed for up to
  // 15 s, and user code cannot clear it. Nothing is left to do, so exit.
  Deno.exit(0);
}

for (const signal of signals) Deno.addSignalListener(signal, stop);
