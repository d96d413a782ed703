/**
 * Peer packages for the benchmarks, installed by npm into a temporary
 * directory with the scripts that use them: they stay out of this
 * project's dependencies (socket.io's own `@types/node` would break its type
 * check) and never reach the package.
 *
 * @module
 */

import { join } from "node:path";

/**
 * A temporary directory (named from `prefix`) holding `files` and, from
 * npm, `packages`; removed again if the install fails.
 */
export async function installPeers(
  prefix: string,
  files: Record<string, string>,
  packages: string[],
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  await Deno.writeTextFile(join(dir, "package.json"), '{"type":"module"}');
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, name), text);
  }
  const { success, stderr } = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", ...packages],
    cwd: dir,
    stdin: "null",
    stdout: "null",
  }).output();
  if (!success) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`npm install failed: ${new TextDecoder().decode(stderr)}`);
  }
  return dir;
}
