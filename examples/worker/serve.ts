/**
 * `deno task worker`: the example Worker (`./worker.ts`) and its Durable
 * Object on local workerd, through the `miniflare` npm package
 * (`tools/workerd.ts`). It bundles the Worker with esbuild at start (nothing
 * is committed built), passes the `LIFELINE_*` variables of its environment
 * on as the Worker's vars, listens on `PORT` (default 8788) of
 * `LIFELINE_HOST` (default 127.0.0.1), prints
 * `listening on http://HOST:PORT (WebSocket: ws://HOST:PORT/ws)`, and stops
 * workerd and exits 0 on SIGINT or SIGTERM.
 *
 * @module
 */

import process from "node:process";
import { startWorker } from "../../tools/workerd.ts";

if (import.meta.main) {
  // Registered before Miniflare's own exit hook, which would exit 130/143:
  // exiting runs that hook, which stops workerd. A Worker cannot say bye to
  // its clients: a stop cuts the sockets, as a deploy does.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => process.exit(0));
  }
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("LIFELINE_") && value !== undefined) vars[name] = value;
  }
  const worker = await startWorker({
    vars,
    port: Number(process.env.PORT || 8788),
    host: process.env.LIFELINE_HOST || "127.0.0.1",
  });
  console.log(`listening on ${worker.httpUrl} (WebSocket: ${worker.url})`);
}
