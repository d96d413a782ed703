/**
 * What every benchmark prints and writes with its figures: the machine
 * (cores, load, runtime versions), medians, and `bench/results/*.json`.
 *
 * @module
 */

import os from "node:os";
import { findBun } from "../tools/servers.ts";

/** The machine a benchmark ran on. */
export interface MachineInfo {
  cores: number;
  cpu: string;
  /** The 1-minute load average when the benchmark started. */
  load: number;
  deno: string;
  bun: string | null;
  node: string | null;
  /** One line for the output. */
  summary: string;
}

async function version(command: string, args: string[]) {
  try {
    const { success, stdout } = await new Deno.Command(command, {
      args,
      stdin: "null",
      stderr: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout).trim() : null;
  } catch {
    return null;
  }
}

/** Cores, load and runtime versions, for the output and the results. */
export async function machine(): Promise<MachineInfo> {
  const cores = navigator.hardwareConcurrency;
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const load = os.loadavg()[0];
  const bun = await findBun().then((path) => version(path, ["--version"]))
    .catch(() => null);
  const node = await version("node", ["--version"]);
  const deno = Deno.version.deno;
  const summary = `${cores} cores (${cpu}), load ${
    load.toFixed(2)
  } (shared machine), deno ${deno}, bun ${bun ?? "-"}, node ${node ?? "-"}`;
  return { cores, cpu, load, deno, bun, node, summary };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Writes `body` as JSON to `path` (creating its directory), with the date. */
export async function writeResults(
  path: string,
  body: Record<string, unknown>,
): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    path,
    JSON.stringify({ date: new Date().toISOString(), ...body }, null, 2) +
      "\n",
  );
  console.log(`wrote ${path}`);
}
