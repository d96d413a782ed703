/**
 * The flags every client process of the benchmarks takes (`./_hold_clients.ts`,
 * `./_storm_clients.ts`): which sockets to open, to where, how many at once,
 * and for how long at most. Loopback only.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** What a client process was asked to do. */
export interface ClientArgs {
  /** The relay's WebSocket URL, on 127.0.0.1. */
  url: string;
  /** Sockets (or clients) to open. */
  count: number;
  /** The index of the first, which picks its room: `room-<i / roomSize>`. */
  first: number;
  /** Members per room. */
  roomSize: number;
  /** Sockets opened at once. */
  batch: number;
  /** Longest the process runs, ms. */
  timeout: number;
  /** Whether each socket says `hello` and joins its room (`--hello`). */
  hello: boolean;
}

/** Parses `args` (the process's own) over the process's `defaults`. */
export function clientArgs(
  args: string[],
  defaults: Pick<ClientArgs, "count" | "batch" | "timeout">,
): ClientArgs {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      count: { type: "string", default: String(defaults.count) },
      first: { type: "string", default: "0" },
      hello: { type: "boolean", default: false },
      "room-size": { type: "string", default: "10" },
      batch: { type: "string", default: String(defaults.batch) },
      timeout: { type: "string", default: String(defaults.timeout) },
    },
  });
  const url = values.url;
  if (url === undefined || !url.startsWith("ws://127.0.0.1:")) {
    throw new Error("--url ws://127.0.0.1:PORT/ws is required (loopback only)");
  }
  return {
    url,
    count: Number(values.count),
    first: Number(values.first),
    roomSize: Number(values["room-size"]),
    batch: Number(values.batch),
    timeout: Number(values.timeout),
    hello: values.hello,
  };
}
