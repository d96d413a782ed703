/**
 * What a manager's app sees when connecting fails: an `onError` per failed
 * attempt, a fatal handshake status that rejects what waits with the
 * reason, and no error thrown into the runtime when nobody listens.
 */

import assert from "node:assert/strict";
import { createTestClock } from "../_fake_clock.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { ConnectionError } from "../../src/socket/connection_error.ts";
import { rejects, URL_, World } from "./_world.ts";
import { nothingUncaught } from "../_uncaught.ts";

function fakeManager(
  options: ConstructorParameters<typeof RealtimeManager>[1],
) {
  const clock = createTestClock();
  const fakes = fakeWebSockets();
  const manager = new RealtimeManager(URL_, {
    WebSocket: fakes.WebSocket,
    clock,
    backoff: new ConstantBackoff(100),
    keepalive: false,
    ...options,
  });
  return { clock, fakes, manager };
}

Deno.test("onError hears every failed attempt, each a ConnectionError", async () => {
  await using world = new World();
  world.link.refuse = true;
  const manager = world.manager();
  const errors: Error[] = [];
  const attempts: number[] = [];
  manager.onError((error) => errors.push(error));
  manager.onReconnectAttempt((attempt) => attempts.push(attempt));
  for (let i = 0; i < 3; i++) {
    await Promise.resolve();
    world.clock.tick(100);
  }
  await Promise.resolve();
  assert.ok(errors.length >= 3, `${errors.length} errors`);
  assert.equal(errors.length, attempts.length);
  for (const error of errors) {
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.code, "connect_failed");
  }
});

Deno.test("a 401 stops the manager: join() rejects with the reason as its cause", async () => {
  const { fakes, manager } = fakeManager({});
  const errors: Error[] = [];
  manager.onError((error) => errors.push(error));
  const join = manager.join("room");
  fakes.last.fail("Invalid status code: 401");
  await assert.rejects(join, (error) => {
    assert.ok(error instanceof RealtimeError);
    assert.equal(error.code, "closed");
    assert.match(error.message, /401/);
    assert.ok(error.cause instanceof ConnectionError);
    assert.equal(error.cause.code, "handshake_failed");
    assert.equal(error.cause.status, 401);
    return true;
  });
  assert.equal(fakes.sockets.length, 1);
  assert.deepEqual(errors.map((e) => (e as ConnectionError).status), [401]);
  await rejects(manager.send("room", "chat", 1), "closed");
});

Deno.test("with maxRetries: 1 and no onError listener, a handled join() rejection is all there is", async () => {
  await nothingUncaught(async () => {
    await using world = new World();
    world.link.refuse = true;
    const manager = world.manager({ maxRetries: 1 });
    const join = manager.join("room");
    await Promise.resolve();
    world.clock.tick(100);
    await rejects(join, "closed");
  });
});

Deno.test("a relay error outside any request, with no onError listener, is not thrown", async () => {
  await nothingUncaught(async () => {
    const { fakes, manager } = fakeManager({});
    fakes.last.open();
    fakes.last.receive(
      '{"type":"welcome","v":1,"session":"s1","limits":{},"heartbeat":{}}',
    );
    fakes.last.receive(
      '{"type":"error","error":{"code":"bad_frame","message":"?"}}',
    );
    fakes.last.receive("not a frame");
    assert.equal(manager.isConnected(), true);
    await manager.close();
  });
});

Deno.test("a hello over the relay's frame limit stops the manager: join() rejects with the relay's error", async () => {
  await nothingUncaught(async () => {
    await using world = new World({ limits: { frameBytes: 256 } });
    const manager = world.manager({ profile: { bio: "x".repeat(1000) } });
    await assert.rejects(manager.join("room"), (error) => {
      assert.ok(error instanceof RealtimeError);
      assert.equal(error.code, "closed");
      assert.equal((error.cause as RealtimeError).code, "too_large");
      return true;
    });
    world.clock.tick(60_000);
    assert.equal(world.link.sockets.length, 1);
  });
});

