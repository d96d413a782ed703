import assert from "node:assert/strict";
import { createTestClock, type TestClock } from "../_fake_clock.ts";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { Relay, type RelayOptions } from "../../src/relay/mod.ts";
import {
  type MemberEvent,
  RealtimeManager,
  type RealtimeManagerOptions,
  type RealtimeMessage,
} from "../../src/client/realtime_manager.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import {
  WebSocketChannel,
  type WebSocketChannelOptions,
} from "../../src/client/websocket_channel.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import {
  type LinkedSocket,
  type RelayLink,
  relayLink,
} from "../_relay_link.ts";

const URL_ = "ws://relay.test/ws";
const RETRY_MS = 100;

/** A relay behind an in-memory network, a fake clock, and managers on it. */
class World implements AsyncDisposable {
  readonly clock: TestClock = createTestClock();
  readonly link: RelayLink;
  readonly managers: RealtimeManager[] = [];
  #sockets = new Map<RealtimeManager, LinkedSocket[]>();

  constructor(relayOptions: RelayOptions = {}) {
    this.link = relayLink(new Relay({ clock: this.clock, ...relayOptions }));
  }

  manager(options: RealtimeManagerOptions = {}): RealtimeManager {
    const mine: LinkedSocket[] = [];
    const Base = this.link.WebSocket;
    class Mine extends (Base as new (url: string) => LinkedSocket) {
      constructor(url: string) {
        super(url);
        mine.push(this);
      }
    }
    const manager = new RealtimeManager(URL_, {
      WebSocket: Mine,
      clock: this.clock,
      backoff: new ConstantBackoff(RETRY_MS),
      keepalive: false,
      ...options,
    });
    this.managers.push(manager);
    this.#sockets.set(manager, mine);
    return manager;
  }

  /** A manager that has been welcomed. */
  async connected(
    options: RealtimeManagerOptions = {},
  ): Promise<RealtimeManager> {
    const manager = this.manager(options);
    await connectedOnce(manager);
    return manager;
  }

  /** The manager's current (latest) socket. */
  socket(manager: RealtimeManager): LinkedSocket {
    const socket = this.#sockets.get(manager)?.at(-1);
    assert.ok(socket, "the manager made no socket");
    return socket;
  }

  /** Cuts a manager's connection; it retries after RETRY_MS of fake time. */
  drop(manager: RealtimeManager): void {
    this.socket(manager).drop();
  }

  /** Lets the retry happen and waits for the welcome. */
  async reconnect(manager: RealtimeManager): Promise<void> {
    const back = connectedOnce(manager);
    this.clock.tick(RETRY_MS);
    await back;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.managers.map((m) => m.close()));
    this.link.relay.close();
  }
}

function connectedOnce(manager: RealtimeManager): Promise<void> {
  return new Promise((resolve) => {
    const off = manager.onConnect(() => {
      off();
      resolve();
    });
  });
}

function next<T>(
  register: (listener: (value: T) => void) => () => void,
): Promise<T> {
  return new Promise((resolve) => {
    const off = register((value) => {
      off();
      resolve(value);
    });
  });
}

function collect(manager: RealtimeManager, event: string): RealtimeMessage[] {
  const heard: RealtimeMessage[] = [];
  manager.on(event, (message) => heard.push(message));
  return heard;
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RealtimeError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

function frames(sent: readonly unknown[]): Record<string, unknown>[] {
  return sent.filter((s): s is string => typeof s === "string" && s !== "ping")
    .map((s) => JSON.parse(s));
}

async function pair(world: World, channel = "room") {
  const alice = await world.connected();
  const bob = await world.connected();
  await alice.join(channel);
  await bob.join(channel);
  return { alice, bob };
}

// ---------------------------------------------------------------- acks

Deno.test("send resolves on the ack and reaches members with the sender's id", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const heard = next<RealtimeMessage>((l) => bob.on("chat", l));
  await alice.send("room", "chat", { text: "hi" });
  assert.deepEqual(await heard, {
    channel: "room",
    event: "chat",
    message: { text: "hi" },
    senderId: alice.getSocketId(),
    offset: 1,
  });
});

Deno.test("requests reject with the relay's codes", async () => {
  await using world = new World({
    limits: { channels: 1 },
    authorize: (_identity, _action, channel) => channel !== "secret",
  });
  const alice = await world.connected();
  await rejects(alice.join("secret"), "forbidden");
  await alice.join("a");
  await rejects(alice.join("b"), "too_many_channels");
  await rejects(alice.send("b", "chat", 1), "not_joined");
  await rejects(alice.getMembers("b"), "not_joined");
});

