/**
 * `connect` under Node: `_node_wire.ts` is bundled with `deno bundle` (Node
 * 20 runs no TypeScript) and run by `node` against a `Deno.serve` echo
 * server in this process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../../tools/servers.ts";
import type { NodeWireReport } from "./_node_wire.ts";

Deno.test("under Node: connect sends its header and agrees byte for byte with Deno.serve", async () => {
  const dir = await Deno.makeTempDir();
  const script = join(dir, "node_wire.mjs");
  try {
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "node",
        "-o",
        script,
        "tests/wire/_node_wire.ts",
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(bundled.success, new TextDecoder().decode(bundled.stderr));
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (request) => {
        const runtime = request.headers.get("x-runtime");
        const { socket, response } = Deno.upgradeWebSocket(request);
        socket.onopen = () => socket.send(`hello ${runtime}`);
        socket.onmessage = (e) => socket.send(e.data);
        return response;
      },
    );
    const { stdout, stderr } = await new Deno.Command("node", {
      args: [script, `ws://127.0.0.1:${server.addr.port}/`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    await server.shutdown();
    const line = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ??
      "";
    let report: NodeWireReport;
    try {
      report = JSON.parse(line);
    } catch {
      throw new Error(
        `No report from Node: ${line}\n${new TextDecoder().decode(stderr)}`,
      );
    }
    assert.equal(report.error, undefined);
    assert.equal(report.greeting, "hello node");
    assert.deepEqual(report.got, report.sent);
    assert.deepEqual(report.closed, {
      closeCode: 1000,
      reason: "",
      wasClean: true,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
