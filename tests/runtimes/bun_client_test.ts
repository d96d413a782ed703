/**
 * The client library under Bun: `_bun_client.ts` runs in a Bun process
 * against a relay in this process, with one of its clients behind a chaos
 * proxy that this test cuts when the script asks. The script reports what
 * it saw as one JSON line; the assertions are here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startProxy } from "../../tools/chaos_proxy.ts";
import { findBun, ROOT } from "../../tools/servers.ts";
import type { Identity } from "../../src/relay/mod.ts";
import { startDenoRelay } from "./_deno_relay.ts";
import type { ClientReport } from "./_bun_client.ts";

/** Ms the Bun process may run, `findBun()` excluded; the script stops itself at 30 s. */
const PROCESS_TIMEOUT_MS = 45_000;

const USERS: Record<string, string> = {
  "t-raw": "raw",
  "t-alice": "alice",
  "t-bob": "bob",
};

/** What the relay saw of one upgrade request. */
interface Handshake {
  userId: string | undefined;
  client: string | null;
}

/** The result of running a script with a time limit. */
interface ScriptRun {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

async function runScript(
  command: string,
  args: string[],
  timeout: number,
): Promise<ScriptRun> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  const start = performance.now();
  try {
    // output() reads both pipes to the end and closes them.
    const { code, signal, stdout, stderr } = await new Deno.Command(command, {
      args,
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: abort.signal,
    }).output();
    const decoder = new TextDecoder();
    return {
      code,
      signal,
      stdout: decoder.decode(stdout),
      stderr: decoder.decode(stderr),
      ms: Math.round(performance.now() - start),
    };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("the client library runs under Bun against a Deno relay", async () => {
  const bun = await findBun();
  const handshakes: Handshake[] = [];
  const relay = await startDenoRelay({
    authenticate(request, token): Identity | null {
      const userId = token === undefined ? undefined : USERS[token];
      handshakes.push({
        userId,
        client: request.headers.get("x-lifeline-client"),
      });
      return userId === undefined ? null : { userId };
    },
  });
  const proxy = startProxy(relay.url);
  const controlServer = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const { pathname } = new URL(request.url);
    if (request.method !== "POST") return new Response(null, { status: 405 });
    if (pathname === "/cut") {
      proxy.refuse = true;
      await proxy.cut();
    } else if (pathname === "/restore") {
      proxy.refuse = false;
    } else {
      return new Response(null, { status: 404 });
    }
    return new Response(null, { status: 204 });
  });
  try {
    const controlUrl = `http://127.0.0.1:${controlServer.addr.port}/`;
    const run = await runScript(
      bun,
      ["tests/runtimes/_bun_client.ts", relay.url, proxy.url, controlUrl],
      PROCESS_TIMEOUT_MS,
    );
    const context = `exit ${run.code} (signal ${run.signal}) after ${run.ms} ms
stdout: ${run.stdout}
stderr: ${run.stderr}`;
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    let report: ClientReport;
    try {
      report = JSON.parse(line);
    } catch {
      assert.fail(`Bun printed no JSON report; ${context}`);
    }
    assert.equal(report.error, undefined, context);
    assert.equal(
      run.signal,
      null,
      `Bun reported success but did not exit within ${PROCESS_TIMEOUT_MS} ms: a timer or socket was left open; ${context}`,
    );
    assert.equal(run.code, 0, context);
    assert.match(report.runtime, /^Bun\//);

    // The ReconnectingWebSocket: headers and a token subprotocol.
    assert.deepEqual(handshakes[0], { userId: "raw", client: report.runtime });
    assert.ok(report.socket);
    assert.equal(report.socket.protocol, "lifeline");
    assert.match(String(report.socket.session), /./);
    assert.deepEqual(report.socket.afterPing, ["pong"]);
    assert.equal(report.socket.closed, "disconnected");
    // The WebSocket-style surface under Bun: listeners, events, readyState.
    const { events } = report.socket;
    assert.equal(events[0], "open");
    assert.match(events[1], /^message \{"type":"welcome"/);
    assert.deepEqual(events.slice(2), ["message pong", "close 1000"]);
    assert.equal(report.socket.readyState, report.socket.CLOSED);
    assert.equal(report.socket.CLOSED, 3);

    // Two managers: echo, sender id, presence, members.
    const { managers } = report;
    assert.ok(managers);
    const { aliceId, bobId } = managers;
    assert.match(aliceId ?? "", /./);
    assert.match(bobId ?? "", /./);
    assert.notEqual(aliceId, bobId);
    assert.deepEqual(managers.bobJoin, { id: bobId, data: { name: "bob" } });
    const hi = {
      channel: "room",
      event: "chat",
      message: { text: "hi from alice" },
      senderId: aliceId,
    };
    assert.deepEqual({ ...managers.echo, offset: undefined }, {
      ...hi,
      offset: undefined,
    });
    assert.deepEqual(managers.heard, managers.echo);
    assert.deepEqual(
      managers.members.toSorted((a, b) => a.id.localeCompare(b.id)),
      [
        { id: aliceId, data: { name: "alice" } },
        { id: bobId, data: { name: "bob" } },
      ].toSorted((a, b) => a.id!.localeCompare(b.id!)),
    );

    // Bob's connection is cut while he publishes: after the reconnect,
    // alice hears the three, in order, once each, then the marker.
    const { drop } = report;
    assert.ok(drop);
    assert.match(drop.reason, /1006/); // no close frame: the network failed
    assert.equal(drop.connectedWhileSending, false);
    assert.equal(drop.bobIdAfter, bobId, "bob's session was resumed");
    assert.deepEqual(drop.heard, [
      ...["offline 1", "offline 2", "offline 3", "marker"].map((message) => ({
        message,
        senderId: drop.bobIdAfter,
      })),
    ]);
    // Back within the presence grace: alice hears no leave and no join.
    assert.deepEqual(drop.presence, []);
    // Every upgrade carried Bun's header; bob's came twice (the reconnect).
    assert.deepEqual(
      handshakes.map((h) => h.client),
      handshakes.map(() => report.runtime),
    );
    assert.deepEqual(
      handshakes.map((h) => h.userId).toSorted(),
      ["alice", "bob", "bob", "raw"],
    );
    console.log(
      `bun ${report.runtime}: ${run.ms} ms in all; steps ${
        JSON.stringify(report.timings)
      }`,
    );
  } finally {
    await controlServer.shutdown();
    await proxy.stop();
    await relay.stop();
  }
});