Deno.test("event names that impersonate presence reject with bad_event", async () => {
  await using world = new World();
  const alice = await world.connected();
  await alice.join("a");
  const sent = world.socket(alice).sent.length;
  for (const event of ["channel:join", "channel:leave", "channel:update"]) {
    await rejects(alice.send("a", event, 1), "bad_event");
    await rejects(alice.broadcast(event, 1), "bad_event");
  }
  assert.equal(world.socket(alice).sent.length, sent);
  await alice.send("a", "channel", 1); // only the prefix is reserved
});

Deno.test("bad names reject without a round trip", async () => {
  await using world = new World();
  const alice = await world.connected();
  const sent = world.socket(alice).sent.length;
  await rejects(alice.join("has space"), "bad_channel");
  await rejects(alice.send("", "chat", 1), "bad_channel");
  await rejects(alice.broadcast("", 1), "bad_event");
  await rejects(alice.join(42 as unknown as string), "bad_channel");
  await assert.rejects(
    alice.send("a", "e", 1, "yes" as unknown as boolean),
    TypeError,
  );
  await assert.rejects(alice.send("a", "e", 10n), TypeError);
  assert.equal(world.socket(alice).sent.length, sent);
});

Deno.test("a burst over the relay's rate rejects with rate_limited", async () => {
  await using world = new World({ limits: { rate: 1, burst: 3 } });
  const alice = await world.connected(); // hello: no token
  await alice.join("a"); // 1
  const results = await Promise.allSettled(
    [1, 2, 3, 4].map((n) => alice.send("a", "chat", n)),
  );
  assert.deepEqual(results.map((r) => r.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
    "rejected",
  ]);
  const reason = (results[3] as PromiseRejectedResult).reason;
  assert.equal(reason.code, "rate_limited");
});

Deno.test("a request the relay never answers rejects with timeout", async () => {
  const clock = createTestClock();
  const fakes = fakeWebSockets();
  await using manager = new RealtimeManager(URL_, {
    WebSocket: fakes.WebSocket,
    clock,
    keepalive: false,
    ackTimeout: 500,
  });
  fakes.last.open();
  fakes.last.receive(
    '{"type":"welcome","v":1,"session":"s1","limits":{"frameBytes":1000,"channels":9,"rate":0,"burst":0,"profileBytes":99,"channelLength":20},"heartbeat":{}}',
  );
  const join = manager.join("a");
  clock.tick(499);
  const late = manager.send("a", "e", "x".repeat(2000));
  clock.tick(1);
  await rejects(join, "timeout");
  await rejects(late, "too_large");
});

// ---------------------------------------------------------------- echo

Deno.test("a per-call echo overrides the option on the live path", async () => {
  await using world = new World();
  const alice = await world.connected();
  const quiet = await world.connected({ echoMessages: false });
  await alice.join("room");
  await quiet.join("room");
  const aliceHeard = collect(alice, "chat");
  const quietHeard = collect(quiet, "chat");
  await alice.send("room", "chat", "a1", false);
  await alice.send("room", "chat", "a2");
  await quiet.send("room", "chat", "q1");
  await quiet.send("room", "chat", "q2", true);
  assert.deepEqual(aliceHeard.map((m) => m.message), ["a2", "q1", "q2"]);
  assert.deepEqual(quietHeard.map((m) => m.message), ["a1", "a2", "q2"]);
});

Deno.test("a per-call echo holds on the buffered path", async () => {
  await using world = new World();
  const alice = await world.connected();
  const quiet = await world.connected({ echoMessages: false });
  await alice.join("room");
  await quiet.join("room");
  const aliceHeard = collect(alice, "chat");
  const quietHeard = collect(quiet, "chat");
  world.drop(alice);
  world.drop(quiet);
  assert.equal(alice.isConnected(), false);
  const sends = [
    alice.send("room", "chat", "a1", false),
    alice.send("room", "chat", "a2"),
    quiet.send("room", "chat", "q1"),
    quiet.send("room", "chat", "q2", true),
  ];
  await world.reconnect(alice);
  await Promise.all(sends);
  assert.deepEqual(aliceHeard.map((m) => m.message), ["a2", "q1", "q2"]);
  assert.deepEqual(quietHeard.map((m) => m.message), ["a1", "a2", "q2"]);
});

