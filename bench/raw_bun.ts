/**
 * The bench's Bun baseline: a plain `Bun.serve` WebSocket server that
 * publishes every received message to one topic every socket subscribes to,
 * with Bun's native `ServerWebSocket.publish` (which skips the sender). What
 * a broadcast costs on Bun. `GET /stats` answers the process's CPU time (µs) and memory (bytes).
 *
 * The memory bench's clients say `hello` and `join` first, as they do to the
 * relay: the raw server does the least an app would for them, answering each
 * (the `join` with an ack of its `ref`, which the client waits for) and
 * subscribing the socket to the joined room's topic. Every other frame is
 * broadcast.
 *
 * @module
 */

import process from "node:process";

/** The part of Bun's `ServerWebSocket` used here. */
interface BunSocket {
  subscribe(topic: string): void;
  send(data: string): number;
  publish(topic: string, data: string | Uint8Array): number;
}

/** The part of Bun's `Server` used here. */
interface BunServer {
  readonly hostname: string;
  readonly port: number;
  readonly pendingWebSockets: number;
  upgrade(request: Request): boolean;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(
      request: Request,
      server: BunServer,
    ): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
      close(ws: BunSocket): void;
    };
  }): BunServer;
};

const TOPIC = "all";

/** Answers a `hello` or a `join` (subscribing to its room); false for others. */
function handshake(ws: BunSocket, message: string): boolean {
  if (message.startsWith('{"type":"hello"')) {
    ws.send('{"type":"welcome"}');
    return true;
  }
  if (!message.startsWith('{"type":"join"')) return false;
  const { ref, channel } = JSON.parse(message);
  ws.subscribe(String(channel));
  ws.send(JSON.stringify({ type: "ack", ref, ok: true }));
  return true;
}
let connections = 0;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch(request, server) {
    const { pathname } = new URL(request.url);
    if (pathname === "/stats") {
      const { user, system } = process.cpuUsage();
      const { rss, heapUsed } = process.memoryUsage();
      return Response.json({
        connections,
        cpu: { user, system },
        memory: { rss, heapUsed },
      });
    }
    if (pathname === "/ws" && server.upgrade(request)) return undefined;
    return new Response("not found", { status: 404 });
  },
  websocket: {
    open(ws) {
      connections++;
      ws.subscribe(TOPIC);
    },
    message(ws, message) {
      if (typeof message === "string" && handshake(ws, message)) return;
      ws.publish(TOPIC, message);
    },
    close() {
      connections--;
    },
  },
});
console.log(`listening on http://${server.hostname}:${server.port}`);

const stop = async () => {
  await server.stop(true);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
