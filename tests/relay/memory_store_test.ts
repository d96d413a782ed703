import assert from "node:assert/strict";
import { MemoryStore } from "../../src/relay/mod.ts";

Deno.test("a parked session resumes once, for its own user, before it expires", () => {
  const store = new MemoryStore();
  store.createSession("s1", "u1", "r");
  store.parkSession("s1", 100, 0);
  assert.equal(store.counts().resumable, 1);
  assert.equal(store.resumeSession("s1", undefined, 10, "r"), false);
  assert.equal(store.resumeSession("s1", "u1", 10, "r"), true);
  assert.equal(store.resumeSession("s1", "u1", 10, "r"), false); // live now
  assert.equal(store.counts().resumable, 0);
});

Deno.test("an expired session is forgotten when asked for", () => {
  const store = new MemoryStore();
  store.createSession("s1", undefined, "r");
  store.remember("s1", "m1", { offset: 1 });
  store.parkSession("s1", 100, 0);
  assert.equal(store.resumeSession("s1", undefined, 100, "r"), false);
  assert.equal(store.counts().resumable, 0);
  assert.equal(store.seen("s1", "m1"), undefined);
});

Deno.test("prune forgets expired sessions and the oldest past resumableSessions", () => {
  const store = new MemoryStore({ resumableSessions: 2 });
  for (const id of ["a", "b", "c"]) {
    store.createSession(id, undefined, "r");
    store.parkSession(id, 100, 0);
  }
  assert.equal(store.counts().resumable, 2);
  assert.equal(store.resumeSession("a", undefined, 1, "r"), false);
  store.prune(100);
  assert.equal(store.counts().resumable, 0);
});

Deno.test("message ids are remembered per session up to dedupeSize", () => {
  const store = new MemoryStore({ dedupeSize: 2 });
  store.createSession("s1", undefined, "r");
  store.createSession("s2", undefined, "r");
  store.remember("s1", "m1", { offset: 1 });
  store.remember("s1", "m2", { offset: 2 });
  store.remember("s1", "m3", { offset: 3 });
  assert.equal(store.seen("s1", "m1"), undefined);
  assert.deepEqual(store.seen("s1", "m3"), { offset: 3 });
  assert.equal(store.seen("s2", "m3"), undefined);
  const none = new MemoryStore({ dedupeSize: 0 });
  none.createSession("s1", undefined, "r");
  none.remember("s1", "m1", {});
  assert.equal(none.seen("s1", "m1"), undefined);
});

Deno.test("dedupeTotal bounds the message ids of all sessions, forgetting the oldest", () => {
  const store = new MemoryStore({ dedupeSize: 3, dedupeTotal: 4 });
  store.createSession("s1", undefined, "r");
  store.createSession("s2", undefined, "r");
  store.remember("s1", "a1", { offset: 1 });
  store.remember("s1", "a2", { offset: 2 });
  store.remember("s2", "b1", { offset: 3 });
  store.remember("s2", "b2", { offset: 4 });
  assert.equal(store.counts().dedupeIds, 4);
  store.remember("s2", "b3", { offset: 5 }); // a1 goes, the oldest of all
  assert.equal(store.seen("s1", "a1"), undefined);
  assert.deepEqual(store.seen("s1", "a2"), { offset: 2 });
  store.remember("s2", "b4", { offset: 6 }); // b1 goes (s2 holds 3), not a2
  assert.deepEqual(store.seen("s1", "a2"), { offset: 2 });
  assert.equal(store.seen("s2", "b1"), undefined);
  assert.equal(store.counts().dedupeIds, 4);
  store.endSession("s2");
  assert.equal(store.counts().dedupeIds, 1);
  store.parkSession("s1", 10, 0);
  store.prune(10);
  assert.equal(store.counts().dedupeIds, 0);
});

