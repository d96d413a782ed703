/**
 * Servers as processes, for the end-to-end tests, the benchmark and demos:
 * spawn a server, wait for its `listening on http://HOST:PORT` line, and
 * stop it (by its own pid) so nothing is left running. Finds Bun the way a
 * brand-new machine can: `bun` on `PATH`, else `npx -y bun@1`. Deno only.
 *
 * @module
 */

import { halt } from "./halt.ts";

/** A running relay server. */
export interface RunningServer {
  /** What runs it, such as `deno` or `bun`. */
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
  /**
   * Kills the process at once (SIGKILL), as a crash would, and waits for it
   * to be gone; `stop()` afterwards does nothing. Spawned servers only.
   */
  kill?(): Promise<void>;
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
  /** The directory it runs in. @default {ROOT} */
  cwd?: URL;
  /** Hears every line the server writes, stdout and stderr. */
  onLine?: (line: string) => void;
}

/** The repository root: spawned servers run there, so `deno.json` and `node_modules/` apply. */
export const ROOT: URL = new URL("../", import.meta.url);

/** Ms `npx -y bun@1` may take to find (or download) Bun. */
const BUN_INSTALL_TIMEOUT_MS = 120_000;
/** Ms a stopped process gets between SIGTERM and SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

/** The entry points of the example relay server, one per relay adapter. */
export type ExampleRelay = "deno" | "bun" | "hono" | "node";

/** The example relay entry points, each run by its runtime. */
export const EXAMPLE_RELAYS: readonly ExampleRelay[] = [
  "deno",
  "bun",
  "hono",
  "node",
];

/**
 * Spawns `examples/relay/<entry>.ts` of the tree at `root` (default: this
 * checkout): with Bun for `bun` (`bun` from `PATH`, or else the one
 * `npx -y bun@1` installs; the first run may download it), with this Deno
 * for the others. Bun resolves `hono` from `node_modules/`; when that is
 * missing, `deno install` makes it.
 */
export async function spawnExampleRelay(
  entry: ExampleRelay,
  env?: ServerEnv,
  root: URL = ROOT,
): Promise<RunningServer> {
  const script = `examples/relay/${entry}.ts`;
  if (entry !== "bun") {
    return spawnServer({
      name: entry,
      command: Deno.execPath(),
      args: ["run", "-A", script],
      env,
      cwd: root,
    });
  }
  const bun = await findBun();
  await ensureNodeModules(root);
  return spawnServer({
    name: entry,
    command: bun,
    args: [script],
    env,
    cwd: root,
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

/** Runs `deno install` in `root` unless its `node_modules/` has `hono` and `redis`. */
export async function ensureNodeModules(root: URL = ROOT): Promise<void> {
  try {
    // What Bun imports from there: hono, and redis for LIFELINE_REDIS_URL.
    for (const name of ["hono", "redis"]) {
      await Deno.stat(new URL(`node_modules/${name}/package.json`, root));
    }
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["install"],
    cwd: root,
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
 * Spawns a server process (in the repository root unless `cwd` says) with `PORT=0` and waits for
 * its `listening on http://HOST:PORT` line. Its output is kept (the last
 * lines go into errors) and drained until it exits.
 */
export async function spawnServer(
  options: SpawnOptions,
): Promise<RunningServer> {
  const {
    name,
    command,
    args,
    startTimeout = 30_000,
    wsPath = "/ws",
    cwd = ROOT,
  } = options;
  const child = new Deno.Command(command, {
    args,
    cwd,
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
    options.onLine?.(line);
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
      const { code, killed } = await halt(child, STOP_TIMEOUT_MS, drained);
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
  const kill = async (): Promise<void> => {
    stopped ??= (async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await status;
      await drained;
    })();
    await stopped;
  };
  return {
    name,
    url: httpUrl.replace(/^http/, "ws") + wsPath,
    httpUrl,
    stop,
    kill,
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
