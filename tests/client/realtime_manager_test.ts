import assert from "node:assert/strict";
import { createTestClock } from "../_fake_clock.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { RealtimeManagerOptions } from "../../src/client/realtime_manager_options.ts";
import type {
  MemberEvent,
  RealtimeMessage,
} from "../../src/client/realtime_events.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import type { LinkedSocket } from "../_relay_link.ts";
import {
  collect,
  connectedOnce,
  frames,
  next,
  pair,
  rejects,
  RETRY_MS,
  URL_,
  World,
} from "./_world.ts";

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
  const { alice, bob: quiet } = await pair(world, "room", {
    echoMessages: false,
  });
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
  const { alice, bob: quiet } = await pair(world, "room", {
    echoMessages: false,
  });
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
  const since: unknown[] = [];
  const resumes: unknown[] = [];
  const sent = frames(world.socket(alice).sent).map((f) => {
    const { ref: _, mid: __, since: from, resume, ...rest } = f;
    if (from !== undefined) since.push((from as { offset: number }).offset);
    if (resume !== undefined) resumes.push(resume);
    return rest;
  });
  // The hello asks for the app-wide messages missed, the rejoins for theirs.
  assert.deepEqual(since, [0, 0, 0]);
  // The hello carries the session's secret resume token, not the public id.
  assert.equal(resumes.length, 1);
  assert.equal(typeof resumes[0], "string");
  assert.notEqual(resumes[0], session);
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