Deno.test("a member hears its own presence only with echo", async () => {
  await using world = new World();
  const alice = await world.connected();
  const bob = await world.connected();
  await bob.join("room");
  const aliceSaw: string[] = [];
  const bobSaw: string[] = [];
  alice.onAny((name, payload) =>
    aliceSaw.push(
      `${name} ${
        (payload as MemberEvent).member?.id === alice.getSocketId()
          ? "self"
          : "other"
      }`,
    )
  );
  bob.onJoin((e) => bobSaw.push(`join ${e.member.id === alice.getSocketId()}`));
  bob.onUpdate((e) => bobSaw.push(`update ${JSON.stringify(e.member.data)}`));
  bob.onLeave((e) =>
    bobSaw.push(`leave ${e.member.id === alice.getSocketId()}`)
  );
  await alice.join("room", false);
  await alice.updateProfile({ name: "A" }, false);
  await alice.updateProfile({ name: "B" });
  await alice.leave("room");
  assert.deepEqual(aliceSaw, ["channel:update self", "channel:leave self"]);
  assert.deepEqual(bobSaw, [
    "join true",
    'update {"name":"A"}',
    'update {"name":"B"}',
    "leave true",
  ]);
});

// ---------------------------------------------------------------- buffering

Deno.test("publishes made while disconnected are delivered after the reconnect, in order", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const heard = collect(bob, "chat");
  world.drop(alice);
  const sends = [1, 2, 3].map((n) => alice.send("room", "chat", n));
  sends.push(alice.broadcast("all", 4));
  await world.reconnect(alice);
  await Promise.all(sends);
  assert.deepEqual(heard.map((m) => m.message), [1, 2, 3]);
});

Deno.test("with bufferMessages off, publishes while disconnected reject", async () => {
  await using world = new World();
  const alice = await world.connected({ bufferMessages: false });
  await alice.join("room");
  world.drop(alice);
  await rejects(alice.send("room", "chat", 1), "not_connected");
  await rejects(alice.broadcast("chat", 1), "not_connected");
  await world.reconnect(alice);
  await alice.send("room", "chat", 2);
});

Deno.test("a publish in flight when the connection drops is resent once, with its mid", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const heard: unknown[] = [];
  bob.on("chat", (m) => {
    heard.push(m.message);
    // The relay has delivered it; its ack to alice is still on the wire.
    if (heard.length === 1) world.drop(alice);
  });
  const first = world.socket(alice);
  const down = next<string>((l) => alice.onDisconnect(l));
  const send = alice.send("room", "chat", "once", false);
  await down;
  await world.reconnect(alice);
  await send;
  await alice.send("room", "chat", "after", false);
  assert.deepEqual(heard, ["once", "after"]);
  const pubOf = (socket: LinkedSocket) =>
    frames(socket.sent).find((f) => f.type === "pub" && f.data === "once");
  assert.equal(pubOf(world.socket(alice))?.mid, pubOf(first)?.mid);
  assert.equal(world.link.relay.stats().duplicates, 1);
});

// ---------------------------------------------------------------- reconnect

Deno.test("after a reconnect: hello with the session and profile, rejoins, then the queue", async () => {
  await using world = new World();
  const alice = await world.connected({ profile: { name: "alice" } });
  const session = alice.getSocketId();
  await alice.join("a");
  await alice.join("b");
  world.drop(alice);
  const requests = [
    alice.join("a"),
    alice.send("a", "chat", 1),
    alice.join("c"),
    alice.join("c"),
    alice.updateProfile({ name: "alice2" }),
    alice.send("c", "chat", 2),
  ];
  await world.reconnect(alice);
  await Promise.all(requests);
  assert.equal(alice.getSocketId(), session);
  const sent = frames(world.socket(alice).sent).map((f) => {
    const { ref: _, mid: __, ...rest } = f;
    return rest;
  });
  assert.deepEqual(sent, [
    { type: "hello", v: 1, session, profile: { name: "alice" } },
    { type: "join", channel: "a", echo: true },
    { type: "join", channel: "b", echo: true },
    { type: "pub", channel: "a", event: "chat", data: 1, echo: true },
    { type: "join", channel: "c", echo: true },
    { type: "update", profile: { name: "alice2" }, echo: true },
    { type: "pub", channel: "c", event: "chat", data: 2, echo: true },
  ]);
  const members = await alice.getMembers("a");
  assert.deepEqual(members, [{ id: session, data: { name: "alice2" } }]);
});

Deno.test("autoJoinChannels off leaves rejoining to onConnect", async () => {
  await using world = new World();
  const alice = await world.connected({ autoJoinChannels: false });
  await alice.join("a");
  let rejoined: Promise<void> | undefined;
  alice.onConnect(() => rejoined = alice.join("b"));
  world.drop(alice);
  await world.reconnect(alice);
  await rejoined;
  await rejects(alice.getMembers("a"), "not_joined");
  assert.equal((await alice.getMembers("b")).length, 1);
});

