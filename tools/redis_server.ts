/**
 * A throwaway `redis-server` for tests and benchmarks: on a free loopback
 * port, with no persistence (no RDB, no AOF) in a temporary directory,
 * stopped by its own pid. `tools/setup.sh` installs Debian's
 * `redis-server` where it is missing. Deno only.
 *
 * @module
 */

import { halt } from "./halt.ts";

/** A running `redis-server`. */
export interface RunningRedis {
  /** `redis://127.0.0.1:PORT`. */
  url: string;
  /** The loopback port it listens on. */
  port: number;
  /** Its process id. */
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
  /**
   * Stops it and starts a new one on the same port: everything it held is
   * lost, as after a crash of a Redis without persistence.
   */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** A loopback port that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

interface Child {
  process: Deno.ChildProcess;
  drained: Promise<void>;
}

/** Starts `redis-server` on `port` in `dir`; resolves once it accepts connections. */
async function launch(port: number, dir: string): Promise<Child> {
  const process = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    const lines = stream.pipeThrough(new TextDecoderStream());
    for await (const chunk of lines) {
      output.push(chunk);
      if (output.length > 40) output.shift();
      if (output.join("").includes("Ready to accept connections")) resolve();
    }
  };
  const drained = Promise.all([read(process.stdout), read(process.stderr)])
    .then(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      ready,
      process.status.then((s) => {
        throw new Error(
          `redis-server exited with ${s.code}: ${output.join("")}`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`redis-server did not start: ${output.join("")}`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    await stopChild({ process, drained });
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { process, drained };
}

/** SIGTERM (SIGKILL after a while) by pid, then waits for the exit. */
async function stopChild(child: Child): Promise<void> {
  await halt(child.process, STOP_TIMEOUT_MS, child.drained);
}

/**
 * Starts a `redis-server` with no persistence on a free 127.0.0.1 port
 * (trying another port if the first was taken meanwhile).
 */
export async function startRedis(): Promise<RunningRedis> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-redis-" });
  let child: Child | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    port = freePort();
    try {
      child = await launch(port, dir);
    } catch (error) {
      lastError = error;
    }
  }
  if (child === undefined) {
    await Deno.remove(dir, { recursive: true });
    throw lastError;
  }
  let current: Child = child;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.process.pid;
    },
    async stop() {
      await stopChild(current);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    async restart() {
      await stopChild(current);
      current = await launch(port, dir);
    },
  };
}
