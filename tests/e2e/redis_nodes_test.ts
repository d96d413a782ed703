/**
 * Two example relays, one on Deno and one on Bun, sharing one
 * `redis-server` (`LIFELINE_REDIS_URL`), with clients on both: what a
 * deployment of several nodes behind a load balancer promises.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { MemberEvent, RealtimeMessage, ResyncEvent } from "../../mod.ts";
import { createClient } from "redis";
import { type Proxy, startProxy } from "../../tools/chaos_proxy.ts";
import { type RunningRedis, startRedis } from "../../tools/redis_server.ts";
import { type RunningServer, spawnExampleRelay } from "../../tools/servers.ts";

const GUARD_MS = 15_000;
/** ms between a node's heartbeats; a node is dead after 2 of them plus the grace. */
const HEARTBEAT = 200;
const GRACE = 300;

/** Resolves once `check` holds, checked on every event and every 20 ms. */
async function until(
  check: () => boolean,
  what: string,
  ms = GUARD_MS,
): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The nodes, proxies and clients of one scenario, all stopped at its end. */
class Cluster implements AsyncDisposable {
  readonly redis: RunningRedis;
  readonly nodes: RunningServer[] = [];
  #managers: RealtimeManager[] = [];
  #proxies: Proxy[] = [];

  constructor(redis: RunningRedis) {
    this.redis = redis;
  }

  /** Starts the Deno node and the Bun node on the shared Redis. */
  async start(): Promise<[RunningServer, RunningServer]> {
    const env = {
      LIFELINE_REDIS_URL: this.redis.url,
      LIFELINE_REDIS_HEARTBEAT: String(HEARTBEAT),
      LIFELINE_PRESENCE_GRACE: String(GRACE),
      LIFELINE_RATE: "0",
    };
    const [deno, bun] = await Promise.all([
      spawnExampleRelay("deno", env),
      spawnExampleRelay("bun", env),
    ]);
    this.nodes.push(deno, bun);
    return [deno, bun];
  }

  /** A connected client of `url`, its messages of event `chat` recorded. */
  async client(url: string): Promise<Client> {
    const manager = new RealtimeManager(url, {
      backoff: new ConstantBackoff(50),
      ackTimeout: 5_000,
    });
    this.#managers.push(manager);
    const client = new Client(manager);
    await until(() => manager.isConnected(), "a welcome");
    return client;
  }

