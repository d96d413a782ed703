/**
 * `deno task worker`: the example Worker (`./worker.ts`) and its Durable
 * Object on local workerd, through the `miniflare` npm package. It bundles
 * the Worker with esbuild at start (nothing is committed built), passes the
 * `LIFELINE_*` variables of its environment on as the Worker's vars,
 * listens on `PORT` (default 8788) of `LIFELINE_HOST` (default 127.0.0.1),
 * prints `listening on http://HOST:PORT (WebSocket: ws://HOST:PORT/ws)`, and
 * stops workerd and exits 0 on SIGINT or SIGTERM.
 *
 * Tests import {@linkcode startWorker} to run the same Worker in-process.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { Miniflare, type MiniflareOptions } from "miniflare";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The compatibility date the Worker is written for (also in `wrangler.toml`). */
export const COMPATIBILITY_DATE = "2026-07-01";

/** Options of {@linkcode startWorker}. */
export interface WorkerOptions {
  /** The Worker's vars: the `LIFELINE_*` settings. */
  vars?: Record<string, string>;
  /** The port to listen on; 0 picks a free one. @default {0} */
  port?: number;
  /** The interface to listen on. @default {"127.0.0.1"} */
  host?: string;
  /** The Worker's entry module. @default {"./worker.ts"} */
  entry?: string;
  /** More Miniflare options (a test's extra Workers, say). */
  miniflare?: Partial<MiniflareOptions>;
}

/** A running Worker. */
export interface RunningWorker {
  /** The Miniflare instance that runs workerd. */
  miniflare: Miniflare;
  /** `http://HOST:PORT`. */
  httpUrl: string;
  /** `ws://HOST:PORT/ws`. */
  url: string;
  /** Stops workerd. */
  stop(): Promise<void>;
}

/** Bundles a Worker entry module for workerd. */
export async function bundle(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    external: ["node:*", "cloudflare:*"],
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    logLevel: "silent",
  });
  // The service process would outlive the build (and a test).
  await esbuild.stop();
  return result.outputFiles[0].text;
}

/** Starts the Worker and its Durable Object on workerd. */
export async function startWorker(
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  const entry = options.entry ??
    fileURLToPath(new URL("./worker.ts", import.meta.url));
  const script = await bundle(entry);
  const host = options.host ?? "127.0.0.1";
  const miniflare = new Miniflare({
    host,
    port: options.port ?? 0,
    modules: [{ type: "ESModule", path: "worker.js", contents: script }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: { RELAY: { className: "LifelineRelay", useSQLite: true } },
    bindings: options.vars ?? {},
    ...options.miniflare,
  } as MiniflareOptions);
  const ready = await miniflare.ready;
  const origin = `http://${host}:${ready.port}`;
  return {
    miniflare,
    httpUrl: origin,
    url: `ws://${host}:${ready.port}/ws`,
    stop: () => miniflare.dispose(),
  };
}

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
