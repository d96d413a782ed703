/**
 * The Durable Object adapter and its SQLite store, on a stand-in runtime:
 * Node's SQLite (`node:sqlite`) as `ctx.storage.sql`, sockets whose
 * attachments are structured clones, and an alarm the test fires. A "wake"
 * is a second `durableObjectRelay` over the same storage and sockets, as
 * the runtime builds a new object after an eviction. workerd itself runs in
 * `tests/e2e/durable_object_hibernation_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  durableObjectRelay,
  type DurableObjectRelayOptions,
  DurableObjectStore,
  type HibernatableWebSocket,
  type SqlStorage,
} from "../../../src/relay/adapters/durable_object.ts";
import { MemoryStore, type RelayStore } from "../../../src/relay/mod.ts";
import { type FakeClock, fakeClock } from "../_harness.ts";

function sqlite(): SqlStorage & Disposable {
  const db = new DatabaseSync(":memory:");
  return {
    exec(query, ...bindings) {
      const rows = db.prepare(query).all(...bindings) as Record<
        string,
        unknown
      >[];
      return { toArray: () => rows };
    },
    [Symbol.dispose]: () => db.close(),
  };
}

class Socket implements HibernatableWebSocket {
  readonly sent: string[] = [];
  closed: number | undefined;
  #attachment: unknown = null;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closed = code;
  }
  serializeAttachment(value: unknown): void {
    const text = JSON.stringify(value);
    if (text.length > 2048) throw new RangeError("attachment over 2 KiB");
    this.#attachment = structuredClone(value);
  }
  deserializeAttachment(): unknown {
    return this.#attachment;
  }
  frames(): Record<string, unknown>[] {
    return this.sent.filter((t) => t.startsWith("{")).map((t) => JSON.parse(t));
  }
}

/** A Durable Object's runtime, for the adapter. */
class Runtime implements Disposable {
  readonly sockets: Socket[] = [];
  readonly alarms: number[] = [];
  readonly sql = sqlite();
  readonly autoResponses = new Map<HibernatableWebSocket, Date>();
  readonly clock: FakeClock = fakeClock();
  autoResponse: unknown;
  readonly ctx = {
    acceptWebSocket: (ws: HibernatableWebSocket) =>
      void this.sockets.push(ws as Socket),
    getWebSockets: () => this.sockets.filter((s) => s.closed === undefined),
    setWebSocketAutoResponse: (pair: unknown) =>
      void (this.autoResponse = pair),
    getWebSocketAutoResponseTimestamp: (ws: HibernatableWebSocket) =>
      this.autoResponses.get(ws) ?? null,
    storage: {
      sql: this.sql,
      setAlarm: (at: number) => void this.alarms.push(at),
    },
  };

  /** A relay object: the first, or the one a wake builds. */
  object(options: DurableObjectRelayOptions = {}) {
    return durableObjectRelay(this.ctx, {
      clock: this.clock,
      webSocketPair: () => ({ 0: new Socket(), 1: new Socket() }),
      autoResponse: class {
        constructor(readonly request: string, readonly response: string) {}
      },
      ...options,
    });
  }

  /** Upgrades a socket on `object` and says hello. */
  async connect(
    object: ReturnType<Runtime["object"]>,
    hello: Record<string, unknown> = {},
  ): Promise<Socket> {
    const request = new Request("http://do/ws", {
      headers: { upgrade: "websocket" },
    });
    // A 101 Response exists in workerd only.
    await object.fetch(request).catch((e) =>
      assert.ok(e instanceof RangeError)
    );
    const ws = this.sockets.at(-1)!;
    object.webSocketMessage(
      ws,
      JSON.stringify({ type: "hello", v: 1, ...hello }),
    );
    return ws;
  }

  [Symbol.dispose](): void {
    this.sql[Symbol.dispose]();
  }
}

Deno.test("durableObjectRelay lets the runtime answer ping with pong", () => {
  using runtime = new Runtime();
  runtime.object();
  assert.deepEqual(
    { ...runtime.autoResponse as object },
    { request: "ping", response: "pong" },
  );
});

