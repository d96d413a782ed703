/**
 * The README's relay servers are the type-checked files of
 * `examples/minimal_relay/`, word for word, so the README never shows code
 * that does not compile. The files are read as text, not imported; the
 * README marks the blocks `ts ignore`, since `deno test --doc` would run
 * them (a server on port 8787) and cannot type-check Bun's global.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../../", import.meta.url);

/** The code between `// #region readme` and `// #endregion readme`. */
async function readmeRegion(path: string): Promise<string> {
  const text = await Deno.readTextFile(new URL(path, ROOT));
  const match = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme/.exec(
    text,
  );
  assert.ok(match, `${path} has no readme region`);
  return match[1];
}

async function readmeBlocks(): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  return [...readme.matchAll(/```ts(?: ignore)?\n([\s\S]*?)```/g)].map((m) =>
    m[1]
  );
}

for (const runtime of ["deno", "bun"]) {
  Deno.test(`the README shows examples/minimal_relay/${runtime}.ts as it is`, async () => {
    const code = await readmeRegion(`examples/minimal_relay/${runtime}.ts`);
    assert.ok(
      (await readmeBlocks()).includes(code),
      `README.md has no \`\`\`ts block equal to the readme region of examples/minimal_relay/${runtime}.ts:\n${code}`,
    );
  });
}
