import assert from "node:assert/strict";
import { createTestClock } from "../_fake_clock.ts";
import { Channels } from "../../src/client/_channel_state.ts";
import { RequestBuilder } from "../../src/client/_request_builder.ts";
import { Requests } from "../../src/client/_requests.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";

function builder(echo = true) {
  const clock = createTestClock();
  const requests = new Requests({
    clock,
    ackTimeout: 1000,
    maxQueued: 10,
    transmit: () => {},
  });
  const never = () => Promise.resolve();
  const channels = new Channels({
    clock,
    requests,
    recover: true,
    hear: () => {},
    resync: () => {},
    isConnected: () => true,
    isClosed: () => false,
    rejoined: () => {},
    join: never,
    leave: never,
    send: never,
  });
  const profiles: unknown[] = [];
  const skippedApp: number[] = [];
  const build = new RequestBuilder({
    requests,
    channels,
    echo,
    profileChanged: (profile) => profiles.push(profile),
    transmit: () => {},
    skipApp: (offset) => skippedApp.push(offset),
  });
  return { build, requests, profiles, skippedApp };
}

const ignore = () => {};

Deno.test("each publish gets the next client message id and the default echo", () => {
  const { build } = builder(false);
  const a = build.publish("room", "chat", 1, undefined, ignore);
  const b = build.publish(null, "news", 2, true, ignore);
  assert.deepEqual(a.frame, {
    type: "pub",
    channel: "room",
    event: "chat",
    data: 1,
    echo: false,
    mid: "1",
  });
  assert.equal(b.frame.type === "pub" && b.frame.mid, "2");
  assert.equal(b.frame.type === "pub" && b.frame.echo, true);
});

Deno.test("a broadcast without echo tells the app-wide stream its offset is no gap", () => {
  const { build, skippedApp } = builder();
  build.publish(null, "news", 1, false, ignore).settle(null, { offset: 7 });
  build.publish(null, "news", 2, true, ignore).settle(null, { offset: 8 });
  build.publish(null, "news", 3, false, ignore).settle(
    new RealtimeError("forbidden", "no"),
    undefined,
  );
  assert.deepEqual(skippedApp, [7]);
});

Deno.test("bad arguments throw before a request exists", () => {
  const { build, requests } = builder();
  const code = (fn: () => unknown, expected: string) =>
    assert.throws(fn, (e) => e instanceof RealtimeError && e.code === expected);
  code(() => build.join("has space", undefined, ignore), "bad_channel");
  code(
    () => build.publish("room", "channel:join", 1, undefined, ignore),
    "bad_event",
  );
  assert.throws(
    () => build.leave("room", "yes" as unknown as boolean, ignore),
    TypeError,
  );
  requests.limits = { ...DEFAULT_LIMITS, channelLength: 3 };
  code(() => build.members("four", ignore), "bad_channel");
});

Deno.test("members resolves with the ack's list and update records the profile", () => {
  const { build, profiles } = builder();
  const results: unknown[] = [];
  const members = build.members(
    "room",
    (error, value) => results.push(error ?? value),
  );
  members.settle(null, { members: [{ id: "s1", data: null }] });
  build.members("room", (error) => results.push(error?.code)).settle(null, {});
  build.update(undefined, undefined, ignore).settle(null, undefined);
  build.update({ name: "A" }, undefined, ignore).settle(
    new RealtimeError("too_large", "big"),
    undefined,
  );
  assert.deepEqual(results, [[{ id: "s1", data: null }], "bad_response"]);
  assert.deepEqual(profiles, [null]);
});
