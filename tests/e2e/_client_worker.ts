/**
 * A Worker whose Durable Object is a lifeline client: `POST /start` makes a
 * `RealtimeManager` inside the object (never at module scope: a Worker's
 * I/O belongs to a request or an object) that connects out to `RELAY_URL`
 * with a handshake header, joins `room` and answers every `chat` with an
 * `echo`; `POST /stop` closes it. `POST /plain` connects once with the
 * runtime's own `WebSocket` (a token in the URL), publishes a `note` to
 * `plain` and, once it is acknowledged, answers its session id. The open outbound socket keeps the object
 * in memory, which a long-lived client needs.
 *
 * @module
 */

import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { ConstantBackoff } from "../../src/core/backoff.ts";

interface ClientNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

interface Env {
  CLIENT: ClientNamespace;
  RELAY_URL: string;
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return env.CLIENT.get(env.CLIENT.idFromName("client")).fetch(request);
  },
};

/** The object that holds the client. */
export class ClientObject {
  #env: Env;
  #manager: RealtimeManager | undefined;

  constructor(_ctx: unknown, env: Env) {
    this.#env = env;
  }

  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/start") {
      // No `WebSocket` option: with `headers` set, the client opens the
      // socket with a fetch upgrade in workerd by itself.
      const manager = new RealtimeManager(this.#env.RELAY_URL, {
        headers: { "x-edge-key": "edge-secret" },
        profile: { name: "edge" },
        backoff: new ConstantBackoff(100),
      });
      this.#manager = manager;
      manager.on("chat", (message) => {
        manager.send("room", "echo", `edge heard ${message.message}`).catch(
          () => {},
        );
      });
      await manager.join("room");
      return Response.json({ id: manager.getSocketId() });
    }
    if (path === "/plain") {
      // The runtime's own WebSocket, a token in the URL, no headers.
      const plain = new RealtimeManager(`${this.#env.RELAY_URL}?token=deno`);
      try {
        await plain.join("plain");
        await plain.send("plain", "note", "from workerd");
        return Response.json({ id: plain.getSocketId() });
      } finally {
        await plain.close();
      }
    }
    if (path === "/stop") {
      await this.#manager?.close();
      return Response.json({ ok: true });
    }
    return new Response("not found", { status: 404 });
  }
}
