/**
 * The chat page's routes, mounted by the example relay server: `GET /` the
 * page and `GET /chat/app.js` its script, the library bundled for the
 * browser by `deno task chat:bundle` (which `deno task relay` runs first).
 * The same on every runtime (`node:fs` reads the files).
 *
 * @module
 */

import { Hono } from "hono";
import { readFile } from "node:fs/promises";

// Made on use, not at load: a bundled server (workerd's) has no file URL.
const file = (path: string) => new URL(path, import.meta.url);

/** Makes the routes that serve the chat page and its bundled script. */
export function createChatRoutes(): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    // A WebSocket handshake at `/` is a client told the wrong path: it gets
    // the 404 that stops it, not a page it would retry forever.
    if (c.req.header("upgrade") !== undefined) return c.notFound();
    try {
      return c.html(await readFile(file("./index.html"), "utf8"));
    } catch {
      // A bundled server (such as the Node one the tests build) has no page.
      return c.text("The chat page is not next to this server", 404);
    }
  });
  app.get("/chat/app.js", async (c) => {
    let script: string;
    try {
      script = await readFile(file("./build/app.js"), "utf8");
    } catch {
      return c.text(
        "The chat script is not built: run `deno task chat:bundle`",
        503,
      );
    }
    c.header("content-type", "text/javascript; charset=utf-8");
    c.header("cache-control", "no-cache");
    return c.body(script);
  });
  return app;
}
