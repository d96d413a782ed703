/**
 * Relay servers for end-to-end tests (and the bench): the example Hono app in
 * this process, or the example server spawned as a Deno or Bun process. Each
 * starter resolves once the server accepts connections and hands back its
 * URLs and a `stop()` that leaves nothing running.
 *
 * @module
 */

import { upgradeWebSocket } from "hono/deno";
import { Relay, type RelayOptions } from "../../src/relay/mod.ts";
import { createApp } from "../../examples/relay/app.ts";
import { OpenSockets } from "../../examples/relay/open_sockets.ts";

/** A running relay server. */
export interface RunningServer {
  /** What runs it: `in-process`, `deno` or `bun`. */
  name: string;
  /** The WebSocket endpoint, `ws://127.0.0.1:PORT/ws`. */
  url: string;
  /** The HTTP origin, `http://127.0.0.1:PORT`. */
  httpUrl: string;
  /**
   * Closes the relay and the server; for a process, sends SIGTERM and waits
   * for its exit. Rejects when the process did not exit on its own with code
   * 0 (it is killed after 10 s): a server that needs SIGKILL is a bug.
   */
  stop(): Promise<void>;
}

/** How {@linkcode startInProcessRelay} sets up the example app (a `ServerConfig` will do). */
export interface InProcessOptions {
  /** Options for the relay. */
  relay?: RelayOptions;
  /** The bearer token of `POST /users/:id/events`; absent turns it off. */
  adminToken?: string;
  /** The TCP port; 0 picks a free one. */
  port?: number;
}

/** Environment variables for a spawned server, on top of this process's. */
export type ServerEnv = Record<string, string>;

/** How a server process is started, for {@linkcode spawnServer}. */
export interface SpawnOptions {
  /** Names the server in {@linkcode RunningServer.name} and in errors. */
  name: string;
  /** The executable. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Extra environment variables; `PORT` defaults to `0`. */
  env?: ServerEnv;
  /** Ms to wait for the `listening on` line. @default 30000 */
  startTimeout?: number;
  /** The path the WebSocket endpoint is served at. @default "/ws" */
  wsPath?: string;
}

/** The repository root: spawned servers run there, so `deno.json` and `node_modules/` apply. */
export const ROOT: URL = new URL("../../", import.meta.url);

/** Ms `npx -y bun@1` may take to find (or download) Bun. */
const BUN_INSTALL_TIMEOUT_MS = 120_000;
/** Ms a stopped process gets between SIGTERM and SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs the example app on `Deno.serve` in this process, on a free loopback
 * port. `stop()` closes the relay (clients get `bye` and 1012), waits up to
 * 2 s for the close handshakes, then shuts the server down.
 */
export async function startInProcessRelay(
  options: InProcessOptions = {},
): Promise<RunningServer> {
  const relay = new Relay(options.relay);
  const openSockets = new OpenSockets();
  const app = createApp({
    relay,
    upgradeWebSocket,
    openSockets,
    adminToken: options.adminToken,
  });
  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    onListen: ({ port }) => resolve(port),
  }, app.fetch);
  const port = await listening;
  let stopped: Promise<void> | undefined;
  return {
    name: "in-process",
    url: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    stop() {
      stopped ??= (async () => {
        relay.close();
        await openSockets.drained(2_000);
        await server.shutdown();
      })();
      return stopped;
    },
  };
}

/** Spawns `examples/relay/deno.ts` with this Deno. */
export function spawnDenoRelay(env?: ServerEnv): Promise<RunningServer> {
  return spawnServer({
    name: "deno",
    command: Deno.execPath(),
    args: ["run", "-A", "examples/relay/deno.ts"],
    env,
  });
}

/**
 * Spawns `examples/relay/bun.ts` with Bun: `bun` from `PATH`, or else the
 * one `npx -y bun@1` installs (the first run may download it). Bun resolves
 * `hono` from `node_modules/`; when that is missing, `deno install` makes it.
 */