Deno.test("a hello whose profile is over the relay's limit stops the manager with profile_too_large", async () => {
  await using world = new World({ limits: { profileBytes: 64 } });
  const manager = world.manager({ profile: { bio: "x".repeat(100) } });
  const errors: Error[] = [];
  manager.onError((error) => errors.push(error));
  await assert.rejects(manager.join("room"), (error) => {
    assert.ok(error instanceof RealtimeError);
    assert.equal((error.cause as RealtimeError).code, "profile_too_large");
    return true;
  });
  assert.deepEqual(errors.map((e) => (e as RealtimeError).code), [
    "profile_too_large",
  ]);
});

Deno.test("a listener's own throw still reaches onError", async () => {
  await using world = new World();
  const manager = world.manager();
  const errors: unknown[] = [];
  manager.onError((error) => errors.push(error));
  manager.onConnect(() => {
    throw new Error("app bug");
  });
  for (let i = 0; i < 10; i++) await Promise.resolve();
  assert.deepEqual(errors.map((e) => (e as Error).message), ["app bug"]);
});

Deno.test("the token goes in Sec-WebSocket-Protocol, never in the URL", async () => {
  const { fakes, manager } = fakeManager({
    token: "abc.def",
    protocols: "chat.v1",
  });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.equal(fakes.last.url, URL_);
  assert.deepEqual(fakes.last.init, ["lifeline", "token.abc.def", "chat.v1"]);
  await manager.close();
});

Deno.test("a token a subprotocol cannot carry fails the attempt, without showing it", async () => {
  const { fakes, manager } = fakeManager({ token: "a b=", maxRetries: 0 });
  const errors: Error[] = [];
  manager.onError((error) => errors.push(error));
  await rejects(manager.join("room"), "closed");
  assert.equal(fakes.sockets.length, 0);
  assert.equal((errors[0] as ConnectionError).code, "url_failed");
  assert.doesNotMatch(errors[0].message, /a b=/);
});

Deno.test("a joined manager whose reconnect is refused with 403 stops, rejects what waits, and throws nothing", async () => {
  await nothingUncaught(async () => {
    const { clock, fakes, manager } = fakeManager({});
    const relay = fakes.last;
    relay.open();
    relay.receive(
      '{"type":"welcome","v":1,"session":"s1","limits":{},"heartbeat":{}}',
    );
    const view = manager.channel("lobby");
    const connecting = view.connect();
    const join = JSON.parse(String(relay.sent.at(-1)));
    relay.receive(`{"type":"ack","ref":${join.ref},"ok":true}`);
    await connecting;
    relay.serverClose(1012, "restart");
    const waiting = view.send("while away");
    const members = manager.getMembers("lobby");
    clock.tick(100);
    await Promise.resolve();
    fakes.last.fail("Invalid status code: 403");
    for (const pending of [waiting, members]) {
      await assert.rejects(pending, (error) => {
        assert.ok(error instanceof RealtimeError);
        assert.equal(error.code, "closed");
        assert.equal((error.cause as ConnectionError).status, 403);
        return true;
      });
    }
    assert.equal(view.isConnected, false);
    await rejects(view.connect(), "closed");
    clock.tick(60_000);
    assert.equal(fakes.sockets.length, 2);
  });
});

Deno.test("a URL without a WebSocket scheme stops the manager: join() rejects with invalid_url", async () => {
  const fakes = fakeWebSockets();
  await using manager = new RealtimeManager("localhost:8787/ws", {
    WebSocket: fakes.WebSocket,
  });
  await assert.rejects(manager.join("room"), (error) => {
    assert.ok(error instanceof RealtimeError);
    assert.equal(error.code, "closed");
    assert.equal((error.cause as ConnectionError).code, "invalid_url");
    return true;
  });
  assert.equal(fakes.sockets.length, 0);
});