Deno.test("onDisconnect and onReconnectAttempt report the outage", async () => {
  await using world = new World();
  const alice = await world.connected();
  const reasons: string[] = [];
  const attempts: number[] = [];
  alice.onDisconnect((reason) => reasons.push(reason));
  alice.onReconnectAttempt((n) => attempts.push(n));
  world.link.refuse = true;
  world.drop(alice);
  world.clock.tick(RETRY_MS);
  await Promise.resolve();
  world.link.refuse = false;
  await world.reconnect(alice);
  assert.deepEqual(reasons, ["closed with code 1006"]);
  assert.deepEqual(attempts, [1, 2]);
});

Deno.test("requests reject with closed when the manager gives up reconnecting", async () => {
  await using world = new World();
  const alice = await world.connected({ maxRetries: 1 });
  world.link.refuse = true;
  world.drop(alice);
  const send = alice.send("room", "chat", 1);
  const gaveUp = next<Error>((l) => alice.onError(l));
  world.clock.tick(RETRY_MS);
  await rejects(send, "closed");
  await gaveUp;
  await rejects(alice.join("a"), "closed");
});

// ---------------------------------------------------------------- open / close

Deno.test("close() is terminal until open(); open() is otherwise a no-op", async () => {
  await using world = new World();
  const alice = await world.connected();
  await alice.join("a");
  alice.open();
  assert.equal(world.link.sockets.length, 1);
  const reasons: string[] = [];
  alice.onDisconnect((reason) => reasons.push(reason));
  world.drop(alice);
  const waiting = alice.send("a", "chat", 1);
  await alice.close();
  await rejects(waiting, "closed");
  assert.equal(alice.isConnected(), false);
  assert.equal(alice.getSocketId(), null);
  await rejects(alice.send("a", "chat", 2), "closed");
  world.clock.tick(RETRY_MS * 10);
  assert.equal(world.link.sockets.length, 1);
  const back = connectedOnce(alice);
  alice.open();
  await back;
  assert.equal(alice.isConnected(), true);
  assert.equal((await alice.getMembers("a")).length, 1);
  assert.deepEqual(reasons, ["closed with code 1006"]);
});

Deno.test("close() rejects the requests in flight and reports the disconnect", async () => {
  await using world = new World();
  const alice = await world.connected();
  const reason = next<string>((l) => alice.onDisconnect(l));
  const join = alice.join("a");
  const closed = alice.close();
  await rejects(join, "closed");
  assert.equal(await reason, "closed");
  await closed;
});

// ---------------------------------------------------------------- listeners

Deno.test("on, once, off and onAny", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const log: string[] = [];
  const a = (m: RealtimeMessage) => log.push(`a ${m.message}`);
  const b = (m: RealtimeMessage) => log.push(`b ${m.message}`);
  bob.on("chat", a);
  const offB = bob.on("chat", b);
  bob.once("chat", (m) => log.push(`once ${m.message}`));
  const any = (name: string, p: unknown) =>
    log.push(`any ${name} ${(p as RealtimeMessage).message}`);
  bob.onAny(any);
  await alice.send("room", "chat", 1);
  offB();
  bob.offAny(any);
  await alice.send("room", "chat", 2);
  bob.off("chat", a);
  await alice.send("room", "chat", 3);
  bob.on("chat", a);
  bob.on("chat", b);
  bob.off("chat");
  await alice.send("room", "chat", 4);
  assert.deepEqual(log, ["a 1", "b 1", "once 1", "any chat 1", "a 2"]);
});

Deno.test("a throwing listener goes to onError and the others still hear", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const errors: Error[] = [];
  bob.onError((e) => errors.push(e));
  bob.on("chat", () => {
    throw new Error("boom");
  });
  const heard = next<RealtimeMessage>((l) => bob.on("chat", l));
  await alice.send("room", "chat", 1);
  assert.equal((await heard).message, 1);
  assert.deepEqual(errors.map((e) => e.message), ["boom"]);
});

Deno.test("broadcast reaches connections that joined nothing, with channel null", async () => {
  await using world = new World();
  const alice = await world.connected();
  const bob = await world.connected();
  const heard = next<RealtimeMessage>((l) => bob.on("news", l));
  await alice.broadcast("news", "hello all");
  assert.deepEqual(await heard, {
    channel: null,
    event: "news",
    message: "hello all",
    senderId: alice.getSocketId(),
  });
});

