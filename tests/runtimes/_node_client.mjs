/**
 * The client library under real Node.js 20, which has no global WebSocket:
 * `node tests/runtimes/_node_client.mjs BUNDLE RELAY_URL PROXY_URL
 * CONTROL_URL`, run by `node_client_test.ts`. Node 20 cannot load
 * TypeScript, so `BUNDLE` is the library bundled to one ES module by
 * `deno bundle`; `ws` comes from the project's `node_modules/`.
 *
 * - `RELAY_URL`: the relay's WebSocket endpoint; `PROXY_URL`: the same
 *   relay through a chaos proxy; `CONTROL_URL`: `POST /cut` cuts the
 *   proxy's connections.
 *
 * Plain JavaScript, as Node 20 runs it. It prints one JSON line (what it
 * saw; `error` set on a failure) and exits once everything is closed; the
 * test asserts.
 */

import process from "node:process";
import { pathToFileURL } from "node:url";
import { WebSocket } from "ws";

const [bundle, relayUrl, proxyUrl, controlUrl] = process.argv.slice(2);
const report = {
  runtime: `node ${process.version}`,
  globalWebSocket: typeof globalThis.WebSocket,
  step: "import",
};
// Node 22 and later have a global WebSocket; without it they are Node 20.
delete globalThis.WebSocket;

const overall = setTimeout(() => {
  report.error = `timed out in step ${report.step}`;
  console.log(JSON.stringify(report));
  process.exit(1);
}, 30_000);

/** Resolves with `{ code, status }` of the first error `manager` reports. */
function firstError(manager) {
  return new Promise((resolve) => {
    const off = manager.onError((error) => {
      off();
      resolve({ code: error.code, status: error.status });
    });
  });
}

/** Resolves with the first `count` texts `manager` hears on `chat`. */
function hear(manager, count) {
  const texts = [];
  return new Promise((resolve) => {
    const off = manager.on("chat", ({ message }) => {
      texts.push(message);
      if (texts.length === count) {
        off();
        resolve(texts);
      }
    });
  });
}

const managers = [];
try {
  const lib = await import(pathToFileURL(bundle).href);
  const { ConstantBackoff, RealtimeManager } = lib;

  report.step = "without WebSocket";
  try {
    managers.push(new RealtimeManager(relayUrl));
  } catch (error) {
    report.missing = `${error.name}: ${error.message}`;
  }

  report.step = "connect";
  const options = { WebSocket, echoMessages: false };
  const alice = new RealtimeManager(relayUrl, {
    ...options,
    token: "t-alice",
    profile: { name: "alice" },
  });
  const bob = new RealtimeManager(proxyUrl, {
    ...options,
    token: "t-bob",
    profile: { name: "bob" },
    backoff: new ConstantBackoff(50),
  });
  managers.push(alice, bob);
  await alice.join("room");
  await bob.join("room");
  report.members = (await alice.getMembers("room"))
    .map((member) => member.data.name).sort();

  report.step = "chat";
  const heard = hear(alice, 3);
  await bob.send("room", "chat", "hello from node");

  report.step = "cut";
  let reconnects = 0;
  bob.onReconnectAttempt(() => reconnects++);
  const cut = await fetch(`${controlUrl}cut`, { method: "POST" });
  await cut.body?.cancel();
  const sent = [
    bob.send("room", "chat", "after the cut 1"),
    bob.send("room", "chat", "after the cut 2"),
  ];
  await Promise.all(sent);
  report.heard = await heard;
  report.reconnects = reconnects;

  // Headers (here an Origin the relay checks) and a token subprotocol.
  report.step = "headers";
  // `ws` takes the client's `(url, { protocols, headers })` as Deno's does.
  const withHeaders = (origin) => {
    const manager = new RealtimeManager(relayUrl, {
      WebSocket,
      token: "t-node",
      headers: { origin },
      maxRetries: 0,
    });
    managers.push(manager);
    return manager;
  };
  const allowed = withHeaders("http://allowed.test");
  await allowed.join("room");
  report.headers = {
    allowed: allowed.isConnected(),
    wrongOrigin: await firstError(withHeaders("http://other.test")),
  };
  report.step = "done";
} catch (error) {
  report.error = `${error?.name}: ${error?.message}`;
} finally {
  await Promise.all(managers.map((manager) => manager.close()));
  clearTimeout(overall);
  console.log(JSON.stringify(report));
}
