/**
 * Big-channel benchmark: one channel filled from empty to N members, in one
 * process and without a network (`_channel_fill_run.ts`, one process per
 * fill), on Deno and on Bun. Prints the time, the heap growth and what the
 * relay sent, for this checkout's relay (presence on, and presence off for
 * the channel) and, with `--baseline <git-ref>`, for that commit's relay in
 * the same run, with the current/baseline ratios.
 *
 * `deno task bench:channel [--members 2000,10000] [--rate 2000] [--baseline <ref>]`.
 * `--rate`: joins per second of the relay's virtual clock (the presence
 * batch window is measured in it). Bun rows are skipped when Bun cannot be
 * found.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { findBun } from "../tools/servers.ts";
import { type ExportedTree, exportTree } from "./_baseline.ts";
import type { FillResult } from "./_channel_fill_run.ts";

/** Cap on one fill, in ms; a fill over it is reported as such. */
const FILL_CAP_MS = 240_000;

const RUNNER = new URL("_channel_fill_run.ts", import.meta.url).pathname;

async function run(
  runtime: "deno" | "bun",
  bun: string | undefined,
  module: string,
  members: number,
  rate: number,
  options: Record<string, unknown>,
): Promise<FillResult | "over cap"> {
  const args = [module, String(members), String(rate), JSON.stringify(options)];
  const command = runtime === "deno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", RUNNER, ...args],
      stdin: "null",
      signal: AbortSignal.timeout(FILL_CAP_MS),
    })
    : new Deno.Command(bun!, {
      args: [RUNNER, ...args],
      stdin: "null",
      signal: AbortSignal.timeout(FILL_CAP_MS),
    });
  const { success, stdout, stderr, signal } = await command.output();
  if (signal !== null) return "over cap";
  const text = new TextDecoder();
  if (!success) throw new Error(`${runtime}: ${text.decode(stderr)}`);
  return JSON.parse(text.decode(stdout).trim().split("\n").at(-1)!);
}

function cell(result: FillResult | "over cap"): string {
  if (result === "over cap") return "over cap".padStart(44);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return `${result.ms.toFixed(0).padStart(8)} ms ${
    mb(result.heapBytes).padStart(7)
  } MB heap ${String(result.frames).padStart(8)} frames ${
    mb(result.bytesSent).padStart(8)
  } MB sent`;
}

function ratio(
  a: FillResult | "over cap",
  b: FillResult | "over cap" | undefined,
): string {
  if (b === undefined || a === "over cap" || b === "over cap") return "";
  return `  time ×${(a.ms / b.ms).toFixed(3)}, heap ×${
    (a.heapBytes / b.heapBytes).toFixed(2)
  }, sent ×${(a.bytesSent / b.bytesSent).toFixed(3)}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      members: { type: "string", default: "2000" },
      rate: { type: "string", default: "2000" },
      baseline: { type: "string" },
    },
  });
  const sizes = values.members.split(",").map(Number);
  const rate = Number(values.rate);
  if (sizes.some((n) => !(n > 0)) || !(rate > 0)) {
    throw new TypeError("--members and --rate must be positive numbers");
  }
  const baseline: ExportedTree | undefined = values.baseline === undefined
    ? undefined
    : await exportTree(values.baseline);
  const bun = await findBun().catch(() => undefined);
  const current = new URL("../src/relay/mod.ts", import.meta.url).href;
  const old = baseline && new URL("src/relay/mod.ts", baseline.root).href;
  console.log(
    `one channel filled from empty, ${rate} joins/s (virtual clock), no network` +
      (baseline ? `; baseline ${baseline.commit}` : ""),
  );
  try {
    for (const runtime of ["deno", "bun"] as const) {
      if (runtime === "bun" && bun === undefined) continue;
      for (const members of sizes) {
        const base = old === undefined
          ? undefined
          : await run(runtime, bun, old, members, rate, {});
        const now = await run(runtime, bun, current, members, rate, {});
        const off = await run(runtime, bun, current, members, rate, {
          presence: false,
        });
        const label = (what: string) =>
          `${runtime.padStart(4)} ${String(members).padStart(6)} ${
            what.padEnd(13)
          }`;
        if (base !== undefined) {
          console.log(`${label("baseline")}${cell(base)}`);
        }
        console.log(`${label("current")}${cell(now)}${ratio(now, base)}`);
        console.log(`${label("presence off")}${cell(off)}${ratio(off, base)}`);
      }
    }
  } finally {
    await baseline?.remove();
  }
}
