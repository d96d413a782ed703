/**
 * The `RelayStore` contract, as a list of cases any store must pass: the
 * memory store and the Redis store run the same ones. Offsets are checked
 * relative to a channel's first (a Redis channel's start past the time, so
 * a new life is always ahead of the old one), and every answer is awaited.
 *
 * @module
 */

import assert from "node:assert/strict";
import { APP_CHANNEL, type RelayStore } from "../../src/relay/mod.ts";

/** The options a contract case asks its store for. */
export interface ContractOptions {
  /** Messages kept per channel; 0 = none. */
  historySize: number;
  /** Message ids remembered per session. */
  dedupeSize: number;
}

/** Makes a fresh, empty store; `close` frees what it holds. */
export type MakeStore = (
  options: ContractOptions,
) => Promise<{ store: RelayStore; close(): Promise<void> }>;

/** One behaviour every store has. */
export interface ContractCase {
  name: string;
  run(store: RelayStore): Promise<void>;
  options?: Partial<ContractOptions>;
}

const NOW = Date.now();

/** The cases. */
export const CONTRACT: readonly ContractCase[] = [
  {
    name: "a parked session resumes for its own user and token only",
    async run(store) {
      await store.createSession("s1", "u1", "secret");
      await store.parkSession("s1", NOW + 60_000, NOW);
      assert.equal(await store.resumeSession("s1", "u2", NOW, "secret"), false);
      assert.equal(
        await store.resumeSession("s1", undefined, NOW, "secret"),
        false,
      );
      assert.equal(await store.resumeSession("s1", "u1", NOW, "guess"), false);
      assert.equal(await store.resumeSession("s1", "u1", NOW, "secret"), true);
      assert.equal(
        await store.resumeSession("nobody", "u1", NOW, "secret"),
        false,
      );
    },
  },
  {
    name: "an ended session is not resumable and its message ids are forgotten",
    async run(store) {
      await store.createSession("s1", undefined, "r");
      await store.remember("s1", "m1", { offset: 1 });
      assert.deepEqual(await store.seen("s1", "m1"), { offset: 1 });
      await store.endSession("s1");
      assert.equal(await store.seen("s1", "m1"), undefined);
      assert.equal(await store.resumeSession("s1", undefined, NOW, "r"), false);
    },
  },
  {
    name: "message ids are remembered per session up to dedupeSize",
    options: { dedupeSize: 2 },
    async run(store) {
      await store.createSession("s1", undefined, "r");
      await store.createSession("s2", undefined, "r");
      await store.remember("s1", "m1", { offset: 1 });
      await store.remember("s1", "m2", { offset: 2 });
      await store.remember("s1", "m3", { offset: 3 });
      assert.equal(await store.seen("s1", "m1"), undefined);
      assert.deepEqual(await store.seen("s1", "m2"), { offset: 2 });
      assert.deepEqual(await store.seen("s1", "m3"), { offset: 3 });
      assert.equal(await store.seen("s2", "m3"), undefined);
      // Parked, a session keeps its ids for its resume.
      await store.parkSession("s1", NOW + 60_000, NOW);
      assert.deepEqual(await store.seen("s1", "m3"), { offset: 3 });
    },
  },
  {
    name:
      "members, versions and offsets follow joins, updates, leaves and appends",
    options: { historySize: 0 },
    async run(store) {
      assert.equal(await store.append("lobby", "chat", null, null), undefined);
      assert.deepEqual(await store.channel("lobby"), {
        members: [],
        offset: 0,
        version: 0,
        epoch: "",
      });
      const joined = await store.join("lobby", { id: "a", data: 1 });
      assert.deepEqual(joined.members, [{ id: "a", data: 1 }]);
      assert.equal(joined.version, 1);
      assert.equal(typeof joined.epoch, "string");
      const first = joined.offset;
      assert.equal(
        (await store.join("lobby", { id: "b", data: 2 })).version,
        2,
      );
      assert.equal(await store.append("lobby", "chat", null, "a"), first + 1);
      assert.equal(await store.append("lobby", "chat", null, "b"), first + 2);
      assert.equal(await store.update("lobby", { id: "a", data: 3 }), 3);
      assert.deepEqual(await store.channel("lobby"), {
        members: [{ id: "a", data: 3 }, { id: "b", data: 2 }],
        offset: first + 2,
        version: 3,
        epoch: joined.epoch,
      });
      assert.equal(await store.leave("lobby", "a"), 4);
      assert.equal(await store.leave("lobby", "b"), 5);
      // Without history, an emptied channel is forgotten, offset and all.
      assert.equal((await store.channel("lobby")).epoch, "");
      assert.equal(await store.append("lobby", "chat", null, null), undefined);
      const again = await store.join("lobby", { id: "c", data: null });
      assert.notEqual(again.epoch, joined.epoch);
      await store.leave("lobby", "c");
    },
  },
  {
    name: "the app channel is always known",
    async run(store) {
      const offset = await store.append(APP_CHANNEL, "deploy", 2, null);
      assert.equal(typeof offset, "number");
      assert.equal((await store.channel(APP_CHANNEL)).offset, offset);
      assert.equal(
        await store.append(APP_CHANNEL, "deploy", 3, null),
        offset! + 1,
      );
    },
  },
  {
    name: "history answers exactly the messages after since, or why not",
    options: { historySize: 3 },
    async run(store) {
      const { epoch, offset } = await store.join("room", {
        id: "a",
        data: null,
      });
      for (const n of [1, 2, 3, 4, 5]) {
        assert.equal(await store.append("room", "e", n, "a"), offset + n);
      }
      assert.deepEqual(
        await store.history("room", { epoch, offset: offset + 3 }),
        {
          recovered: true,
          offset: offset + 5,
          missed: [
            { offset: offset + 4, event: "e", data: 4, sender: "a" },
            { offset: offset + 5, event: "e", data: 5, sender: "a" },
          ],
        },
      );
      assert.deepEqual(
        await store.history("room", { epoch, offset: offset + 5 }),
        {
          recovered: true,
          offset: offset + 5,
          missed: [],
        },
      );
      assert.deepEqual(
        await store.history("room", { epoch: "other", offset: offset + 3 }),
        {
          recovered: false,
          reason: "history_lost",
        },
      );
      assert.deepEqual(
        await store.history("room", { epoch, offset: offset + 6 }),
        {
          recovered: false,
          reason: "history_lost",
        },
      );
      // Only the last few are kept (Redis trims approximately: far enough back).
      for (let n = 6; n < 300; n++) await store.append("room", "e", n, "a");
      assert.deepEqual(await store.history("room", { epoch, offset }), {
        recovered: false,
        reason: "too_far_behind",
      });
      await store.leave("room", "a");
    },
  },
  {
    name:
      "an emptied channel with history keeps its epoch and offset for a rejoin",
    options: { historySize: 10 },
    async run(store) {
      const { epoch, offset } = await store.join("room", {
        id: "a",
        data: null,
      });
      await store.append("room", "e", 1, "a");
      await store.leave("room", "a");
      const back = await store.join("room", { id: "a", data: null });
      assert.equal(back.epoch, epoch);
      assert.equal(back.offset, offset + 1);
      assert.deepEqual(await store.history("room", { epoch, offset }), {
        recovered: true,
        offset: offset + 1,
        missed: [{ offset: offset + 1, event: "e", data: 1, sender: "a" }],
      });
      await store.leave("room", "a");
    },
  },
];

/** Runs every contract case as a step of `t`, each on a fresh store. */
export async function runContract(
  t: Deno.TestContext,
  make: MakeStore,
): Promise<void> {
  for (const c of CONTRACT) {
    await t.step(c.name, async () => {
      const { store, close } = await make({
        historySize: 1000,
        dedupeSize: 16,
        ...c.options,
      });
      try {
        await c.run(store);
      } finally {
        await close();
      }
    });
  }
}
