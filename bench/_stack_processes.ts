/**
 * The processes of `bench/stack.ts`: the runtimes its client processes run
 * on (Deno, Bun, Node 22.18 or later), a client process talked to by
 * lines, the CPU time of a process and the pid behind a port (Linux), the
 * stacks measured (how each starts its server and its client processes),
 * and socket.io 4.8's server and client scripts with their npm install.
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  findBun,
  ROOT,
  type RunningServer,
  spawnExampleRelay,
  spawnServer,
} from "../tools/servers.ts";
import { installPeers } from "./_npm.ts";

/** A runtime the client processes can run on. */
export type ClientRuntime = "deno" | "bun" | "node";
export const CLIENT_RUNTIMES: readonly ClientRuntime[] = [
  "deno",
  "bun",
  "node",
];
export const RUNTIME_NAMES: Record<ClientRuntime, string> = {
  deno: "Deno",
  bun: "Bun",
  node: "Node",
};

/** How a script is run on a client runtime: its command and leading args. */
export interface Runner {
  runtime: ClientRuntime;
  command: string;
  /** The arguments before the script (`profile`: a CPU profile directory). */
  args(profile?: string): string[];
}

/** The executable of `command -e 'print execPath and version'`, or undefined. */
async function probe(
  command: string,
  args: string[],
): Promise<{ path: string; version: string } | undefined> {
  const script = "console.log(process.execPath + ' ' + process.version)";
  try {
    const { success, stdout } = await new Deno.Command(command, {
      args: [...args, "-e", script],
      stdin: "null",
      stderr: "null",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const line = new TextDecoder().decode(stdout).trim().split("\n").at(-1);
    if (!success || !line) return undefined;
    const [path, version] = line.split(" ");
    return { path, version };
  } catch {
    return undefined;
  }
}

/** Node 22.18 or later (TypeScript without flags): on PATH or by npx. */
async function findNode(): Promise<string> {
  for (const [command, args] of [["node", []], ["npx", ["-y", "node@22"]]]) {
    const found = await probe(command as string, args as string[]);
    const [major, minor] = (found?.version ?? "v0.0").slice(1).split(".")
      .map(Number);
    if (found && (major > 22 || (major === 22 && minor >= 18))) {
      return found.path;
    }
  }
  throw new Error("no Node 22.18 or later, on PATH or from npx -y node@22");
}

export async function runner(runtime: ClientRuntime): Promise<Runner> {
  // All three write a V8-format `.cpuprofile` with the same two flags.
  const prof = (dir?: string) =>
    dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
  switch (runtime) {
    case "deno":
      return {
        runtime,
        command: Deno.execPath(),
        args: (profile) => ["run", "-A", ...prof(profile)],
      };
    case "bun":
      return { runtime, command: await findBun(), args: prof };
    case "node":
      return { runtime, command: await findNode(), args: prof };
  }
}

/** A client process, talked to by lines. */
export class ClientProcess {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  #lines: string[] = [];
  #done: Promise<void>;

  constructor(command: string, args: string[], cwd?: string) {
    this.#child = new Deno.Command(command, {
      args,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#done = this.#read();
  }

  async #read(): Promise<void> {
    let rest = "";
    for await (
      const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        const i = this.#waiting.findIndex((w) => line.startsWith(w.prefix));
        if (i >= 0) this.#waiting.splice(i, 1)[0].resolve(line);
        else this.#lines.push(line);
      }
    }
  }

  /** The next line starting with `prefix` (or one already read). */
  line(prefix: string, ms: number): Promise<string> {
    const i = this.#lines.findIndex((line) => line.startsWith(prefix));
    if (i >= 0) return Promise.resolve(this.#lines.splice(i, 1)[0]);
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const timer = setTimeout(
      () => reject(new Error(`no "${prefix}" line within ${ms} ms`)),
      ms,
    );
    this.#waiting.push({
      prefix,
      resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      },
    });
    return promise;
  }

  /** Its CPU time so far (user and system), in ms; Linux only. */
  cpuMs(): number | undefined {
    return processCpuMs(this.#child.pid);
  }

  async send(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes its stdin (it exits on that), or kills it after 10 s. */
  async stop(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    await this.#child.status;
    clearTimeout(timer);
    await this.#done;
  }
}

/** The CPU time of process `pid` so far (user and system), in ms; Linux only. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15, in ticks of (almost always) 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The pid of the process listening on `url`'s port, by `ss` (Linux), if found. */
export async function listenerPid(url: string): Promise<number | undefined> {
  try {
    const { stdout } = await new Deno.Command("ss", {
      args: ["-ltnpH", `sport = :${new URL(url).port}`],
      stdin: "null",
      stderr: "null",
    }).output();
    const pid = /pid=(\d+)/.exec(new TextDecoder().decode(stdout))?.[1];
    return pid === undefined ? undefined : Number(pid);
  } catch {
    return undefined;
  }
}

const SOCKET_IO_SERVER = `
import { createServer } from "node:http";
import { Server } from "socket.io";
const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); ack(); });
  socket.on("pub", (room, data, ack) => { socket.to(room).emit("tick", data); ack(); });
});
http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log("listening on http://127.0.0.1:" + http.address().port);
});
process.on("SIGTERM", () => { io.close(); process.exit(0); });
`;

/** The socket.io counterpart of \`_stack_client.ts\`, same roles and lines. */
const SOCKET_IO_CLIENT = `
import { createInterface } from "node:readline";
import { io } from "socket.io-client";
const [role, url, ...rest] = process.argv.slice(2);
const connect = async (count) => {
  const sockets = [];
  for (let i = 0; i < count; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 25); j++) {
      batch.push(io(url, { transports: ["websocket"] }));
    }
    await Promise.all(batch.map((s) => s.emitWithAck("join", "bench")));
    sockets.push(...batch);
  }
  return sockets;
};
const lines = createInterface({ input: process.stdin });
if (role === "sub") {
  const [clients, messages] = rest.map(Number);
  const sockets = await connect(clients);
  let delivered = 0, faults = 0, complete = 0;
  for (const socket of sockets) {
    let last = 0;
    socket.on("tick", (n) => {
      delivered++;
      if (n !== last + 1) faults++;
      last = n;
      if (last === messages && ++complete === clients) console.log("done " + delivered + " " + faults);
    });
  }
  console.log("ready");
  lines.on("line", (line) => { if (line === "count") console.log("count " + delivered); });
  lines.on("close", () => { for (const s of sockets) s.close(); });
} else {
  const [messages, window] = rest.map(Number);
  const [socket] = await connect(1);
  console.log("ready");
  lines.on("line", async (line) => {
    if (line !== "go") return;
    let sent = 0;
    const sender = async () => { while (sent < messages) await socket.emitWithAck("pub", "bench", ++sent); };
    await Promise.all(Array.from({ length: window }, sender));
    console.log("acked");
  });
  lines.on("close", () => socket.close());
}
`;

/** socket.io 4.8 and its client in a temporary directory, by npm. */
export function installSocketIo(): Promise<string> {
  return installPeers("lifeline-stack-io-", {
    "server.mjs": SOCKET_IO_SERVER,
    "client.mjs": SOCKET_IO_CLIENT,
  }, ["socket.io@4.8", "socket.io-client@4.8"]);
}

/** How one stack's client processes are started. */
export interface Stack {
  name: string;
  /** The runtime its client processes run on. */
  clients: ClientRuntime;
  start(): Promise<RunningServer>;
  /** The command and arguments of a client process. */
  client(
    url: string,
    role: "sub" | "pub",
    args: number[],
  ): [string, string[], string?];
}

/** A lifeline stack: the example relay on `runtime`, clients on `clients`. */
export function lifeline(
  name: string,
  runtime: "deno" | "bun",
  clients: Runner,
  root: URL = ROOT,
  profile?: string,
): Stack {
  const script = new URL("bench/_stack_client.ts", ROOT).pathname;
  const mod = new URL("mod.ts", root).href;
  return {
    name,
    clients: clients.runtime,
    start: () => spawnExampleRelay(runtime, { LIFELINE_RATE: "0" }, root),
    client: (url, role, args) => [clients.command, [
      ...clients.args(role === "sub" ? profile : undefined),
      script,
      role,
      mod,
      url,
      ...args.map(String),
    ]],
  };
}

/** Bare WebSocket subscribers (`JSON.parse` and count), a lifeline publisher. */
export function rawClients(clients: Runner, profile?: string): Stack {
  const stack = lifeline(
    "bare WebSockets, Bun relay",
    "bun",
    clients,
    ROOT,
    profile,
  );
  return {
    ...stack,
    client: (url, role, args) => {
      const [command, list] = stack.client(url, role, args);
      return [command, list.map((arg) => arg === "sub" ? "raw" : arg)];
    },
  };
}

/** socket.io 4.8 from `dir`: its server on Node, its clients on `clients`. */
export function socketIo(dir: string, clients: Runner): Stack {
  return {
    name: "socket.io 4.8 (Node)",
    clients: clients.runtime,
    start: () =>
      spawnServer({
        name: "socket.io",
        command: "node",
        args: [join(dir, "server.mjs")],
        cwd: pathToFileURL(dir + "/"),
        wsPath: "",
      }),
    client: (url, role, args) => [
      clients.command,
      [
        ...clients.args(),
        join(dir, "client.mjs"),
        role,
        url,
        ...args.map(String),
      ],
      dir,
    ],
  };
}
