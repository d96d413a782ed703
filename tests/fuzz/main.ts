/**
 * `deno task fuzz [--count N] [--seed S]`: a fuzz run of any size, printing
 * its figures and the heap before and after (after a GC when the task runs
 * with `--expose-gc`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runFuzz } from "./_run.ts";

const { values } = parseArgs({
  args: Deno.args.filter((arg) => arg !== "--"),
  options: {
    count: { type: "string", default: "100000" },
    seed: { type: "string", default: "1" },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed)) {
  console.error("usage: deno task fuzz --count <frames> --seed <integer>");
  Deno.exit(2);
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return Deno.memoryUsage().heapUsed;
};
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

// A warm-up run loads the modules and the generator's cached strings.
runFuzz({ count: 1_000, seed: seed + 1 });
const before = heap();
const figures = runFuzz({ count, seed });
const after = heap();
console.log(JSON.stringify(figures, null, 2));
console.log(
  `${figures.frames} frames in ${figures.ms} ms ` +
    `(${Math.round(figures.frames / (figures.ms / 1_000))}/s); ` +
    `heap ${mib(before)} MiB before, ${mib(after)} MiB after` +
    (gc ? " (after GC)" : " (no GC: run with --v8-flags=--expose-gc)"),
);
const growth = after - before;
if (gc && growth > 16 * 2 ** 20) {
  console.error(`heap grew by ${mib(growth)} MiB`);
  Deno.exit(1);
}
