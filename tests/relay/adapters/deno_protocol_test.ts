/**
 * `relay/deno` and a subprotocol list joined with a bare "," (as Node's
 * `ws` sends it; RFC 7230 allows it). `Deno.upgradeWebSocket` reads the
 * list split on ", " only and would refuse the protocol the client offered;
 * `relay/deno` accepts it, and `relay/hono` on Deno (whose helper calls
 * `Deno.upgradeWebSocket` itself) answers 400.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Relay } from "../../../src/relay/mod.ts";
import { denoRelay } from "../../../src/relay/adapters/deno.ts";
import { honoRelay } from "../../../src/relay/adapters/hono.ts";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";

/** Sends a raw upgrade request offering `protocols`; returns the response head. */
async function handshake(
  port: number,
  protocols: string,
  path = "/ws",
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode([
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      `Sec-WebSocket-Protocol: ${protocols}`,
      "",
      "",
    ].join("\r\n")));
    let head = "";
    const buffer = new Uint8Array(4096);
    for (let i = 0; i < 20 && !head.includes("\r\n\r\n"); i++) {
      const n = await conn.read(buffer);
      if (n === null) break;
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return head.split("\r\n\r\n")[0];
  } finally {
    conn.close();
  }
}

Deno.test("relay/deno accepts a token subprotocol offered in a list joined with a bare comma", async () => {
  const lifeline = denoRelay(
    new Relay({
      authenticate: (_, token) => token === "t1" ? { userId: "u1" } : null,
    }),
  );
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    lifeline.fetch,
  );
  try {
    for (const list of ["lifeline,token.t1", "lifeline, token.t1"]) {
      const head = await handshake(server.addr.port, list);
      assert.match(head, /^HTTP\/1\.1 101 /, list);
      assert.match(head, /\r\nsec-websocket-protocol: lifeline(\r\n|$)/i, list);
    }
    const refused = await handshake(server.addr.port, "lifeline,token.t2");
    assert.match(refused, /^HTTP\/1\.1 401 /);
  } finally {
    await lifeline.close();
    await server.shutdown();
  }
});

Deno.test("relay/hono on Deno answers a list joined with a bare comma 400, and takes the token from the URL", async () => {
  const lifeline = honoRelay(
    new Relay({
      authenticate: (_, token) => token === "t1" ? { userId: "u1" } : null,
    }),
    upgradeWebSocket,
  );
  const app = new Hono();
  app.get("/ws", lifeline.handler);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  try {
    const bare = await handshake(server.addr.port, "lifeline,token.t1");
    assert.match(bare, /^HTTP\/1\.1 400 /);
    const spaced = await handshake(server.addr.port, "lifeline, token.t1");
    assert.match(spaced, /^HTTP\/1\.1 101 /);
    const query = await handshake(server.addr.port, "lifeline", "/ws?token=t1");
    assert.match(query, /^HTTP\/1\.1 101 /);
    assert.match(query, /\r\nsec-websocket-protocol: lifeline(\r\n|$)/i);
    const wrong = await handshake(server.addr.port, "lifeline", "/ws?token=t2");
    assert.match(wrong, /^HTTP\/1\.1 401 /);
  } finally {
    await lifeline.close();
    await server.shutdown();
  }
});
