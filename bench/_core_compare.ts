/**
 * The relay core alone, in process, against a baseline commit's: the part of
 * `deno task bench --baseline <ref>` (and all of `--core-only`) that runs
 * `./_relay_core_run.ts` in fresh Deno and Bun processes and prints the µs
 * per publish of both relays and their ratio.
 *
 * @module
 */

import { findBun } from "../tools/servers.ts";
import type { ExportedTree } from "./_baseline.ts";
import type { CoreResult } from "./_relay_core_run.ts";

/** Runs `bench/_relay_core_run.ts` in a fresh process; answers its results. */
async function coreRun(command: string, args: string[]): Promise<CoreResult[]> {
  const { success, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  if (!success) throw new Error(`${command}: ${text.decode(stderr)}`);
  return JSON.parse(text.decode(stdout).trim().split("\n").at(-1)!);
}

/**
 * The relay core alone, in process, against the baseline's, on Deno and on
 * Bun in child processes: the cost per publish without the network's noise,
 * which on a small machine swamps a few percent.
 */
export async function compareCores(baseline: ExportedTree): Promise<void> {
  const current = new URL("../src/relay/mod.ts", import.meta.url).href;
  const old = new URL("src/relay/mod.ts", baseline.root).href;
  const runner = new URL("_relay_core_run.ts", import.meta.url).pathname;
  const runtimes: [string, string, string[]][] = [
    ["deno", Deno.execPath(), ["run", "-A", runner]],
  ];
  const bun = await findBun().catch(() => undefined);
  if (bun !== undefined) runtimes.push(["bun", bun, [runner]]);
  const rows: [string, CoreResult[]][] = [];
  for (const [runtime, command, args] of runtimes) {
    // In one process the relay imported first measured slower (at 1,000
    // subscribers on Bun, 1.3 to 1.7 times, the same code 1.06 times):
    // each is imported first once, in a fresh process, and the two runs'
    // medians averaged.
    const a = await coreRun(command, [...args, current, old]);
    const b = await coreRun(command, [...args, old, current]);
    rows.push([
      runtime,
      a.map((r, i) => ({
        subscribers: r.subscribers,
        current: (r.current + b[i].baseline) / 2,
        baseline: (r.baseline + b[i].current) / 2,
      })),
    ]);
  }
  console.log(
    `\nrelay core in process (no network), µs per publish, medians:\n` +
      "runtime     N   current  baseline  current/baseline",
  );
  for (const [runtime, results] of rows) {
    for (const r of results) {
      console.log(
        `${runtime.padStart(7)} ${String(r.subscribers).padStart(5)} ${
          r.current.toFixed(2).padStart(9)
        } ${r.baseline.toFixed(2).padStart(9)} ${
          (r.current / r.baseline).toFixed(3).padStart(17)
        }`,
      );
    }
  }
}