  /** A proxy in front of `url` that can be pointed at another node. */
  proxy(url: string): Proxy {
    const proxy = startProxy(url);
    this.#proxies.push(proxy);
    return proxy;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#managers.map((m) => m.close()));
    await Promise.all(this.#proxies.map((p) => p.stop()));
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

/** A manager and what it heard. */
class Client {
  readonly manager: RealtimeManager;
  readonly messages: RealtimeMessage[] = [];
  readonly leaves: MemberEvent[] = [];
  readonly resyncs: ResyncEvent[] = [];

  constructor(manager: RealtimeManager) {
    this.manager = manager;
    manager.on("chat", (message) => void this.messages.push(message));
    manager.onLeave((event) => void this.leaves.push(event));
    manager.onResync((event) => void this.resyncs.push(event));
  }

  get data(): unknown[] {
    return this.messages.map((m) => m.message);
  }

  get offsets(): number[] {
    return this.messages.map((m) => m.offset!);
  }
}

Deno.test("two relays on one Redis act as one", async (t) => {
  const redis = await startRedis();
  try {
    await t.step(
      "messages cross nodes in one order everywhere, and members are global",
      async () => {
        await using cluster = new Cluster(redis);
        const [deno, bun] = await cluster.start();
        const clients = [
          await cluster.client(deno.url),
          await cluster.client(bun.url),
          await cluster.client(deno.url),
          await cluster.client(bun.url),
        ];
        for (const c of clients) await c.manager.join("room");
        const ids = clients.map((c) => c.manager.getSocketId()).sort();
        for (const c of clients) {
          const members = await c.manager.getMembers("room");
          assert.deepEqual(members.map((m) => m.id).sort(), ids);
        }
        const [alice, bob] = clients;
        await Promise.all(
          Array.from(
            { length: 30 },
            (_, n) =>
              (n % 2 === 0 ? alice : bob).manager.send("room", "chat", n),
          ),
        );
        await until(
          () => clients.every((c) => c.messages.length === 30),
          "every message",
        );
        const order = clients[0].data;
        for (const c of clients) {
          assert.deepEqual(c.data, order);
          const first = c.offsets[0];
          assert.deepEqual(c.offsets, c.offsets.map((_, i) => first + i));
        }
        assert.deepEqual([...order].sort((a, b) => Number(a) - Number(b)), [
          ...Array(30).keys(),
        ]);
        // App-wide messages cross nodes too.
        await alice.manager.broadcast("chat", "everyone");
        await until(
          () => clients.every((c) => c.data.at(-1) === "everyone"),
          "the broadcast",
        );
        assert.ok(clients.every((c) => c.messages.at(-1)!.channel === null));
        // And volatile ones, to the members on the other node.
        await alice.manager.send("room", "chat", "fleeting", {
          volatile: true,
        });
        await until(
          () => [bob, clients[3]].every((c) => c.data.includes("fleeting")),
          "the volatile message",
        );
      },
    );

    await t.step(
      "a node killed: its members leave once, and its clients come back through the other with no gap and no duplicate",
      async () => {
        await using cluster = new Cluster(redis);
        const [deno, bun] = await cluster.start();
        const balancer = cluster.proxy(bun.url);
        const watcher = await cluster.client(deno.url);
        const publisher = await cluster.client(deno.url);
        const moved = await cluster.client(balancer.url);
        const stays = await cluster.client(bun.url); // not behind the balancer
        for (const c of [watcher, publisher, moved, stays]) {
          await c.manager.join("room");
        }
        const stayer = stays.manager.getSocketId()!;
        const mover = moved.manager.getSocketId()!;
        for (let n = 0; n < 10; n++) {
          await publisher.manager.send("room", "chat", n);
        }
        // The moved client's publish reaches its node and is delivered, but
        // the ack is lost on the way back: it will resend it after the failover.
        balancer.mute = true;
        const resent = moved.manager.send("room", "chat", 100);
        await until(() => watcher.data.includes(100), "the first delivery");
        const redisClient = await createClient({ url: redis.url }).connect();
        try {
          // Remembered (after the ack): the next node will know the resend.
          for (let i = 0;; i++) {
            const ids = await redisClient.sendCommand([
              "HLEN",
              `lifeline:mids:${mover}`,
            ]);
            if (Number(ids) > 0) break;
            if (i > 500) throw new Error("The message id never reached Redis");
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        } finally {
          redisClient.destroy();
        }
        for (let n = 10; n < 15; n++) {
          await publisher.manager.send("room", "chat", n); // the moved client misses these
        }
        await bun.kill!(); // as a crash
        balancer.target = deno.url; // the balancer sees it dead
        balancer.mute = false;
        for (let n = 15; n < 40; n++) {
          await publisher.manager.send("room", "chat", n);
        }
        await resent;
        // The other node acked the resend from the id in Redis, without delivering it.
        const stats = await (await fetch(`${deno.httpUrl}/stats`)).json();
        assert.equal(stats.duplicates, 1);
        for (const c of [watcher, moved]) {
          await until(() => c.data.includes(39), "every message");
          const data = c.data.filter((d) => Number(d) < 100);
          assert.deepEqual(data, [...Array(40).keys()]);
          assert.deepEqual(c.data.filter((d) => d === 100), [100]);
          const first = c.offsets[0];
          assert.deepEqual(c.offsets, c.offsets.map((_, i) => first + i));
        }
        assert.equal(moved.manager.getSocketId(), mover); // the session resumed
        // The member on the dead node leaves once, after the grace; the moved one never.
        await until(
          () => watcher.leaves.some((l) => l.member.id === stayer),
          "the dead node's member leaving",
        );
        await new Promise((resolve) =>
          setTimeout(resolve, 4 * HEARTBEAT + GRACE)
        );
        assert.deepEqual(watcher.leaves.map((l) => l.member.id), [stayer]);
        const members = await watcher.manager.getMembers("room");
        assert.deepEqual(
          members.map((m) => m.id).sort(),
          [watcher, publisher, moved].map((c) => c.manager.getSocketId())
            .sort(),
        );
      },
    );

    await t.step(
      "a Redis restart surfaces as a resync, never a silent gap",
      async () => {
        await using cluster = new Cluster(redis);
        const [deno, bun] = await cluster.start();
        const alice = await cluster.client(deno.url);
        const bob = await cluster.client(bun.url);
        await alice.manager.join("room");
        await bob.manager.join("room");
        await alice.manager.send("room", "chat", "before");
        await until(() => bob.messages.length === 1, "the first message");
        await redis.restart();
        // A publish in flight while Redis is down fails with `internal`; retry.
        for (let attempt = 0; attempt < 50; attempt++) {
          try {
            await alice.manager.send("room", "chat", "after");
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        await until(() => bob.resyncs.length > 0, "bob's resync");
        assert.deepEqual(bob.resyncs, [{
          channel: "room",
          reason: "history_lost",
        }]);
        await alice.manager.send("room", "chat", "later");
        await until(
          () => bob.data.includes("later"),
          "a message after the resync",
        );
      },
    );
  } finally {
    await redis.stop();
  }
});
