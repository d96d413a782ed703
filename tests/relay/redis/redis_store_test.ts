import assert from "node:assert/strict";
import { APP_CHANNEL, type StoreListener } from "../../../src/relay/mod.ts";
import { startRedis } from "../../../tools/redis_server.ts";
import { runContract } from "../_store_contract.ts";
import { freshPrefix, redisStore, type TestStore } from "./_redis.ts";

/** Polls `check` every 5 ms until it holds; fails after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 3000,
  what = "the condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What a store's listener heard, as short strings. */
function recorder(): { heard: string[]; listener: StoreListener } {
  const heard: string[] = [];
  return {
    heard,
    listener: {
      message: (channel, offset, event, data) =>
        void heard.push(
          `m ${channel} ${offset} ${event} ${JSON.stringify(data)}`,
        ),
      presence: (channel, action, member, version) =>
        void heard.push(`p ${channel} ${action} ${member.id} ${version}`),
      replaced: (session) => void heard.push(`r ${session}`),
      volatile: (channel, event, data) =>
        void heard.push(`v ${channel} ${event} ${JSON.stringify(data)}`),
      user: (userId, event, data) =>
        void heard.push(`u ${userId} ${event} ${JSON.stringify(data)}`),
    },
  };
}

Deno.test("RedisStore keeps the store contract", async (t) => {
  const redis = await startRedis();
  try {
    await runContract(t, (options) => redisStore(redis.url, options));
  } finally {
    await redis.stop();
  }
});

