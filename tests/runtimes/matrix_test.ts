/**
 * The README's runtime table stays true: a row for each runtime, and every
 * test file a cell names exists.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ROOT } from "../../tools/servers.ts";

const RUNTIMES = ["Deno 2", "Bun 1", "workerd", "Chromium", "Node 20"];

async function runtimesSection(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const start = readme.indexOf("\n## Runtimes\n");
  assert.notEqual(start, -1, "README.md has a '## Runtimes' section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end);
}

Deno.test("the README's runtime table has a row for each runtime", async () => {
  const rows = (await runtimesSection()).split("\n")
    .filter((line) => line.startsWith("| "))
    .map((line) => line.split("|")[1].trim());
  assert.deepEqual(rows.slice(2), RUNTIMES);
});

Deno.test("every test file the README's runtime table names exists", async () => {
  const paths = [
    ...(await runtimesSection()).matchAll(/`(tests\/[^`*]+\.ts)`/g),
  ].map((match) => match[1]);
  assert.ok(paths.length >= 6, `found ${paths.length} test paths`);
  for (const path of paths) {
    const info = await Deno.stat(new URL(path, ROOT));
    assert.ok(info.isFile, path);
  }
});
