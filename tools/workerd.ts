/**
 * Workers on workerd, for `deno task worker` and the tests: bundle a Worker
 * entry module with esbuild (npm) and run it with Miniflare (npm), which
 * starts the workerd binary its npm package ships. Deno only.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { fileURLToPath } from "node:url";

/** The compatibility date the Workers are written for (also in `examples/worker/wrangler.toml`). */
export const COMPATIBILITY_DATE = "2026-07-01";

/** Options of {@linkcode startWorker}. */
export interface WorkerOptions {
  /** The Worker's vars: the `LIFELINE_*` settings. */
  vars?: Record<string, string>;
  /** The port to listen on; 0 picks a free one. @default {0} */
  port?: number;
  /** The interface to listen on. @default {"127.0.0.1"} */
  host?: string;
  /** The Worker's entry module (a path). @default {"examples/worker/worker.ts"} */
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

/**
 * Starts a Worker on workerd, bound to its Durable Object class
 * `LifelineRelay` as `RELAY` (SQLite-backed) unless `miniflare` says
 * otherwise; bundles the entry first.
 */
export async function startWorker(
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  const entry = options.entry ??
    fileURLToPath(new URL("../examples/worker/worker.ts", import.meta.url));
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
