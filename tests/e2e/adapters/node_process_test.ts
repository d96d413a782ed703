/**
 * The conformance suite against the Node adapter (`relay/node`: `node:http`
 * and the `ws` package) under real Node.js (`node` on `PATH`, 20 here), not
 * Deno's Node compatibility: `examples/relay/node.ts` bundled to one ES
 * module by `deno bundle` (Node 20 cannot load TypeScript; `node:*` stays
 * external, `hono` and `ws` are bundled) into `examples/relay/build/`
 * (ignored by git), then spawned with `node`. A restart ends the process
 * and spawns a new one on the same port.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ROOT, spawnServer } from "../../../tools/servers.ts";
import { conformance, restartOnSamePort } from "../conformance.ts";

const BUNDLE = "examples/relay/build/node.mjs";

let bundled: Promise<void> | undefined;

async function bundle(): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "-o",
      BUNDLE,
      "examples/relay/node.ts",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

conformance(
  "node (real Node.js)",
  restartOnSamePort(async (env) => {
    await (bundled ??= bundle());
    return spawnServer({
      name: "node",
      command: "node",
      args: [BUNDLE],
      env,
      cwd: ROOT,
    });
  }),
);
