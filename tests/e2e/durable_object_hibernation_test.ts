/**
 * The relay's Durable Object on real workerd (Miniflare), through the
 * hibernation the platform does between two messages: forced with
 * Miniflare's `unsafeEvictDurableObject(…, { webSockets: "hibernate" })`,
 * which drops the object's memory and keeps its sockets open, as Cloudflare
 * does to an idle object. The worker is `./_edge_worker.ts`: the example's,
 * with an object that counts its wakes and the events that reach it.
 *
 * Miniflare runs in this process so the test can evict; it leaves a message
 * port of its own proxy open and removes its temporary directory without
 * waiting, hence no op or resource sanitizer here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { RealtimeManagerOptions } from "../../src/client/realtime_manager_options.ts";
import type { MemberEvent } from "../../src/client/realtime_events.ts";
import { type RunningWorker, startWorker } from "../../tools/workerd.ts";
import { connected, Inbox, RawSocket, until } from "./conformance.ts";

const ENTRY = fileURLToPath(new URL("./_edge_worker.ts", import.meta.url));
const LEAKY = { sanitizeOps: false, sanitizeResources: false };

/** Runs `body` against the test worker, with `vars`, then stops it and every client. */
async function withWorker(
  vars: Record<string, string>,
  body: (worker: RunningWorker, client: Clients) => Promise<void>,
): Promise<void> {
  const worker = await startWorker({ entry: ENTRY, vars });
  const clients = new Clients(worker.url);
  try {
    await body(worker, clients);
  } finally {
    await clients.close();
    await worker.stop();
  }
}

class Clients {
  #url: string;
  #managers: RealtimeManager[] = [];
  #raws: RawSocket[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  /** A connected manager that pings every 100 ms of silence, and its disconnects. */
  async manager(
    options: RealtimeManagerOptions = {},
  ): Promise<{ manager: RealtimeManager; drops: string[] }> {
    const manager = new RealtimeManager(this.#url, {
      backoff: new ConstantBackoff(50),
      keepalive: { interval: 100, timeout: 2_000 },
      ...options,
    });
    this.#managers.push(manager);
    const drops: string[] = [];
    manager.onDisconnect((reason) => drops.push(String(reason)));
    await connected(manager);
    return { manager, drops };
  }

  /** A raw socket, welcomed. */
  async raw(): Promise<RawSocket> {
    const raw = new RawSocket(this.#url);
    this.#raws.push(raw);
    await raw.opened;
    raw.ws.send('{"type":"hello","v":1}');
    await raw.frame((f) => f.type === "welcome");
    return raw;
  }

  async close(): Promise<void> {
    await Promise.all(this.#managers.map((m) => m.close()));
    await Promise.all(this.#raws.map((r) => r[Symbol.asyncDispose]()));
  }
}

async function events(worker: RunningWorker): Promise<Record<string, number>> {
  const response = await fetch(`${worker.httpUrl}/test/events`);
  assert.equal(response.status, 200);
  return await response.json();
}

function hibernate(worker: RunningWorker): Promise<void> {
  return worker.miniflare.unsafeEvictDurableObject("", "LifelineRelay", {
    name: "app",
    webSockets: "hibernate",
  });
}

Deno.test({
  name:
    "durable object: after a hibernation, session, channels, presence, offsets and dedupe carry on with no reconnect, and a close is a leave",
  ...LEAKY,
  fn: () =>
    withWorker({}, async (worker, clients) => {
      const { manager: alice, drops: aliceDrops } = await clients.manager({
        profile: { name: "Alice" },
      });
      const { manager: bob, drops: bobDrops } = await clients.manager({
        profile: { name: "Bob" },
      });
      await alice.join("room");
      await bob.join("room");
      const raw = await clients.raw();
      raw.ws.send('{"type":"join","ref":1,"channel":"room"}');
      await raw.frame((f) => f.ref === 1);
      const heard = new Inbox(bob, "chat");
      const pub = (ref: number) =>
        `{"type":"pub","ref":${ref},"channel":"room","event":"chat","data":"raw","mid":"m-1"}`;
      raw.ws.send(pub(2));
      const first = await raw.frame((f) => f.ref === 2);
      assert.deepEqual(first.data, { offset: 1 });
      await alice.send("room", "chat", "before");
      await heard.count(2);
      const aliceId = alice.getSocketId();
      const before = await events(worker);

      await hibernate(worker);

      // A frame wakes it: the same session publishes at the next offset.
      await alice.send("room", "chat", "after");
      await heard.count(3);
      assert.equal(heard.messages[2].senderId, aliceId);
      assert.equal(heard.messages[2].offset, 3);
      // The resend of a publish acked before the hibernation is acked
      // again with its offset and not delivered twice.
      raw.ws.send(pub(3));
      const again = await raw.frame((f) => f.ref === 3);
      assert.deepEqual(again.data, { offset: 1 });
      await alice.send("room", "chat", "last");
      assert.deepEqual(await heard.count(4), [
        "raw",
        "before",
        "after",
        "last",
      ]);
      // Presence: the members and their profiles, and a join after the wake.
      const carolJoined = until<MemberEvent>(
        (l) => alice.onJoin(l),
        (e) =>
          e.member.data !== undefined &&
          (e.member.data as { name?: string }).name === "Carol",
      );
      const { manager: carol } = await clients.manager({
        profile: { name: "Carol" },
      });
      await carol.join("room");
      await carolJoined;
      const members = await bob.getMembers("room");
      assert.deepEqual(
        members.map((m) => (m.data as { name?: string } | null)?.name).sort(),
        ["Alice", "Bob", "Carol", undefined],
      );
      // The object really was rebuilt, woken by a frame; nobody reconnected.
      const after = await events(worker);
      assert.equal(after.wake - before.wake, 1);
      assert.equal(
        (after["woken by frame"] ?? 0) - (before["woken by frame"] ?? 0),
        1,
      );
      assert.deepEqual(aliceDrops, []);
      assert.deepEqual(bobDrops, []);
      assert.equal(alice.getSocketId(), aliceId);
      // A close that wakes the object is a leave the others hear.
      await hibernate(worker);
      const bobId = bob.getSocketId();
      const bobLeft = until<MemberEvent>(
        (l) => alice.onLeave(l),
        (e) => e.member.id === bobId,
      );
      await bob.close();
      assert.deepEqual((await bobLeft).member.data, { name: "Bob" });
    }),
});

Deno.test({
  name:
    "durable object: pings are answered without reaching the object, and keep a silent client from the alarm's sweep",
  ...LEAKY,
  fn: () =>
    withWorker({
      LIFELINE_HEARTBEAT_INTERVAL: "500",
      LIFELINE_HEARTBEAT_TIMEOUT: "500",
    }, async (worker, clients) => {
      const { manager: alice, drops } = await clients.manager();
      await alice.join("room");
      // Two raw clients that never ping, one after the other: the alarm
      // closes each after 1 s of silence, while alice, silent but for
      // her pings, stays.
      for (let i = 0; i < 2; i++) {
        const raw = await clients.raw();
        const closed = await raw.closed;
        assert.equal(closed.code, 4408);
        assert.ok(raw.frames().some((f) => f.type === "bye"));
      }
      const counts = await events(worker);
      assert.equal(counts.ping ?? 0, 0);
      assert.ok(counts.alarm >= 2, JSON.stringify(counts));
      assert.deepEqual(drops, []);
      await alice.send("room", "chat", "still here");
    }),
});