Deno.test("durableObjectRelay refuses the options it sets itself", () => {
  using runtime = new Runtime();
  for (const option of [{ store: new MemoryStore() }, { sweepTimer: true }]) {
    assert.throws(
      () => runtime.object(option as DurableObjectRelayOptions),
      TypeError,
    );
  }
});

Deno.test("durableObjectRelay refuses a frame limit its storage cannot keep", () => {
  using runtime = new Runtime();
  assert.throws(
    () => runtime.object({ limits: { frameBytes: 2_000_001 } }),
    RangeError,
  );
  runtime.object({ limits: { frameBytes: 2_000_000 } }).relay.close();
});

Deno.test("a wake rebuilds every socket: same session, channels and dedupe", async () => {
  using runtime = new Runtime();
  const before = runtime.object();
  const ann = await runtime.connect(before, { profile: "ann" });
  const bob = await runtime.connect(before);
  for (const ws of [ann, bob]) {
    before.webSocketMessage(ws, '{"type":"join","channel":"lobby"}');
  }
  const pub = (ref: number) =>
    `{"type":"pub","ref":${ref},"channel":"lobby","event":"chat","mid":"m1"}`;
  before.webSocketMessage(ann, pub(1));
  const session = ann.frames()[0].session;

  const after = runtime.object();
  after.webSocketMessage(ann, pub(2));
  after.webSocketMessage(
    ann,
    '{"type":"pub","ref":3,"channel":"lobby","event":"chat"}',
  );
  const acks = ann.frames().filter((f) => f.type === "ack");
  assert.deepEqual(acks.map((f) => f.data), [
    { offset: 1 },
    { offset: 1 },
    { offset: 2 },
  ]);
  const heard = bob.frames().filter((f) => f.type === "msg");
  assert.deepEqual(heard.map((f) => [f.offset, f.sender]), [
    [1, session],
    [2, session],
  ]);
  assert.deepEqual(after.relay.members("lobby").map((m) => m.data), [
    "ann",
    null,
  ]);
});

Deno.test("a snapshot too large for the attachment is kept in storage and restored", async () => {
  using runtime = new Runtime();
  const before = runtime.object();
  const big = "x".repeat(3000);
  const ann = await runtime.connect(before, { profile: big });
  before.webSocketMessage(ann, '{"type":"join","channel":"lobby"}');
  assert.equal(
    (ann.deserializeAttachment() as { snapshot?: unknown }).snapshot,
    undefined,
  );
  const after = runtime.object();
  assert.deepEqual(after.relay.members("lobby").map((m) => m.data), [big]);
  after.webSocketMessage(
    ann,
    '{"type":"pub","ref":1,"channel":"lobby","event":"chat"}',
  );
  assert.equal(ann.frames().at(-1)!.ok, true);
});

Deno.test("a member whose socket closed while the object was gone leaves after its grace, from the alarm", async () => {
  using runtime = new Runtime();
  const before = runtime.object({ presenceGrace: 1_000 });
  const ann = await runtime.connect(before, { profile: "ann" });
  const bob = await runtime.connect(before, { profile: "bob" });
  for (const ws of [ann, bob]) {
    before.webSocketMessage(ws, '{"type":"join","channel":"lobby"}');
  }
  ann.closed = 1006; // gone while no object was in memory to hear it

  const after = runtime.object({ presenceGrace: 1_000 });
  // Back in its presence grace, from the wake on.
  assert.deepEqual(after.relay.members("lobby").map((m) => m.data).sort(), [
    "ann",
    "bob",
  ]);
  assert.equal(runtime.alarms.at(-1), 1_000);
  runtime.clock.tick(1_000);
  after.alarm();
  assert.deepEqual(after.relay.members("lobby").map((m) => m.data), ["bob"]);
  const leave = bob.frames().at(-1)!;
  assert.equal(leave.type, "presence");
  assert.equal(leave.action, "leave");
});

