/**
 * The baseline of `deno task bench --baseline <git-ref>`: that commit's tree,
 * exported with `git archive` into a temporary directory, with its npm
 * packages installed, so its example relay starts the way it did then.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { ensureNodeModules, ROOT } from "../tools/servers.ts";

/** A commit's tree exported to a temporary directory. */
export interface ExportedTree {
  /** The commit, abbreviated. */
  commit: string;
  /** The directory, as a URL ending in `/`. */
  root: URL;
  /** Removes the directory. */
  remove(): Promise<void>;
}

async function command(name: string, args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(name, {
    args,
    cwd: ROOT,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new Error(
      `${name} ${args.join(" ")} failed: ${decoder.decode(stderr)}`,
    );
  }
  return decoder.decode(stdout).trim();
}

/** Exports `ref`'s tree with `git archive` and installs its npm packages. */
export async function exportTree(ref: string): Promise<ExportedTree> {
  const commit = await command("git", [
    "rev-parse",
    "--short",
    "--verify",
    `${ref}^{commit}`,
  ]);
  const dir = await Deno.makeTempDir({ prefix: `lifeline-${commit}-` });
  const remove = () => Deno.remove(dir, { recursive: true });
  try {
    const tar = `${dir}/tree.tar`;
    await command("git", ["archive", "--format=tar", "-o", tar, commit]);
    await command("tar", ["-xf", tar, "-C", dir]);
    await Deno.remove(tar);
    const root = pathToFileURL(`${dir}/`);
    await ensureNodeModules(root);
    return { commit, root, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
