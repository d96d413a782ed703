/**
 * The bench's Bun baseline: a plain `Bun.serve` WebSocket server that
 * publishes every received message to one topic every socket subscribes to,
 * with Bun's native `ServerWebSocket.publish` (which skips the sender). What
 * a broadcast costs on Bun. `GET /stats` answers the process's CPU time (µs) and memory (bytes).
 *
 * @module
 */

import process from "node:process";

/** The part of Bun's `ServerWebSocket` used here. */
interface BunSocket {
  subscribe(topic: string): void;
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