Deno.test("onUserEvent hears events sent to the user, by name or all", async () => {
  await using world = new World();
  world.link.identity = { userId: "u1" };
  const alice = await world.connected();
  const named = next<unknown>((l) => alice.onUserEvent("invoice", l));
  const all = next<unknown>((l) => alice.onUserEvent(l));
  assert.equal(world.link.relay.sendToUser("u1", "invoice", { total: 3 }), 1);
  const expected = { event: "invoice", message: { total: 3 } };
  assert.deepEqual(await named, expected);
  assert.deepEqual(await all, expected);
});

// ---------------------------------------------------------------- channels

Deno.test("a channel view joins, streams its messages and tracks the connection", async () => {
  await using world = new World();
  const alice = await world.connected();
  const bob = await world.connected();
  const room = alice.channel("room");
  assert.equal(alice.channel("room"), room);
  const states: string[] = [];
  room.status.subscribe((s) => states.push(s.type));
  await room.connect();
  assert.equal(room.isConnected, true);
  await bob.join("room");
  const iterator = room.messages[Symbol.asyncIterator]();
  await bob.send("room", "chat", "hi");
  const { value } = await iterator.next();
  assert.equal(value.channelId, "room");
  assert.equal(value.type, "chat");
  assert.equal(value.payload, "hi");
  assert.equal(value.senderId, bob.getSocketId());
  assert.equal(value.offset, 1);
  await iterator.return!();
  const echoed = next<unknown>((l) => bob.on("message", l));
  await room.send({ n: 1 });
  assert.deepEqual((await echoed as RealtimeMessage).message, { n: 1 });
  world.drop(alice);
  await world.reconnect(alice);
  await room.disconnect();
  await room.dispose();
  assert.deepEqual(states, [
    "disconnected",
    "connecting",
    "connected",
    "reconnecting",
    "connected",
    "disconnected",
  ]);
  assert.notEqual(alice.channel("room"), room);
});

Deno.test("RealtimeManager validates its options at construction", () => {
  assert.throws(() => new RealtimeManager("not a url"), {
    name: "TypeError",
    message:
      "Cannot create RealtimeManager as 'url' must be a WebSocket URL: current value is not a url",
  });
  const invalid = (options: Record<string, unknown>) => () =>
    new RealtimeManager(URL_, options as RealtimeManagerOptions);
  assert.throws(invalid({ echoMessages: "no" }), {
    name: "TypeError",
    message:
      "Cannot create RealtimeManager as 'echoMessages' must be a boolean: current value is no",
  });
  assert.throws(invalid({ bufferMessages: 0 }), TypeError);
  assert.throws(invalid({ autoJoinChannels: null }), TypeError);
  assert.throws(invalid({ token: 42 }), {
    name: "TypeError",
    message: /'token' must be a string or a function/,
  });
  assert.throws(invalid({ ackTimeout: 0 }), {
    name: "RangeError",
    message:
      "Cannot create RealtimeManager as 'ackTimeout' must be positive: current value is 0",
  });
  assert.throws(invalid({ maxQueued: -1 }), {
    name: "RangeError",
    message: /'maxQueued' must be non-negative/,
  });
});

Deno.test("WebSocketChannel validates its options at construction", () => {
  assert.throws(
    () => new WebSocketChannel(null as unknown as WebSocketChannelOptions),
    { name: "TypeError", message: /'options' must be an object/ },
  );
  assert.throws(
    () =>
      new WebSocketChannel({
        url: URL_,
        channelId: 7 as unknown as string,
      }),
    {
      name: "TypeError",
      message:
        "Cannot create WebSocketChannel as 'channelId' must be a string: current value is 7",
    },
  );
  assert.throws(
    () => new WebSocketChannel({ url: URL_, channelId: "c", pingInterval: -1 }),
    {
      name: "RangeError",
      message:
        "Cannot create WebSocketChannel as 'pingInterval' must be non-negative: current value is -1",
    },
  );
});

Deno.test("WebSocketChannel owns its connection", async () => {
  await using world = new World();
  const bob = await world.connected();
  await bob.join("lobby");
  const channel = new WebSocketChannel({
    url: URL_,
    channelId: "lobby",
    WebSocket: world.link.WebSocket,
    clock: world.clock,
  });
  await channel.connect();
  assert.equal(channel.isConnected, true);
  const heard = next<RealtimeMessage>((l) => bob.on("shout", l));
  await channel.send("hey", { type: "shout" });
  assert.equal((await heard).senderId, channel.socketId);
  await channel.disconnect();
  assert.equal(channel.isConnected, false);
  await channel.connect();
  assert.equal(channel.isConnected, true);
  await channel.dispose();
  await rejects(channel.send("x"), "closed");
});