Deno.test("the alarm reads auto-answered pings, so only silent sockets are swept", async () => {
  using runtime = new Runtime();
  const object = runtime.object({ heartbeat: { interval: 100, timeout: 100 } });
  const pinging = await runtime.connect(object);
  const silent = await runtime.connect(object);
  assert.equal(runtime.alarms.at(-1), 201);
  runtime.clock.tick(150);
  runtime.autoResponses.set(pinging, new Date(150));
  runtime.clock.tick(51);
  object.alarm();
  assert.equal(silent.closed, 4408);
  assert.equal(pinging.closed, undefined);
  assert.equal(runtime.alarms.at(-1), 351);
});

Deno.test("wakes do not move a silent socket's heartbeat deadline", async () => {
  using runtime = new Runtime();
  const heartbeat = { interval: 100, timeout: 100 };
  let object = runtime.object({ heartbeat });
  const silent = await runtime.connect(object);
  const talker = await runtime.connect(object);
  // The talker wakes a new object every 50 ms; the silent socket says nothing.
  for (let t = 50; t <= 200; t += 50) {
    runtime.clock.tick(50);
    object = runtime.object({ heartbeat });
    object.webSocketMessage(talker, '{"type":"members","ref":1,"channel":"x"}');
  }
  runtime.clock.tick(1);
  object.alarm();
  assert.equal(silent.closed, 4408);
  assert.equal(talker.closed, undefined);
});

Deno.test("wakes do not move the hello deadline of a socket that never says hello", async () => {
  using runtime = new Runtime();
  const options = { helloTimeout: 1_000 };
  let object = runtime.object(options);
  await object.fetch(
    new Request("http://do/ws", { headers: { upgrade: "websocket" } }),
  ).catch((e) => assert.ok(e instanceof RangeError));
  const mute = runtime.sockets.at(-1)!;
  // Other sockets wake a new object every 400 ms; this one only waits.
  for (let t = 400; t < 1_000; t += 400) {
    runtime.clock.tick(400);
    object = runtime.object(options);
  }
  assert.equal(runtime.alarms.at(-1), 1_000);
  runtime.clock.tick(200);
  object.alarm();
  assert.equal(mute.closed, 4408);
  assert.deepEqual(mute.frames(), [
    { type: "bye", reason: "timeout", reconnect: true },
  ]);
});

Deno.test("openSockets counts the object's sockets; close says bye to each", async () => {
  using runtime = new Runtime();
  const object = runtime.object();
  const ann = await runtime.connect(object);
  await runtime.connect(object);
  assert.equal(object.openSockets, 2);
  assert.equal(await object.close(), true);
  assert.equal(ann.closed, 1012);
  assert.equal(ann.frames().at(-1)!.type, "bye");
  assert.equal(object.openSockets, 0);
});

Deno.test("a close from the client is answered, with 1000 for a code that cannot be sent", async () => {
  using runtime = new Runtime();
  const object = runtime.object();
  const ann = await runtime.connect(object);
  object.webSocketClose(ann, 1006, "");
  assert.equal(ann.closed, 1000);
  assert.equal(object.relay.stats().connections, 0);
});

// ------------------------------------------------------------ the store

type Step = (store: RelayStore, clock: FakeClock) => unknown;

/**
 * The same steps on a MemoryStore and on DurableObjectStores over one
 * storage (a new one at each step, as each wake makes) answer the same.
 */
function sameAsMemory(
  name: string,
  options: {
    dedupeSize?: number;
    dedupeTotal?: number;
    historySize?: number;
    historyTtl?: number;
  },
  steps: Step[],
) {
  Deno.test(`DurableObjectStore answers as MemoryStore: ${name}`, () => {
    using sql = sqlite();
    const counter = () => {
      let n = 0;
      return () => `e${++n}`;
    };
    const [memoryClock, sqlClock] = [fakeClock(), fakeClock()];
    const memory = new MemoryStore({
      ...options,
      clock: memoryClock,
      epochId: counter(),
    });
    const sqlEpoch = counter();
    for (const [i, step] of steps.entries()) {
      const expected = step(memory, memoryClock);
      const woken = new DurableObjectStore(sql, {
        ...options,
        clock: sqlClock,
        epochId: sqlEpoch,
      });
      assert.deepEqual(step(woken, sqlClock), expected, `step ${i}`);
    }
  });
}

