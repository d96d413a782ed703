/**
 * The fuzz run under Bun, whose JSON encoder overflowed its stack on deeply
 * nested frames: `bun tests/fuzz/_bun.ts <count> <seed>` prints the figures
 * as one JSON line, or the broken rule and exit code 1.
 *
 * @module
 */

import process from "node:process";
import { runFuzz } from "./_run.ts";

try {
  const figures = runFuzz({
    count: Number(process.argv[2]),
    seed: Number(process.argv[3]),
  });
  console.log(JSON.stringify(figures));
} catch (error) {
  console.error(String(error));
  process.exit(1);
}