Deno.test("RedisStore across nodes and failures", async (t) => {
  const redis = await startRedis();
  const open: TestStore[] = [];
  const node = async (
    prefix: string,
    options: Parameters<typeof redisStore>[1] = {},
  ) => {
    const made = await redisStore(redis.url, { prefix, ...options });
    open.push(made);
    return made;
  };
  const step = (name: string, fn: () => Promise<void>) =>
    t.step(name, async () => {
      try {
        await fn();
      } finally {
        for (const made of open.splice(0)) await made.close();
      }
    });
  try {
    await step(
      "a channel is subscribed while this node has members in it",
      async () => {
        const a = await node(freshPrefix());
        const p = a.store;
        const subscribers = async () =>
          ((await a.command(["PUBSUB", "NUMSUB", `${prefixOf(a)}ch:room`])) as [
            string,
            number,
          ])[1];
        await p.join("room", { id: "x", data: null });
        await p.join("room", { id: "y", data: null });
        assert.equal(await subscribers(), 1);
        await p.leave("room", "x");
        assert.equal(await subscribers(), 1);
        await p.leave("room", "y");
        await until(
          async () => (await subscribers()) === 0,
          3000,
          "unsubscribe",
        );
      },
    );

    await step(
      "messages and presence cross nodes, in offset order",
      async () => {
        const prefix = freshPrefix();
        const a = await node(prefix);
        const b = await node(prefix);
        const heardA = recorder();
        const heardB = recorder();
        a.store.listen(heardA.listener);
        b.store.listen(heardB.listener);
        const { offset } = await a.store.join("room", { id: "x", data: 1 });
        await b.store.join("room", { id: "y", data: 2 });
        await until(
          () => heardA.heard.includes(`p room join y 2`),
          3000,
          "join",
        );
        const sent = await Promise.all(
          Array.from(
            { length: 40 },
            (_, n) => (n % 2 === 0 ? a : b).store.append("room", "e", n, null),
          ),
        );
        assert.deepEqual(
          [...sent].sort((x, y) => x! - y!),
          Array.from({ length: 40 }, (_, n) => offset + n + 1),
        );
        // Each node hears the other's messages, each once and in order.
        const fromB = (heard: string[]) =>
          heard.filter((h) => h.startsWith("m room")).map((h) =>
            Number(h.split(" ")[2])
          );
        await until(() => fromB(heardA.heard).length === 20, 3000, "A hears B");
        await until(() => fromB(heardB.heard).length === 20, 3000, "B hears A");
        for (const heard of [heardA.heard, heardB.heard]) {
          const offsets = fromB(heard);
          assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y));
        }
        assert.deepEqual(
          (await a.store.channel("room")).members.map((m) => m.id),
          ["x", "y"],
        );
      },
    );

    await step(
      "volatile messages and user events cross nodes, to where they have someone",
      async () => {
        const prefix = freshPrefix();
        const a = await node(prefix);
        const b = await node(prefix);
        const heardB = recorder();
        a.store.listen(recorder().listener);
        b.store.listen(heardB.listener);
        await b.store.join("room", { id: "y", data: null });
        await until(async () =>
          ((await a.command(["PUBSUB", "NUMSUB", `${prefix}users`])) as [
            string,
            number,
          ])[1] === 2
        );
        await a.store.volatile("elsewhere", "typing", 0, "x"); // nobody there on B
        await a.store.volatile("room", "typing", 1, "x");
        await a.store.volatile(APP_CHANNEL, "typing", 2, "x");
        await a.store.toUser("u1", "notice", 3);
        await until(() => heardB.heard.length === 3, 3000, "B to hear");
        assert.deepEqual(heardB.heard, [
          "v room typing 1",
          `v ${APP_CHANNEL} typing 2`,
          "u u1 notice 3",
        ]);
      },
    );

    await step(
      "a session live on one node is taken over from another",
      async () => {
        const prefix = freshPrefix();
        const a = await node(prefix);
        const b = await node(prefix);
        const heardA = recorder();
        a.store.listen(heardA.listener);
        b.store.listen(recorder().listener);
        await a.store.createSession("s1", "u1", "secret");
        await a.store.remember("s1", "m1", { offset: 7 });
        assert.equal(
          await b.store.resumeSession("s1", "u1", Date.now(), "guess"),
          false,
        );
        assert.equal(
          await b.store.resumeSession("s1", "u1", Date.now(), "secret"),
          true,
        );
        await until(() => heardA.heard.includes("r s1"), 3000, "replaced");
        // The message ids moved with it: a resend is acked, not delivered twice.
        assert.deepEqual(await b.store.seen("s1", "m1"), { offset: 7 });
        // The old node parking it does not take it back.
        await a.store.parkSession("s1", Date.now() + 60_000, Date.now());
        assert.equal(
          await a.store.resumeSession("s1", "u1", Date.now(), "secret"),
          true,
        );
      },
    );

    await step(
      "a publish's message id is remembered with its append, before any ack",
      async () => {
        const a = await node(freshPrefix());
        await a.store.createSession("s1", undefined, "r");
        await a.store.join("room", { id: "s1", data: null });
        const offset = await a.store.append("room", "e", 1, "s1", "m1");
        assert.deepEqual(await a.store.seen("s1", "m1"), { offset });
        await a.store.remember("s1", "m1", { offset: offset! }); // the relay's, after the ack
        assert.equal(await a.command(["LLEN", `${a.prefix}midq:s1`]), 1);
      },
    );

    await step(
      "counts report the sessions parked on every node, as of the last heartbeat",
      async () => {
        const prefix = freshPrefix();
        const a = await node(prefix);
        const b = await node(prefix);
        const now = Date.now();
        for (const id of ["s1", "s2"]) {
          await a.store.createSession(id, undefined, "r");
          await a.store.parkSession(id, now + 60_000, now);
        }
        await b.store.beat();
        assert.equal(b.store.counts().resumable, 2);
        assert.equal(
          await b.store.resumeSession("s1", undefined, now, "r"),
          true,
        );
        await b.store.endSession("s2");
        await b.store.beat();
        assert.equal(b.store.counts().resumable, 0);
      },
    );

    await step(
      "a parked session and its message ids expire with their TTL",
      async () => {
        const a = await node(freshPrefix());
        await a.store.createSession("s1", undefined, "r");
        await a.store.remember("s1", "m1", {});
        const now = Date.now();
        await a.store.parkSession("s1", now + 30, now);
        await until(
          async () =>
            (await a.command([
              "EXISTS",
              `${prefixOf(a)}sess:s1`,
              `${prefixOf(a)}mids:s1`,
            ])) === 0,
          3000,
          "expiry",
        );
        assert.equal(await a.store.seen("s1", "m1"), undefined);
        assert.equal(
          await a.store.resumeSession("s1", undefined, Date.now(), "r"),
          false,
        );
      },
    );

    await step(
      "a dead node's members leave once, on the node that notices",
      async () => {
        const prefix = freshPrefix();
        // Nobody times out on the clock: the dead node is aged by hand, so
        // a loaded machine cannot make b and c miss their own beats.
        const timing = { heartbeat: 60_000, nodeTimeout: 60_000 };
        const dead = await node(prefix, timing);
        const b = await node(prefix, timing);
        const c = await node(prefix, timing);
        const heardB = recorder();
        const heardC = recorder();
        b.store.listen(heardB.listener);
        c.store.listen(heardC.listener);
        await b.store.join("room", { id: "y", data: null });
        await c.store.join("room", { id: "z", data: null });
        await dead.store.join("room", { id: "x", data: null });
        await dead.store.beat();
        await dead.close(); // no leave: as if killed
        assert.equal(await b.store.beat() + await c.store.beat(), 0);
        // Its last beat is now older than nodeTimeout.
        await b.command([
          "ZADD",
          `${prefixOf(b)}nodes`,
          "0",
          dead.store.nodeId,
        ]);
        assert.equal(await b.store.beat() + await c.store.beat(), 1);
        const leaves = (heard: string[]) =>
          heard.filter((h) => h.startsWith("p room leave x"));
        await until(() =>
          leaves(heardB.heard).length === 1 && leaves(heardC.heard).length === 1
        );
        assert.equal(await b.store.beat() + await c.store.beat(), 0);
        assert.deepEqual(
          (await b.store.channel("room")).members.map((m) => m.id),
          ["y", "z"],
        );
      },
    );

    await step(
      "a message pub/sub dropped is delivered from the stream at the next heartbeat",
      async () => {
        const a = await node(freshPrefix());
        const heard = recorder();
        a.store.listen(heard.listener);
        const { offset } = await a.store.join("room", {
          id: "x",
          data: null,
        });
        // Another node's append whose PUBLISH never arrived here.
        await a.command(["HINCRBY", `${a.prefix}meta:room`, "offset", "1"]);
        await a.command([
          "XADD",
          `${a.prefix}log:room`,
          `0-${offset + 1}`,
          "t",
          String(Date.now()),
          "b",
          JSON.stringify(["e", "lost", "s9"]),
        ]);
        assert.deepEqual(heard.heard, []);
        await a.store.beat();
        assert.deepEqual(heard.heard, [`m room ${offset + 1} e "lost"`]);
        await a.store.beat(); // once
        assert.equal(heard.heard.length, 1);
      },
    );

    await step(
      "a stream lost or trimmed past since is too_far_behind, never a gap",
      async () => {
        const a = await node(freshPrefix());
        const { epoch, offset } = await a.store.join("room", {
          id: "x",
          data: null,
        });
        await a.store.append("room", "e", 1, null);
        await a.store.append("room", "e", 2, null);
        await a.command(["XTRIM", `${prefixOf(a)}log:room`, "MAXLEN", "1"]);
        assert.deepEqual(await a.store.history("room", { epoch, offset }), {
          recovered: false,
          reason: "too_far_behind",
        });
        await a.command(["DEL", `${prefixOf(a)}log:room`]);
        assert.deepEqual(
          await a.store.history("room", { epoch, offset: offset + 1 }),
          {
            recovered: false,
            reason: "too_far_behind",
          },
        );
      },
    );

    await step(
      "after Redis lost its data, members come back in a new epoch past the old offsets",
      async () => {
        const a = await node(freshPrefix());
        const heard = recorder();
        a.store.listen(heard.listener);
        await a.store.beat();
        const before = await a.store.join("room", { id: "x", data: "ann" });
        const last = (await a.store.append("room", "e", 1, null))!;
        await redis.restart();
        await a.ready();
        // A publish before the next heartbeat joins this node's members again.
        const next = (await a.store.append("room", "e", 2, null))!;
        assert.ok(next > last + 1, `${next} must leave a gap after ${last}`);
        const after = await a.store.channel("room");
        assert.notEqual(after.epoch, before.epoch);
        assert.deepEqual(after.members, [{ id: "x", data: "ann" }]);
        assert.deepEqual(
          await a.store.history("room", { epoch: before.epoch, offset: last }),
          {
            recovered: false,
            reason: "history_lost",
          },
        );
        // The heartbeat notices the loss too (no rejoin needed twice).
        await a.store.beat();
        assert.equal((await a.store.channel("room")).epoch, after.epoch);
      },
    );
  } finally {
    for (const made of open) await made.close();
    await redis.stop();
  }
});

function prefixOf(store: TestStore): string {
  return store.prefix;
}
