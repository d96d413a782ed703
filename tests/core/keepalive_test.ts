import assert from "node:assert/strict";
import { Keepalive, type KeepaliveOptions } from "../../src/core/keepalive.ts";
import { createTestClock as fakeClock } from "../_fake_clock.ts";

function setup(options: KeepaliveOptions = {}) {
  const clock = fakeClock();
  const sent: string[] = [];
  const deaths: unknown[] = [];
  const keepalive = new Keepalive({
    send: (ping) => sent.push(ping),
    onDead: (cause) => deaths.push(cause),
  }, { interval: 1000, timeout: 500, clock, ...options });
  return { clock, sent, deaths, keepalive };
}

Deno.test("Keepalive defaults to a ping after 25 s and death 10 s later", () => {
  const { clock, sent, deaths, keepalive } = setup({
    interval: undefined,
    timeout: undefined,
  });
  assert.equal(keepalive.interval, 25_000);
  assert.equal(keepalive.timeout, 10_000);
  assert.equal(keepalive.ping, "ping");
  keepalive.start();
  clock.tick(24_999);
  assert.deepEqual(sent, []);
  clock.tick(1);
  assert.deepEqual(sent, ["ping"]);
  clock.tick(9_999);
  assert.equal(deaths.length, 0);
  clock.tick(1);
  assert.equal(deaths.length, 1);
});

Deno.test("Keepalive sends nothing before the interval", () => {
  const { clock, sent, keepalive } = setup();
  keepalive.start();
  clock.tick(999);
  assert.deepEqual(sent, []);
  keepalive.stop();
});

