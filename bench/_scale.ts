/**
 * The sections `deno task bench` ends with, after fan-out: one channel
 * filled from empty over the network (`./fill.ts`, with the baseline commit
 * at a smaller size) and the 10,000-client restart storm (`./storm.ts`), on
 * Bun and Deno. Their flags, all prefixed so they do not clash with
 * fan-out's:
 *
 * - `--fill-members 2000,5000,10000`: the fill sizes; empty skips the fill.
 * - `--fill-baseline a908972` and `--fill-baseline-members 2000`: the
 *   baseline commit filled in turn with the current relay; empty skips it.
 * - `--fill-clients bun`: what runs the fill's client processes (`deno`).
 * - `--storm-clients 10000`: `0` skips the storm.
 * - `--storm-modes graceful,kill`: `graceful` (SIGTERM, bye + retry hint) and/or
 *   `kill` (SIGKILL), comma-separated.
 * - `--scale-runtimes bun,deno`, `--scale-processes 4` (client processes).
 *
 * Every socket is one file descriptor on each side: the soft `ulimit -n`
 * must exceed the largest size (the relay holds them all), or the section
 * stops with a clear error rather than counting refused connections.
 *
 * @module
 */

import { benchFill } from "./fill.ts";
import { benchStorms } from "./storm.ts";

/** The flags of the sections, as `parseArgs` options. */
export const SCALE_FLAGS = {
  "fill-members": { type: "string", default: "2000,5000,10000" },
  "fill-baseline": { type: "string", default: "a908972" },
  "fill-baseline-members": { type: "string", default: "2000" },
  "fill-clients": { type: "string", default: "bun" },
  "storm-clients": { type: "string", default: "10000" },
  "storm-modes": { type: "string", default: "graceful,kill" },
  "scale-runtimes": { type: "string", default: "bun,deno" },
  "scale-processes": { type: "string", default: "4" },
} as const;

/** The parsed flags. */
export type ScaleValues = { [K in keyof typeof SCALE_FLAGS]?: string };

/** The soft limit on open files of processes started from here. */
async function openFileLimit(): Promise<number> {
  const { stdout } = await new Deno.Command("sh", {
    args: ["-c", "ulimit -n"],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout).trim();
  return text === "unlimited" ? Infinity : Number(text);
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/**
 * Runs the fill and storm sections with `values` (defaults from
 * {@linkcode SCALE_FLAGS}), writing `bench/results/fill.json` and
 * `bench/results/storms.json` unless `json` is false.
 */
export async function benchScale(
  values: ScaleValues,
  json = true,
): Promise<void> {
  const get = (key: keyof typeof SCALE_FLAGS) =>
    values[key] ?? SCALE_FLAGS[key].default;
  const sizes = list(get("fill-members")).map(Number);
  const storm = Number(get("storm-clients"));
  const processes = Number(get("scale-processes"));
  const runtimes = list(get("scale-runtimes")) as ("bun" | "deno")[];
  const largest = Math.max(0, storm, ...sizes);
  const limit = await openFileLimit();
  if (limit < largest + 256) {
    throw new Error(
      `ulimit -n is ${limit}: the relay needs a descriptor per socket, more than ${largest}; ` +
        "raise it (ulimit -n 65536) or pass smaller sizes",
    );
  }
  if (sizes.length > 0) {
    await benchFill({
      sizes,
      runtimes,
      baseline: get("fill-baseline") || undefined,
      baselineMembers: Number(get("fill-baseline-members")),
      processes,
      clients: get("fill-clients") as "bun" | "deno",
      json: json ? "bench/results/fill.json" : undefined,
    });
  }
  if (storm > 0) {
    await benchStorms({
      clients: storm,
      runtimes,
      modes: list(get("storm-modes")) as ("graceful" | "kill")[],
      processes,
      json: json ? "bench/results/storms.json" : undefined,
    });
  }
}