Deno.test("past dedupeTotal the session that published least recently forgets first", () => {
  const store = new MemoryStore({ dedupeSize: 10, dedupeTotal: 4 });
  for (const id of ["s1", "s2", "s3"]) store.createSession(id, undefined, "r");
  store.remember("s1", "a1", { offset: 1 });
  store.remember("s2", "b1", { offset: 2 });
  store.remember("s1", "a2", { offset: 3 });
  store.remember("s2", "b2", { offset: 4 });
  store.remember("s1", "a3", { offset: 5 }); // s2 published last before s1: b1 goes
  assert.equal(store.seen("s2", "b1"), undefined);
  assert.deepEqual(store.seen("s1", "a1"), { offset: 1 });
  store.parkSession("s1", 1_000, 0);
  store.remember("s2", "b3", { offset: 6 }); // parked s1 published least recently
  assert.equal(store.seen("s1", "a1"), undefined);
  assert.deepEqual(store.seen("s1", "a2"), { offset: 3 });
  // A session down to no ids holds none: the next to forget is another's.
  store.remember("s3", "c1", { offset: 7 }); // a2
  store.remember("s3", "c2", { offset: 8 }); // a3, the last of s1's
  store.remember("s3", "c3", { offset: 9 }); // b2
  assert.equal(store.seen("s1", "a3"), undefined);
  assert.equal(store.seen("s2", "b2"), undefined);
  assert.deepEqual(store.seen("s2", "b3"), { offset: 6 });
  assert.equal(store.counts().dedupeIds, 4);
  store.remember("s3", "c3", { offset: 9 }); // known: nothing forgotten
  assert.deepEqual(store.seen("s2", "b3"), { offset: 6 });
  assert.equal(store.counts().dedupeIds, 4);
});

Deno.test("by default the store remembers 100,000 message ids in all", () => {
  const store = new MemoryStore();
  for (let s = 0; s < 100; s++) {
    store.createSession(`s${s}`, undefined, "r");
    for (let m = 0; m < 1_024; m++) store.remember(`s${s}`, `m${m}`, {});
  }
  assert.equal(store.counts().dedupeIds, 100_000);
});

Deno.test("the dedupe bound holds over many sessions and many ids", () => {
  const store = new MemoryStore({ dedupeSize: 1024, dedupeTotal: 5_000 });
  for (let s = 0; s < 100; s++) {
    store.createSession(`s${s}`, undefined, "r");
    for (let m = 0; m < 1_000; m++) store.remember(`s${s}`, `m${m}`, {});
    if (s % 3 === 1) store.endSession(`s${s}`);
    assert.ok(store.counts().dedupeIds! <= 5_000);
  }
  assert.equal(store.counts().dedupeIds, 5_000);
  assert.deepEqual(store.seen("s99", "m999"), {});
  assert.deepEqual(store.seen("s93", "m0"), {});
  assert.equal(store.seen("s92", "m999"), undefined);
});

Deno.test("members, presence versions and offsets follow joins, leaves and appends", () => {
  const store = new MemoryStore({ historySize: 0, epochId: () => "e1" });
  assert.equal(store.append("lobby", "chat", null, null), undefined);
  assert.deepEqual(store.join("lobby", { id: "a", data: 1 }), {
    members: [{ id: "a", data: 1 }],
    offset: 0,
    version: 1,
    epoch: "e1",
  });
  store.join("lobby", { id: "b", data: 2 });
  assert.equal(store.append("lobby", "chat", null, "a"), 1);
  assert.equal(store.append("lobby", "chat", null, "b"), 2);
  assert.equal(store.update("lobby", { id: "a", data: 3 }), 3);
  assert.deepEqual(store.channel("lobby"), {
    members: [{ id: "a", data: 3 }, { id: "b", data: 2 }],
    offset: 2,
    version: 3,
    epoch: "e1",
  });
  assert.equal(store.leave("lobby", "a"), 4);
  assert.equal(store.leave("lobby", "b"), 5);
  // Without history, an empty channel is forgotten, offset and all.
  assert.deepEqual(store.channel("lobby"), {
    members: [],
    offset: 0,
    version: 0,
    epoch: "",
  });
});

Deno.test("MemoryStore options are checked strictly", () => {
  assert.throws(
    () => new MemoryStore({ dedupe: 1 } as never),
    (e: unknown) => e instanceof TypeError && /dedupeSize/.test(e.message),
  );
  assert.throws(() => new MemoryStore({ dedupeSize: -1 }), RangeError);
  assert.throws(() => new MemoryStore({ historySize: -1 }), RangeError);
  assert.throws(() => new MemoryStore({ historyTtl: -1 }), RangeError);
  assert.throws(
    () => new MemoryStore({ epochId: "e" as unknown as () => string }),
    TypeError,
  );
});

Deno.test("join lists the members up to its bound, else counts them", () => {
  const store = new MemoryStore({ epochId: () => "e1" });
  store.join("room", { id: "a", data: 1 });
  assert.deepEqual(store.join("room", { id: "b", data: 2 }, 2).members, [
    { id: "a", data: 1 },
    { id: "b", data: 2 },
  ]);
  assert.deepEqual(store.join("room", { id: "c", data: 3 }, 2), {
    members: [],
    count: 3,
    offset: 0,
    version: 3,
    epoch: "e1",
  });
});
