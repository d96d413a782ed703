/**
 * The client library under real Node.js 20 (`node` on `PATH`), which has no
 * global WebSocket: `_node_client.mjs` runs against a spawned example relay
 * with `WebSocket` from the `ws` package, chats, and has its connection cut
 * (through a chaos proxy this test controls), and sends headers (an
 * `Origin` the relay checks) with its token subprotocol; without one, the error names
 * `RealtimeManager` and `ws`. The script reports one JSON line; the
 * assertions are here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startProxy } from "../../tools/chaos_proxy.ts";
import {
  ensureNodeModules,
  ROOT,
  spawnExampleRelay,
} from "../../tools/servers.ts";

/** Ms the Node process may run; the script stops itself at 30 s. */
const PROCESS_TIMEOUT_MS = 45_000;

async function bundleLibrary(dir: string): Promise<string> {
  const bundle = `${dir}/lifeline.mjs`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "-o",
      bundle,
      "mod.ts",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return bundle;
}

Deno.test("the client runs under Node.js 20 with WebSocket from ws, and says what to do without it", async () => {
  await ensureNodeModules();
  const dir = await Deno.makeTempDir({ prefix: "lifeline-node-" });
  const relay = await spawnExampleRelay("deno", {
    LIFELINE_TOKENS: "t-alice:alice,t-bob:bob,t-node:node",
    LIFELINE_ORIGINS: "http://allowed.test",
  });
  const proxy = startProxy(relay.url);
  const control = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      if (request.method !== "POST") return new Response(null, { status: 405 });
      await proxy.cut();
      return new Response(null, { status: 204 });
    },
  );
  try {
    const bundle = await bundleLibrary(dir);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), PROCESS_TIMEOUT_MS);
    const run = await new Deno.Command("node", {
      args: [
        "tests/runtimes/_node_client.mjs",
        bundle,
        relay.url,
        proxy.url,
        `http://127.0.0.1:${control.addr.port}/`,
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: abort.signal,
    }).output().finally(() => clearTimeout(timer));
    const decoder = new TextDecoder();
    const stdout = decoder.decode(run.stdout);
    const context =
      `exit ${run.code} (signal ${run.signal})\nstdout: ${stdout}\nstderr: ${
        decoder.decode(run.stderr)
      }`;
    const report = JSON.parse(stdout.trim().split("\n").at(-1) ?? "null");
    assert.equal(report?.error, undefined, context);
    assert.equal(run.code, 0, context);
    assert.match(report.runtime, /^node v\d+\./, context);
    assert.equal(
      report.missing,
      `TypeError: Cannot create RealtimeManager as this runtime has no global WebSocket (Node.js 20 and older have none): pass the 'ws' package's as the 'WebSocket' option: import { WebSocket } from "ws"; new RealtimeManager(url, { WebSocket })`,
    );
    assert.deepEqual(report.members, ["alice", "bob"]);
    assert.deepEqual(report.heard, [
      "hello from node",
      "after the cut 1",
      "after the cut 2",
    ]);
    assert.ok(report.reconnects >= 1, context);
    assert.deepEqual(report.headers, {
      allowed: true,
      wrongOrigin: { code: "handshake_failed", status: 403 },
    });
    console.log(
      `${report.runtime} (global WebSocket: ${report.globalWebSocket}): ok`,
    );
  } finally {
    await control.shutdown();
    await proxy.stop();
    await relay.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
