import assert from "node:assert/strict";
import { setup } from "./_setup.ts";
import type { NetworkEventSource } from "../../src/socket/reconnecting_websocket.ts";

/** A window-like event source whose listeners can be counted. */
function fakeNetwork(onLine = true) {
  const target = new EventTarget();
  const listening = new Set<string>();
  const network = {
    navigator: { onLine },
    document: { visibilityState: "visible" },
    addEventListener(type: string, listener: () => void): void {
      listening.add(type);
      target.addEventListener(type, listener);
    },
    removeEventListener(type: string, listener: () => void): void {
      listening.delete(type);
      target.removeEventListener(type, listener);
    },
    fire(type: string): void {
      target.dispatchEvent(new Event(type));
    },
    listening,
  } satisfies NetworkEventSource & Record<string, unknown>;
  return network;
}

Deno.test("retries at once on online instead of waiting out its backoff", async () => {
  const network = fakeNetwork();
  const { clock, fakes, socket, states } = setup({ networkEvents: network });
  fakes.last.open();
  fakes.last.serverClose(1006, "");
  assert.deepEqual(states.at(-1), {
    type: "reconnecting",
    attempt: 1,
    delay: 250,
  });
  network.fire("online");
  assert.equal(fakes.sockets.length, 2);
  assert.equal(clock.countTimers(), 1); // the connect timeout only
  fakes.last.open();
  assert.equal(socket.connection.value.type, "reconnected");
  await socket.close();
});

Deno.test("pauses its retries while offline and retries on online", async () => {
  const network = fakeNetwork();
  const { clock, fakes, socket } = setup({ networkEvents: network });
  fakes.last.open();
  fakes.last.serverClose(1006, "");
  network.navigator.onLine = false;
  network.fire("offline");
  clock.tick(10 * 60_000);
  assert.equal(fakes.sockets.length, 1);
  assert.equal(clock.countTimers(), 0);
  network.navigator.onLine = true;
  network.fire("online");
  assert.equal(fakes.sockets.length, 2);
  await socket.close();
});

Deno.test("does not start a retry timer when a connection drops while the runtime says it is offline", async () => {
  const network = fakeNetwork();
  const { clock, fakes, socket, states } = setup({ networkEvents: network });
  fakes.last.open();
  network.navigator.onLine = false; // no event while connected: nothing listens
  fakes.last.serverClose(1006, "");
  assert.equal(states.at(-1)?.type, "reconnecting");
  assert.equal(clock.countTimers(), 0);
  clock.tick(10 * 60_000);
  assert.equal(fakes.sockets.length, 1);
  network.navigator.onLine = true;
  network.fire("online");
  assert.equal(fakes.sockets.length, 2);
  await socket.close();
});

Deno.test("retries at once when the page becomes visible, not when it is hidden", async () => {
  const network = fakeNetwork();
  const { fakes, socket } = setup({ networkEvents: network });
  fakes.last.open();
  fakes.last.serverClose(1006, "");
  network.document.visibilityState = "hidden";
  network.fire("visibilitychange");
  assert.equal(fakes.sockets.length, 1);
  network.document.visibilityState = "visible";
  network.fire("visibilitychange");
  assert.equal(fakes.sockets.length, 2);
  await socket.close();
});

Deno.test("listens only while a retry waits, and not after close", async () => {
  const network = fakeNetwork();
  const { fakes, socket } = setup({ networkEvents: network });
  assert.equal(network.listening.size, 0);
  fakes.last.open();
  assert.equal(network.listening.size, 0);
  fakes.last.serverClose(1006, "");
  assert.deepEqual([...network.listening].sort(), [
    "offline",
    "online",
    "visibilitychange",
  ]);
  await socket.close();
  assert.equal(network.listening.size, 0);
  network.fire("online");
  assert.equal(fakes.sockets.length, 1);
});

Deno.test("ignores the network with networkEvents: false", async () => {
  const network = fakeNetwork();
  const { fakes, socket } = setup({ networkEvents: false });
  fakes.last.open();
  fakes.last.serverClose(1006, "");
  globalThis.dispatchEvent(new Event("online"));
  network.fire("online");
  assert.equal(fakes.sockets.length, 1);
  await socket.close();
});

Deno.test("listens on globalThis by default where it has addEventListener", async () => {
  const { fakes, socket } = setup();
  fakes.last.open();
  fakes.last.serverClose(1006, "");
  globalThis.dispatchEvent(new Event("online"));
  assert.equal(fakes.sockets.length, 2);
  await socket.close();
});

Deno.test("refuses a networkEvents option that is not an event target", () => {
  assert.throws(
    // @ts-expect-error: the wrong type on purpose
    () => setup({ networkEvents: { addEventListener() {} } }),
    {
      name: "TypeError",
      message:
        "Cannot create ReconnectingWebSocket as 'networkEvents' must have 'addEventListener' and 'removeEventListener' functions: current value is [object Object]",
    },
  );
});
