// Loads the peers from the install directory (`PEERS_DIR`, made by
// `../peers.ts`) and lifeline from its bundle there; plain JavaScript for
// Node, which runs every client of `deno task bench:peers` alike.
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const dir = process.env.PEERS_DIR;
if (!dir) throw new Error("PEERS_DIR is not set");
const require = createRequire(join(dir, "package.json"));

/** Requires an npm package installed in `PEERS_DIR`. */
export const peer = (name) => require(name);
/** The lifeline library, bundled to one module. */
export const lifeline = () => import(pathToFileURL(join(dir, "lifeline.mjs")));
/** The `ws` package's WebSocket: Node 20 has no global one. */
export const WebSocket = require("ws").WebSocket;

/** Exits with code 2 after `ms`: no process outlives its benchmark. */
export function bound(ms) {
  setTimeout(() => {
    console.error(`over ${ms} ms`);
    process.exit(2);
  }, ms).unref();
}