Deno.test("RealtimeManager validates its options at construction", () => {
  assert.throws(() => new RealtimeManager("not a url"), {
    name: "TypeError",
    message:
      "Cannot create RealtimeManager as 'url' must be a WebSocket URL, such as ws://127.0.0.1:8787/ws: current value is not a url",
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
  assert.throws(invalid({ recover: "yes" }), TypeError);
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

Deno.test("RealtimeManager refuses an unknown option and suggests the nearest", () => {
  const invalid = (options: Record<string, unknown>) => () =>
    new RealtimeManager(URL_, options as RealtimeManagerOptions);
  assert.throws(invalid({ retries: 3 }), {
    name: "TypeError",
    message:
      "Cannot create RealtimeManager as 'retries' is not an option: did you mean 'maxRetries'?",
  });
  assert.throws(invalid({ echo: false }), {
    name: "TypeError",
    message: /'echo' is not an option: did you mean 'echoMessages'\?/,
  });
  // The socket's own buffer is not the manager's: it keeps its own queue.
  assert.throws(invalid({ buffer: false }), {
    name: "TypeError",
    message: /'buffer' is not an option: did you mean 'bufferMessages'\?/,
  });
  assert.throws(invalid({ clock: {} }), {
    name: "TypeError",
    message: /'clock' must have 'now', 'setTimeout' and 'clearTimeout'/,
  });
});

Deno.test("Altogic's, socket.io's, Supabase's and partysocket's option names point at lifeline's", () => {
  const renamed: Record<string, string> = {
    reconnectionDelay: "backoff",
    reconnectionDelayMax: "backoff",
    reconnectAfterMs: "backoff",
    minReconnectionDelay: "backoff",
    retries: "maxRetries",
    reconnectionAttempts: "maxRetries",
    auth: "token",
    params: "token",
    heartbeatIntervalMs: "keepalive",
    connectionTimeout: "timeout",
    maxEnqueuedMessages: "maxQueued",
  };
  for (const [theirs, ours] of Object.entries(renamed)) {
    assert.throws(
      () =>
        new RealtimeManager(URL_, { [theirs]: 1 } as RealtimeManagerOptions),
      new TypeError(
        `Cannot create RealtimeManager as '${theirs}' is not an option: did you mean '${ours}'?`,
      ),
    );
  }
  assert.throws(
    () =>
      new RealtimeManager(
        URL_,
        { autoConnect: false } as RealtimeManagerOptions,
      ),
    new TypeError(
      "Cannot create RealtimeManager as 'autoConnect' is not an option: the manager connects when it is created; create it when you want it to connect",
    ),
  );
});

Deno.test("RealtimeManager takes every socket option", async () => {
  const fakes = fakeWebSockets();
  await using manager = new RealtimeManager(URL_, {
    protocols: ["lifeline"],
    timeout: 1000,
    maxRetries: 2,
    minUptime: 10,
    keepalive: false,
    binaryType: "arraybuffer",
    shouldReconnect: () => true,
    WebSocket: fakes.WebSocket,
    clock: createTestClock(),
    random: () => 0.5,
    signal: new AbortController().signal,
  });
  assert.equal(manager.isConnected(), false);
});

// ---------------------------------------------------------------- { signal }

Deno.test("every listener method takes a signal that removes the listener", async () => {
  await using world = new World();
  world.link.identity = { userId: "u1" };
  const { alice, bob } = await pair(world);
  const controller = new AbortController();
  const { signal } = controller;
  const log: string[] = [];
  bob.on("chat", (m) => log.push(`on ${m.message}`), { signal });
  bob.once("chat", (m) => log.push(`once ${m.message}`), { signal });
  bob.onAny((name) => log.push(`any ${name}`), { signal });
  bob.onJoin(() => log.push("join"), { signal });
  bob.onLeave(() => log.push("leave"), { signal });
  bob.onUpdate(() => log.push("update"), { signal });
  bob.onUserEvent(() => log.push("user"), { signal });
  bob.onUserEvent("invoice", () => log.push("invoice"), { signal });
  bob.onConnect(() => log.push("connect"), { signal });
  bob.onDisconnect(() => log.push("disconnect"), { signal });
  bob.onError(() => log.push("error"), { signal });
  bob.onReconnectAttempt(() => log.push("attempt"), { signal });
  controller.abort();
  // Heard by listeners without a signal, so the events really happened.
  const chat = next<RealtimeMessage>((l) => bob.on("chat", l));
  const invoice = next<unknown>((l) => bob.onUserEvent("invoice", l));
  await alice.send("room", "chat", 1);
  await alice.updateProfile({ name: "A" });
  world.link.relay.sendToUser("u1", "invoice", {});
  await chat;
  await invoice;
  world.drop(bob);
  await world.reconnect(bob);
  assert.deepEqual(log, []);
});

Deno.test("a listener added with an aborted signal is never called", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const heard: unknown[] = [];
  bob.on("chat", (m) => heard.push(m.message), { signal: AbortSignal.abort() });
  const chat = next<RealtimeMessage>((l) => bob.on("chat", l));
  await alice.send("room", "chat", 1);
  await chat;
  assert.deepEqual(heard, []);
});

Deno.test("a signal that is not an AbortSignal is a TypeError", async () => {
  await using world = new World();
  const alice = world.manager();
  assert.throws(
    () =>
      alice.on("chat", () => {}, {
        signal: "soon" as unknown as AbortSignal,
      }),
    {
      name: "TypeError",
      message:
        "Cannot add listener as 'signal' must be an AbortSignal: current value is soon",
    },
  );
  assert.throws(() => alice.onJoin(42 as unknown as () => void), {
    name: "TypeError",
    message:
      "Cannot add listener as 'listener' must be a function: current value is 42",
  });
});

Deno.test("off removes a listener added with once, and abort after off is harmless", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const controller = new AbortController();
  const heard: unknown[] = [];
  const listener = (m: RealtimeMessage) => heard.push(m.message);
  bob.once("chat", listener, { signal: controller.signal });
  bob.off("chat", listener);
  controller.abort();
  const chat = next<RealtimeMessage>((l) => bob.on("chat", l));
  await alice.send("room", "chat", 1);
  await chat;
  assert.deepEqual(heard, []);
});

Deno.test("a big channel's diff frame is heard as the same member events, own changes once", async () => {
  await using world = new World({ joinMembers: 1, presenceBatch: 50 });
  const alice = await world.connected();
  const bob = await world.connected();
  const carol = await world.connected();
  await alice.join("room");
  await bob.join("room");
  const bobJoined = next<MemberEvent>((l) => alice.onJoin(l));
  world.clock.tick(50);
  await bobJoined;
  const aliceSaw: string[] = [];
  const carolSaw: string[] = [];
  const name = (id: string) =>
    id === bob.getSocketId()
      ? "bob"
      : id === carol.getSocketId()
      ? "carol"
      : id;
  alice.onAny((event, payload) =>
    aliceSaw.push(`${event} ${name((payload as MemberEvent).member.id)}`)
  );
  carol.onAny((event, payload) =>
    carolSaw.push(`${event} ${name((payload as MemberEvent).member.id)}`)
  );
  await carol.join("room");
  await bob.updateProfile({ name: "B" });
  await bob.leave("room");
  assert.deepEqual(aliceSaw, []); // batched: nothing yet
  const aliceHeard = next<MemberEvent>((l) => alice.onLeave(l));
  const carolHeard = next<MemberEvent>((l) => carol.onLeave(l));
  world.clock.tick(50);
  await Promise.all([aliceHeard, carolHeard]);
  assert.deepEqual(aliceSaw, [
    "channel:join carol",
    "channel:update bob",
    "channel:leave bob",
  ]);
  // Carol heard her own join at once, and not again in the diff.
  assert.deepEqual(carolSaw, [
    "channel:join carol",
    "channel:update bob",
    "channel:leave bob",
  ]);
});
