/**
 * The layout's rules, checked on the source itself (DESIGN.md, "Layers"):
 * each layer imports only from the layers below it, the relay core never
 * imports an adapter, `src/` imports nothing outside `src/`, and no module
 * imports itself back through a circle.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");

/** Which layers each layer may import from (itself included). */
const ALLOWED: Record<string, readonly string[]> = {
  core: ["core"],
  socket: ["core", "socket"],
  wire: ["core", "wire"],
  protocol: ["core", "protocol"],
  client: ["core", "socket", "protocol", "client"],
  relay: ["core", "protocol", "relay"],
  "relay/adapters": ["core", "protocol", "relay", "relay/adapters"],
  testing: ["core", "socket", "testing"],
};

/** Every `.ts` file under `dir`, as paths relative to `src/`. */
function sources(dir = SRC): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...sources(path));
    else if (entry.name.endsWith(".ts")) files.push(relative(SRC, path));
  }
  return files.sort();
}

/** The specifiers a module imports or re-exports, doc examples left out. */
function specifiers(file: string): string[] {
  const code = Deno.readTextFileSync(join(SRC, file))
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const statements = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of statements) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

function layerOf(file: string): string {
  return file.startsWith("relay/adapters/")
    ? "relay/adapters"
    : file.split("/")[0];
}

/** Each source file and the source files it imports. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sources()) {
    edges.set(
      file,
      specifiers(file).map((s) =>
        s.startsWith(".") ? normalize(join(dirname(file), s)) : s
      ),
    );
  }
  return edges;
}

Deno.test("src imports only relative modules inside src", () => {
  const outside: string[] = [];
  for (const [file, targets] of graph()) {
    for (const target of targets) {
      if (target.startsWith("..") || !target.endsWith(".ts")) {
        outside.push(`${file} -> ${target}`);
      }
    }
  }
  assert.deepEqual(outside, []);
});

Deno.test("each layer imports only from itself and the layers below it", () => {
  const upward: string[] = [];
  for (const [file, targets] of graph()) {
    const allowed = ALLOWED[layerOf(file)];
    assert.ok(allowed, `${file} is in no known layer`);
    for (const target of targets) {
      if (!allowed.includes(layerOf(target))) {
        upward.push(`${file} -> ${target}`);
      }
    }
  }
  assert.deepEqual(upward, []);
});

Deno.test("no module imports itself back through a circle", () => {
  const edges = graph();
  const done = new Set<string>();
  const path: string[] = [];
  const circles: string[] = [];
  const visit = (file: string): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      circles.push([...path.slice(at), file].join(" -> "));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const target of edges.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of edges.keys()) visit(file);
  assert.deepEqual(circles, []);
});

Deno.test("mod.ts re-exports by name", () => {
  const mod = Deno.readTextFileSync(join(ROOT, "mod.ts"));
  // `status` is a namespace of constants, the seed's own name for them.
  const stars = [...mod.matchAll(/export \*(?! as status )[^;]*;/g)];
  assert.deepEqual(stars.map((m) => m[0]), []);
});