sameAsMemory("sessions, parking, resuming", {}, [
  (s) => s.createSession("s1", "u1", "r1"),
  (s) => s.parkSession("s1", 1_000, 0),
  (s) => s.counts?.(),
  (s) => s.resumeSession("s1", "u2", 10, "r1"),
  (s) => s.resumeSession("s1", "u1", 10, "nope"),
  (s) => s.resumeSession("s1", "u1", 10, "r1"),
  (s) => s.resumeSession("s1", "u1", 10, "r1"),
  (s) => s.parkSession("s1", 1_000, 0),
  (s) => s.resumeSession("s1", "u1", 1_000, "r1"),
  (s) => s.counts?.(),
]);

sameAsMemory("dedupe ids within the session's bound", { dedupeSize: 2 }, [
  (s) => s.createSession("s1", undefined, "r"),
  (s) => s.remember("s1", "a", { offset: 1 }),
  (s) => s.remember("s1", "b", { offset: 2 }),
  (s) => s.remember("s1", "c", { offset: 3 }),
  (s) => [s.seen("s1", "a"), s.seen("s1", "b"), s.seen("s1", "c")],
  (s) => s.remember("nobody", "a", { offset: 1 }),
  (s) => s.counts?.(),
  (s) => s.endSession("s1"),
  (s) => s.seen("s1", "b"),
]);

sameAsMemory("dedupe ids within the store's bound", { dedupeTotal: 3 }, [
  (s) => s.createSession("s1", undefined, "r"),
  (s) => s.createSession("s2", undefined, "r"),
  (s) => s.remember("s1", "a", { offset: 1 }),
  (s) => s.remember("s2", "b", { offset: 2 }),
  (s) => s.remember("s1", "c", { offset: 3 }),
  (s) => s.remember("s2", "d", { offset: 4 }),
  (s) => [s.seen("s1", "a"), s.seen("s2", "b"), s.seen("s1", "c")],
  (s) => s.counts?.(),
]);

sameAsMemory("members, versions, offsets and history", { historySize: 2 }, [
  (s) => s.join("lobby", { id: "a", data: { name: "ann" } }),
  (s) => s.join("lobby", { id: "b", data: null }),
  (s) => s.update("lobby", { id: "a", data: "ann 2" }),
  (s) => s.append("lobby", "chat", { n: 1 }, "a"),
  (s) => s.append("lobby", "chat", undefined, null),
  (s) => s.append("lobby", "chat", 3, "b"),
  (s) => s.channel("lobby"),
  (s) => s.history("lobby", { epoch: "e1", offset: 1 }),
  (s) => s.history("lobby", { epoch: "e1", offset: 0 }),
  (s) => s.history("lobby", { epoch: "e0", offset: 1 }),
  (s) => s.history("lobby", { epoch: "e1", offset: 3 }),
  (s) => s.append("nowhere", "chat", 1, null),
  (s) => s.leave("lobby", "a"),
  (s) => s.leave("lobby", "b"),
  (s) => s.channel("lobby"),
]);

sameAsMemory("an empty channel is forgotten once its history expires", {
  historyTtl: 100,
}, [
  (s) => s.join("lobby", { id: "a", data: null }),
  (s) => s.append("lobby", "chat", 1, "a"),
  (s) => s.leave("lobby", "a"),
  (s, clock) => {
    clock.tick(50);
    return s.append("lobby", "chat", 2, null);
  },
  (s, clock) => {
    clock.tick(150);
    return s.append("lobby", "chat", 3, null);
  },
  (s) => s.channel("lobby"),
  (s) => s.join("lobby", { id: "a", data: null }),
]);