export async function spawnBunRelay(env?: ServerEnv): Promise<RunningServer> {
  const bun = await findBun();
  await ensureNodeModules();
  return spawnServer({
    name: "bun",
    command: bun,
    args: ["examples/relay/bun.ts"],
    env,
    startTimeout: 60_000,
  });
}

let bunPath: Promise<string> | undefined;

/**
 * The path of a Bun executable: `bun` on `PATH` or the one `npx -y bun@1`
 * runs. Spawning the binary itself, not `npx`, lets `stop()` signal Bun
 * directly. Cached for the process.
 */
export function findBun(): Promise<string> {
  bunPath ??= (async () => {
    const script = "console.log(process.execPath)";
    for (
      const [command, args] of [
        ["bun", ["-e", script]],
        ["npx", ["-y", "bun@1", "-e", script]],
      ] as const
    ) {
      // npx may download Bun first; bound it all the same.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), BUN_INSTALL_TIMEOUT_MS);
      try {
        const { success, stdout } = await new Deno.Command(command, {
          args: [...args],
          stdin: "null",
          stderr: "null",
          signal: abort.signal,
        }).output();
        const path = new TextDecoder().decode(stdout).trim().split("\n").at(-1);
        if (success && path) return path;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      } finally {
        clearTimeout(timer);
      }
    }
    throw new Error("Cannot find Bun: neither `bun` nor `npx` is on PATH");
  })();
  return bunPath;
}

async function ensureNodeModules(): Promise<void> {
  try {
    await Deno.stat(new URL("node_modules/hono/package.json", ROOT));
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["install"],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
  }).output();
  if (!success) {
    throw new Error(
      `deno install failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
}

/**
 * Spawns a server process in the repository root with `PORT=0` and waits for
 * its `listening on http://HOST:PORT` line. Its output is kept (the last
 * lines go into errors) and drained until it exits.
 */
export async function spawnServer(
  options: SpawnOptions,
): Promise<RunningServer> {
  const { name, command, args, startTimeout = 30_000, wsPath = "/ws" } =
    options;
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
    env: { PORT: "0", NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const output: string[] = [];
  const { promise: listening, resolve: heard } = Promise.withResolvers<
    string
  >();
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > 50) output.shift();
    const match = /listening on (http:\/\/\S+)/.exec(line);
    if (match) heard(match[1]);
  };
  const drained = Promise.all([
    readLines(child.stdout, onLine),
    readLines(child.stderr, onLine),
  ]);
  const status = child.status;

  const exited = status.then((s) => {
    throw new Error(
      `${name} server exited with code ${s.code} before listening:\n${
        output.join("\n")
      }`,
    );
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${name} server did not listen within ${startTimeout} ms:\n${
              output.join("\n")
            }`,
          ),
        ),
      startTimeout,
    );
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      let killed = false;
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
          killed = true;
        } catch {
          // Exited meanwhile.
        }
      }, STOP_TIMEOUT_MS);
      let code: number;
      try {
        code = (await status).code;
        await drained;
      } finally {
        clearTimeout(killer);
      }
      if (killed || code !== 0) {
        throw new Error(
          `${name} server ${
            killed
              ? `ignored SIGTERM for ${STOP_TIMEOUT_MS} ms and was killed`
              : `exited with code ${code} on SIGTERM`
          }:\n${output.join("\n")}`,
        );
      }
    })();
    return stopped;
  };

  let origin: string;
  try {
    origin = await Promise.race([listening, exited, timedOut]);
  } catch (error) {
    await stop().catch(() => {}); // `error` says what went wrong
    throw error;
  } finally {
    clearTimeout(timer);
    exited.catch(() => {});
  }
  const httpUrl = origin.replace(/\/$/, "");
  return {
    name,
    url: httpUrl.replace(/^http/, "ws") + wsPath,
    httpUrl,
    stop,
  };
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    for (const line of lines) onLine(line.replace(/\r$/, ""));
  }
  if (rest) onLine(rest);
}
