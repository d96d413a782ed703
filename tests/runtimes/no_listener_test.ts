/**
 * The process never dies because an app did not register `onError`: under
 * Deno and under Bun, `_no_listener.ts` runs a manager whose connection
 * fails for good (a port nothing listens on, a handshake refused with 401)
 * and exits cleanly after handling the `join()` rejection.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findBun, ROOT } from "../../tools/servers.ts";
import type { NoListenerReport } from "./_no_listener.ts";

const PROCESS_TIMEOUT_MS = 30_000;

async function run(command: string, args: string[]) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PROCESS_TIMEOUT_MS);
  try {
    const { code, stdout, stderr } = await new Deno.Command(command, {
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
      stdout: decoder.decode(stdout),
      stderr: decoder.decode(stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const SCRIPT = "tests/runtimes/_no_listener.ts";

const runtimes: [string, () => Promise<[string, string[]]>][] = [
  ["Deno", () => Promise.resolve([Deno.execPath(), ["run", "-A", SCRIPT]])],
  ["Bun", async () => [await findBun(), [SCRIPT]]],
];

for (const [name, command] of runtimes) {
  Deno.test(`under ${name}, a failed connection with no onError listener kills nothing`, async () => {
    const [bin, args] = await command();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("no", { status: 401 }),
    );
    try {
      const cases: [string, NoListenerReport][] = [
        [`ws://127.0.0.1:${closedPort()}/ws`, {
          code: "closed",
          cause: "connection_refused",
        }],
        [`ws://127.0.0.1:${server.addr.port}/ws`, {
          code: "closed",
          cause: "handshake_failed",
          status: 401,
        }],
      ];
      for (const [url, expected] of cases) {
        const result = await run(bin, [...args, url]);
        const context =
          `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
        assert.equal(result.code, 0, context);
        const line = result.stdout.trim().split("\n").at(-1) ?? "";
        assert.deepEqual(JSON.parse(line), expected, context);
      }
    } finally {
      await server.shutdown();
    }
  });
}
