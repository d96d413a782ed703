/**
 * The wire layer under Bun (`_bun_wire.ts` in a Bun subprocess):
 * `ReconnectingWebSocket` over `TcpWebSocket` sending a custom header to
 * `Bun.serve` across a reconnect; this client against `Bun.serve` and Bun's
 * own client against this server (in this Deno process), byte for byte.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findBun, ROOT } from "../../tools/servers.ts";
import { accept } from "../../src/wire/accept.ts";
import type { BunWireReport } from "./_bun_wire.ts";

Deno.test("under Bun: headers over TcpWebSocket, this client vs Bun.serve, Bun's client vs this server", async () => {
  const bun = await findBun();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const ws = await accept(await listener.accept());
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => ws.send(e.data));
    return await ws.closed;
  })();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 45_000);
  const { stdout, stderr } = await new Deno.Command(bun, {
    args: ["tests/wire/_bun_wire.ts", `ws://127.0.0.1:${listener.addr.port}/`],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: abort.signal,
  }).output();
  clearTimeout(timer);
  const line = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
  let report: BunWireReport;
  try {
    report = JSON.parse(line);
  } catch {
    throw new Error(
      `No report from Bun: ${line}\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const closed = await served;
  listener.close();
  assert.equal(report.error, undefined);
  assert.match(report.runtime, /^Bun\//);
  assert.deepEqual(report.teams.slice(0, 2), ["bun", "bun"]);
  assert.deepEqual(report.echoes, ["echo rws:one", "echo rws:two"]);
  assert.deepEqual(report.bunServerGot, report.sent);
  assert.deepEqual(report.clientGot, report.sent);
  assert.deepEqual(report.bunClientGot, report.sent);
  assert.equal(closed.closeCode, 1000);
});
