/**
 * The conformance suite against the Durable Object adapter
 * (`relay/durable-object`): the example Worker `examples/worker/`, run by
 * `deno task worker`'s script on real workerd (Miniflare), spawned as a
 * Deno process. A restart ends the process and spawns a new one on the same
 * port: every socket is cut, as a deploy does.
 *
 * @module
 */

import { spawnServer } from "../../../tools/servers.ts";
import { conformance, restartOnSamePort } from "../conformance.ts";

conformance(
  "durable object (workerd)",
  restartOnSamePort((env) =>
    spawnServer({
      name: "worker",
      command: Deno.execPath(),
      args: ["run", "-A", "examples/worker/serve.ts"],
      env,
    })
  ),
);
