/**
 * `connect` on workerd (through miniflare) with workerd's own `connect()`
 * from `cloudflare:sockets` as the dialer, passed as it is, against an
 * `accept` server on a TCP listener in this process. Miniflare keeps a
 * message port and a timer past `dispose()`, hence no op or resource
 * sanitizer on this one test; everything it starts is still stopped.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { ROOT } from "../../tools/servers.ts";
import { accept } from "../../src/wire/accept.ts";

const WORKER = `
import { connect } from "cloudflare:sockets";
import { handle } from "./wire.js";
export default { fetch: (request) => handle(request, connect) };
`;

Deno.test({
  name:
    "on workerd: connect runs over cloudflare:sockets' connect, passed as the dialer",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dir = await Deno.makeTempDir();
  const bundle = join(dir, "wire.js");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let mf: Miniflare | undefined;
  try {
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "-o", bundle, "tests/wire/_worker_wire.ts"],
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(bundled.success, new TextDecoder().decode(bundled.stderr));
    let runtime: string | null = null;
    const served = (async () => {
      const ws = await accept(await listener.accept(), undefined, {
        // The callback sees the request: record its header, choose nothing.
        protocol: (_offered, request) => {
          runtime = request.headers.get("x-runtime");
          return undefined;
        },
      });
      ws.addEventListener("message", (e) => ws.send(`echo ${e.data}`));
      return ws;
    })();
    mf = new Miniflare({
      modulesRoot: dir,
      modules: [
        { type: "ESModule", path: join(dir, "worker.js"), contents: WORKER },
        {
          type: "ESModule",
          path: bundle,
          contents: await Deno.readTextFile(bundle),
        },
      ],
      compatibilityDate: "2025-01-01",
    });
    const answer = mf.dispatchFetch(
      `http://worker.test/?ws=ws://127.0.0.1:${listener.addr.port}/`,
    );
    const ws = await served;
    ws.send(`hello ${runtime}`);
    const report = await (await answer).json() as Record<string, unknown>;
    assert.equal(report.error, undefined);
    assert.deepEqual(report, {
      greeting: "hello workerd",
      echo: "echo ping from the worker",
      closed: { closeCode: 1000, reason: "", wasClean: true },
    });
    await ws.closed;
    assert.equal(runtime, "workerd");
  } finally {
    await mf?.dispose();
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