Deno.test("Keepalive sends nothing before start", () => {
  const { clock, sent, keepalive } = setup();
  assert.equal(keepalive.running, false);
  clock.tick(10_000);
  assert.deepEqual(sent, []);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("Keepalive sends a ping after the interval of silence", () => {
  const { clock, sent, keepalive } = setup({ ping: "hb" });
  keepalive.start();
  assert.equal(keepalive.running, true);
  clock.tick(1000);
  assert.deepEqual(sent, ["hb"]);
  keepalive.stop();
});

Deno.test("Keepalive postpones the ping while traffic arrives", () => {
  const { clock, sent, keepalive } = setup();
  keepalive.start();
  for (let i = 0; i < 10; i++) {
    clock.tick(600);
    keepalive.received("data");
  }
  assert.deepEqual(sent, []);
  // Never before a whole interval of silence after the last message…
  clock.tick(999);
  assert.deepEqual(sent, []);
  // …and at most an eighth of one later (the timer looks every 125 ms).
  clock.tick(126);
  assert.deepEqual(sent, ["ping"]);
  keepalive.stop();
});

Deno.test("Keepalive reads no clock per message", () => {
  const { clock, sent, keepalive } = setup();
  let reads = 0;
  const counted = new Keepalive({
    send: (ping) => sent.push(ping),
    onDead() {},
  }, {
    interval: 1000,
    timeout: 500,
    clock: { ...clock, now: () => (reads++, clock.now()) },
  });
  counted.start();
  const before = reads;
  for (let i = 0; i < 1000; i++) counted.received("data");
  assert.equal(reads, before);
  // The timer reads it when it looks: traffic still postpones the ping.
  clock.tick(1000);
  assert.deepEqual(sent, []);
  assert.ok(reads > before);
  counted.stop();
  keepalive.stop();
});

Deno.test("Keepalive declares death at interval plus timeout", () => {
  const { clock, deaths, keepalive } = setup();
  keepalive.start();
  clock.tick(1499);
  assert.deepEqual(deaths, []);
  clock.tick(1);
  assert.deepEqual(deaths, [undefined]);
  assert.equal(keepalive.running, false);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("Keepalive calls onDead only once", () => {
  const { clock, deaths, keepalive } = setup();
  keepalive.start();
  clock.tick(10_000);
  keepalive.received("late");
  clock.tick(10_000);
  assert.equal(deaths.length, 1);
});

Deno.test("Keepalive treats any message after the ping as life", () => {
  const { clock, sent, deaths, keepalive } = setup();
  keepalive.start();
  clock.tick(1000);
  clock.tick(400);
  assert.equal(keepalive.received("not a pong"), false);
  clock.tick(200);
  assert.deepEqual(deaths, []);
  assert.deepEqual(sent, ["ping"]);
  // The next ping comes an interval after that message.
  clock.tick(799);
  assert.deepEqual(sent, ["ping"]);
  clock.tick(1);
  assert.deepEqual(sent, ["ping", "ping"]);
  keepalive.stop();
});

Deno.test("Keepalive keeps the next ping on schedule when timeout exceeds interval", () => {
  const { clock, sent, keepalive } = setup({ interval: 1000, timeout: 5000 });
  keepalive.start();
  clock.tick(1000);
  keepalive.received("pong");
  clock.tick(1000);
  assert.deepEqual(sent, ["ping", "ping"]);
  keepalive.stop();
});

Deno.test("Keepalive survives a reply sent from inside send", () => {
  const clock = fakeClock();
  let deaths = 0;
  const keepalive: Keepalive = new Keepalive({
    send: () => keepalive.received("pong"),
    onDead: () => deaths++,
  }, { interval: 1000, timeout: 500, clock });
  keepalive.start();
  clock.tick(10_000);
  assert.equal(deaths, 0);
  assert.equal(clock.countTimers(), 1);
  keepalive.stop();
});

Deno.test("Keepalive received reports pongs with the default matcher", () => {
  const { keepalive } = setup();
  assert.equal(keepalive.received("pong"), true);
  assert.equal(keepalive.received("ping"), false);
  assert.equal(keepalive.received(new Uint8Array([1])), false);
});

Deno.test("Keepalive uses a custom pong matcher", () => {
  const { keepalive } = setup({
    isPong: (data) =>
      typeof data === "string" && data.startsWith('{"t":"pong"'),
  });
  assert.equal(keepalive.received('{"t":"pong","ts":1}'), true);
  assert.equal(keepalive.received("pong"), false);
});

Deno.test("Keepalive stop clears every timer", () => {
  const { clock, sent, keepalive } = setup();
  keepalive.start();
  assert.equal(clock.countTimers(), 1);
  keepalive.stop();
  assert.equal(clock.countTimers(), 0);
  assert.equal(keepalive.running, false);
  clock.tick(10_000);
  assert.deepEqual(sent, []);
});

Deno.test("Keepalive stop clears the timeout after a ping", () => {
  const { clock, deaths, keepalive } = setup();
  keepalive.start();
  clock.tick(1000);
  keepalive.stop();
  assert.equal(clock.countTimers(), 0);
  clock.tick(10_000);
  assert.deepEqual(deaths, []);
});

Deno.test("Keepalive start twice keeps a single timer", () => {
  const { clock, sent, keepalive } = setup();
  keepalive.start();
  clock.tick(500);
  keepalive.start();
  assert.equal(clock.countTimers(), 1);
  clock.tick(999);
  assert.deepEqual(sent, []);
  clock.tick(1);
  assert.deepEqual(sent, ["ping"]);
  keepalive.stop();
});

Deno.test("Keepalive can start again after death", () => {
  const { clock, sent, deaths, keepalive } = setup();
  keepalive.start();
  clock.tick(1500);
  keepalive.start();
  clock.tick(1500);
  assert.deepEqual(sent, ["ping", "ping"]);
  assert.equal(deaths.length, 2);
});

Deno.test("Keepalive treats a throwing send as death", () => {
  const clock = fakeClock();
  const failure = new Error("socket closed");
  const deaths: unknown[] = [];
  const keepalive = new Keepalive({
    send: () => {
      throw failure;
    },
    onDead: (cause) => deaths.push(cause),
  }, { interval: 1000, timeout: 500, clock });
  keepalive.start();
  clock.tick(1000);
  assert.deepEqual(deaths, [failure]);
  assert.equal(keepalive.running, false);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("Keepalive ignores messages while stopped", () => {
  const { clock, keepalive } = setup();
  assert.equal(keepalive.received("pong"), true);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("Keepalive is disposable", () => {
  const { clock, keepalive } = setup();
  {
    using active = keepalive;
    active.start();
  }
  assert.equal(keepalive.running, false);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("Keepalive validates its arguments", () => {
  const handlers = { send: () => {}, onDead: () => {} };
  assert.throws(() => new Keepalive(handlers, { interval: 0 }), {
    name: "RangeError",
    message:
      "Cannot create Keepalive as 'interval' must be a positive finite number: current value is 0",
  });
  assert.throws(
    () => new Keepalive(handlers, { timeout: Infinity }),
    RangeError,
  );
  assert.throws(
    () => new Keepalive(handlers, { interval: "1" as unknown as number }),
    TypeError,
  );
  assert.throws(
    () => new Keepalive(handlers, { ping: 1 as unknown as string }),
    TypeError,
  );
  assert.throws(
    () =>
      new Keepalive(handlers, { isPong: "pong" as unknown as () => boolean }),
    TypeError,
  );
  assert.throws(
    () => new Keepalive(handlers, { clock: {} as unknown as undefined }),
    TypeError,
  );
  assert.throws(
    () => new Keepalive({ send: () => {} } as unknown as typeof handlers),
    TypeError,
  );
});

Deno.test("Keepalive refuses an unknown option and suggests the nearest", () => {
  assert.throws(
    () =>
      new Keepalive({ send() {}, onDead() {} }, { pingInterval: 5 } as never),
    new TypeError(
      "Cannot create Keepalive as 'pingInterval' is not an option: did you mean 'interval'?",
    ),
  );
});
