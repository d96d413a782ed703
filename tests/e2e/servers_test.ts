/**
 * The example relay server, each of its entry points spawned as a process:
 * the WebSocket endpoint with its checks, the HTTP routes, and a graceful
 * stop. The client scenarios are in `./conformance.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tokenProtocols } from "../../src/protocol/mod.ts";
import { startProxy } from "../../tools/chaos_proxy.ts";
import {
  EXAMPLE_RELAYS,
  type RunningServer,
  spawnExampleRelay,
} from "../../tools/servers.ts";

/** Ms any single wait in these tests may take. */
const WAIT_MS = 5_000;

/** A raw WebSocket that queues the JSON frames it receives. */
class Client {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  readonly closed: Promise<CloseEvent>;
  #wake: (() => void) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", resolve, { once: true })
    );
    ws.addEventListener("message", (event) => {
      if (typeof event.data === "string" && event.data.startsWith("{")) {
        this.frames.push(JSON.parse(event.data));
        this.#wake?.();
      }
    });
  }

  /** Opens a socket; rejects with the close code when it never opens. */
  static connect(url: string, protocols?: string[]): Promise<Client> {
    const client = new Client(new WebSocket(url, protocols));
    return new Promise((resolve, reject) => {
      client.ws.addEventListener("open", () => resolve(client), { once: true });
      client.closed.then((event) =>
        reject(new Error(`closed before open: ${event.code}`))
      );
    });
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Takes the first received frame matching `fields`, waiting for it if needed. */
  async take(
    fields: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const matches = (frame: Record<string, unknown>) =>
      Object.entries(fields).every(([key, value]) => frame[key] === value);
    const deadline = Date.now() + WAIT_MS;
    while (true) {
      const index = this.frames.findIndex(matches);
      if (index !== -1) return this.frames.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no frame ${JSON.stringify(fields)} in ${
            JSON.stringify(this.frames)
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

async function getJson(
  server: RunningServer,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(server.httpUrl + path);
  return { status: response.status, body: await response.json() };
}

/** POSTs `body` (sent as is) to the user-event route; the status and the error code, if any. */
async function postUserEvent(
  server: RunningServer,
  body: string,
  authorization?: string,
): Promise<{ status: number; code?: string; body?: unknown }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
  };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(`${server.httpUrl}/users/alice/events`, {
    method: "POST",
    headers,
    body,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return { status: 404 };
  }
  const json = await response.json();
  return response.ok
    ? { status: response.status, body: json }
    : { status: response.status, code: json.error.code };
}

/** Resolves once the server counts `count` connections. */
async function connections(
  server: RunningServer,
  count: number,
): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while ((await getJson(server, "/stats")).body.connections !== count) {
    if (Date.now() > deadline) {
      throw new Error(`the server never counted ${count} connections`);
    }
  }
}

const runtimes = EXAMPLE_RELAYS.map((name) => ({
  name,
  start: (env?: Record<string, string>) => spawnExampleRelay(name, env),
}));

for (const runtime of runtimes) {
  Deno.test(`${runtime.name} relay: welcomes, joins, delivers and answers its HTTP routes`, async () => {
    const server = await runtime.start();
    try {
      assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      const client = await Client.connect(server.url);
      try {
        client.send({ type: "hello", v: 1, ref: 1 });
        const welcome = await client.take({ type: "welcome", ref: 1 });
        const session = welcome.session as string;
        assert.equal(typeof session, "string");

        client.send({ type: "join", ref: 2, channel: "org/room" });
        const joined = await client.take({ type: "ack", ref: 2 });
        assert.equal(joined.ok, true);

        client.send({
          type: "pub",
          ref: 3,
          channel: "org/room",
          event: "say",
          data: { text: "hi" },
        });
        const msg = await client.take({ type: "msg", event: "say" });
        assert.deepEqual(msg.data, { text: "hi" });
        assert.equal(msg.sender, session);
        assert.equal((await client.take({ type: "ack", ref: 3 })).ok, true);

        const notUpgrade = await getJson(server, "/ws");
        assert.equal(notUpgrade.status, 426);
        assert.deepEqual(await getJson(server, "/health"), {
          status: 200,
          body: { ok: true },
        });
        const members = await getJson(server, "/channels/org/room/members");
        assert.equal(members.status, 200);
        assert.deepEqual(members.body, {
          channel: "org/room",
          members: [{ id: session, data: null }],
        });
        // No admin token configured: the user-event route does not exist.
        assert.equal(
          (await postUserEvent(server, '{"event":"e"}', "Bearer x")).status,
          404,
        );
        const stats = await getJson(server, "/stats");
        assert.equal(stats.body.connections, 1);
        assert.equal(stats.body.channels, 1);
        assert.ok((stats.body.messagesIn as number) >= 3);
        const cpu = stats.body.cpu as { user: number; system: number };
        assert.ok(cpu.user + cpu.system > 0);
      } finally {
        await client.close();
      }
    } finally {
      await server.stop();
    }
  });

  Deno.test(`${runtime.name} relay: rejects a foreign origin and an upgrade without an accepted token`, async () => {
    const server = await runtime.start({
      LIFELINE_TOKENS: "secret:alice",
      LIFELINE_ORIGINS: "https://app.test",
      LIFELINE_ADMIN_TOKEN: "admin",
    });
    try {
      // The HTTP routes want a token too once clients need one.
      const bearer = (token: string) => ({
        headers: { authorization: `Bearer ${token}` },
      });
      const status = async (path: string, init?: RequestInit) => {
        const response = await fetch(server.httpUrl + path, init);
        await response.body?.cancel();
        return response.status;
      };
      assert.equal(await status("/stats"), 401);
      assert.equal(await status("/stats", bearer("secret")), 401);
      assert.equal(await status("/stats", bearer("admin")), 200);
      assert.equal(await status("/channels/room/members"), 401);
      assert.equal(
        await status("/channels/room/members", bearer("secret")),
        200,
      );

      const foreign = await fetch(`${server.url.replace(/^ws/, "http")}`, {
        headers: { origin: "https://evil.test" },
      });
      assert.equal(foreign.status, 403);
      assert.equal((await foreign.json()).error.code, "forbidden");

      const refused = await getJson(server, "/ws");
      assert.equal(refused.status, 401);
      assert.equal(
        (refused.body.error as { code: string }).code,
        "unauthorized",
      );
      await assert.rejects(Client.connect(server.url), /closed before open/);
      await assert.rejects(
        Client.connect(server.url, tokenProtocols("wrong")),
        /closed before open/,
      );

      const client = await Client.connect(server.url, tokenProtocols("secret"));
      try {
        assert.equal(client.ws.protocol, "lifeline");
        client.send({ type: "hello", v: 1, ref: 1 });
        await client.take({ type: "welcome", ref: 1 });
      } finally {
        await client.close();
      }
    } finally {
      await server.stop();
    }
  });

  Deno.test(`${runtime.name} relay: the user-event route wants the admin token and a valid body`, async () => {
    const server = await runtime.start({ LIFELINE_ADMIN_TOKEN: "s3cret" });
    try {
      const event = '{"event":"notice","data":1}';
      for (const authorization of [undefined, "Bearer wrong", "Basic s3cret"]) {
        assert.deepEqual(await postUserEvent(server, event, authorization), {
          status: 401,
          code: "unauthorized",
        });
      }
      const admin = "Bearer s3cret";
      for (
        const [body, code] of [
          ["not json", "bad_request"],
          ["[1]", "bad_request"],
          ["{}", "bad_event"],
          ['{"event":""}', "bad_event"],
          ['{"event":7}', "bad_event"],
          ['{"event":"channel:join"}', "bad_event"],
        ]
      ) {
        assert.deepEqual(await postUserEvent(server, body, admin), {
          status: 400,
          code,
        }, body);
      }
      const huge = JSON.stringify({ event: "e", data: "x".repeat(1 << 20) });
      assert.deepEqual(await postUserEvent(server, huge, admin), {
        status: 413,
        code: "too_large",
      });
      assert.deepEqual(await postUserEvent(server, event, admin), {
        status: 200,
        body: { delivered: 0 },
      });
    } finally {
      await server.stop();
    }
  });

  Deno.test(`${runtime.name} relay: stop exits on its own after a connection dropped without a close frame`, async () => {
    const server = await runtime.start();
    const proxy = startProxy(server.url);
    try {
      const client = await Client.connect(proxy.url);
      client.send({ type: "hello", v: 1, ref: 1 });
      await client.take({ type: "welcome", ref: 1 });
      await proxy.cut(); // no close frame either way: TCP just ends
      await client.closed;
      await connections(server, 0);
    } finally {
      await proxy.stop();
      // Rejects if the process had to be killed.
      await server.stop();
    }
  });

  Deno.test(`${runtime.name} relay: stop says bye with 1012 and leaves nothing listening`, async () => {
    const server = await runtime.start();
    const client = await Client.connect(server.url);
    client.send({ type: "hello", v: 1, ref: 1 });
    await client.take({ type: "welcome", ref: 1 });
    await server.stop();
    const bye = await client.take({ type: "bye" });
    assert.equal(bye.reconnect, true);
    assert.equal((await client.closed).code, 1012);
    await assert.rejects(fetch(server.httpUrl + "/health"), TypeError);
  });
}
