/**
 * The opening handshake over real TCP on 127.0.0.1: what `accept` answers a
 * bad request with, and what `connect` refuses in a server's answer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { accept } from "../../src/wire/accept.ts";
import { connect } from "../../src/wire/connect.ts";
import { WireError } from "../../src/wire/wire_error.ts";

/** Sends `request` raw to an `accept` server; its answer and the error. */
async function refusal(request: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [error, text] = await Promise.all([
    listener.accept().then((conn) => accept(conn)).then(
      () => undefined,
      (e) => e,
    ),
    (async () => {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: listener.addr.port,
      });
      await conn.write(new TextEncoder().encode(request));
      return await new Response(conn.readable).text();
    })(),
  ]);
  listener.close();
  return { status: Number(text.split(" ")[1]), text, error };
}

const GOOD = [
  "GET /chat HTTP/1.1",
  "Host: 127.0.0.1",
  "Upgrade: websocket",
  "Connection: keep-alive, Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version: 13",
];
const request = (lines: string[]) => lines.join("\r\n") + "\r\n\r\n";

Deno.test("a bad upgrade request is answered 400, another version 426, a huge head 431", async () => {
  const cases: [string, number][] = [
    [request(GOOD.map((l) => l.replace("GET", "POST"))), 400],
    [request(GOOD.filter((l) => !l.startsWith("Host"))), 400],
    [request(GOOD.filter((l) => !l.startsWith("Upgrade"))), 400],
    [request(GOOD.filter((l) => !l.startsWith("Connection"))), 400],
    [
      request(
        GOOD.map((l) => l.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=")),
      ),
      400,
    ],
    [request(GOOD.map((l) => l.replace("Version: 13", "Version: 8"))), 426],
    [request([...GOOD, `X-Big: ${"a".repeat(20_000)}`]), 431],
    ["not http at all\r\n\r\n", 400],
  ];
  for (const [raw, status] of cases) {
    const got = await refusal(raw);
    assert.equal(got.status, status, raw.slice(0, 60));
    assert.ok(got.error instanceof WireError && got.error.status === status);
    if (status === 426) assert.match(got.text, /Sec-WebSocket-Version: 13/);
  }
});

Deno.test("accept answers the RFC's example key and the subprotocol its callback picks", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const offeredSeen: string[][] = [];
  const [ws, text] = await Promise.all([
    listener.accept().then((conn) =>
      accept(conn, undefined, {
        protocol: (offered) => {
          offeredSeen.push(offered);
          return offered.find((p) => p === "chat.v1");
        },
      })
    ),
    (async () => {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: listener.addr.port,
      });
      await conn.write(
        new TextEncoder().encode(
          request([...GOOD, "Sec-WebSocket-Protocol: chat.v2, chat.v1"]),
        ),
      );
      const reader = conn.readable.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      conn.close();
      return new TextDecoder().decode(value);
    })(),
  ]);
  assert.deepEqual(offeredSeen, [["chat.v2", "chat.v1"]]);
  assert.match(text, /^HTTP\/1.1 101 /);
  assert.match(text, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  assert.match(text, /Sec-WebSocket-Protocol: chat.v1/);
  assert.equal(ws.protocol, "chat.v1");
  assert.equal((await ws.closed).closeCode, 1006);
  listener.close();
});

/** A raw TCP server answering each connection with `answer(key)`. */
function rawServer(answer: (key: string) => Promise<string> | string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      const reader = conn.readable.getReader();
      let head = "";
      while (!head.includes("\r\n\r\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        head += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      const key = /sec-websocket-key: (.*)\r\n/i.exec(head)?.[1] ?? "";
      await conn.write(new TextEncoder().encode(await answer(key)));
      conn.close();
    }
  })();
  return {
    url: `ws://127.0.0.1:${listener.addr.port}/`,
    async close() {
      listener.close();
      await served.catch(() => {});
    },
  };
}

Deno.test("connect refuses a wrong accept key, a status other than 101 and an unoffered subprotocol", async () => {
  const { signKey } = await import("../../src/core/sign_key.ts");
  const answers = [
    () => "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
    () =>
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong=\r\n\r\n",
    async (key: string) =>
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${await signKey(
        key,
      )}\r\nSec-WebSocket-Protocol: other\r\n\r\n`,
  ];
  for (const answer of answers) {
    const server = rawServer(answer);
    await assert.rejects(
      connect(server.url, { protocols: "chat.v1" }),
      (e) => e instanceof WireError && e.code === "bad_handshake",
    );
    await server.close();
  }
});

Deno.test("connect refuses handshake headers and bad subprotocols before any I/O", async () => {
  await assert.rejects(
    connect("ws://127.0.0.1:9/", { headers: { "sec-websocket-key": "x" } }),
    TypeError,
  );
  await assert.rejects(
    connect("ws://127.0.0.1:9/", { protocols: ["a b"] }),
    SyntaxError,
  );
  await assert.rejects(connect("ftp://127.0.0.1:9/"), SyntaxError);
});

Deno.test("connect rejects 'aborted' when its signal is aborted", async () => {
  await assert.rejects(
    connect("ws://127.0.0.1:9/", { signal: AbortSignal.abort() }),
    (e) => e instanceof WireError && e.code === "aborted",
  );
});

Deno.test("wss: dials TLS on port 443 by default, ws: plain TCP on 80, IPv6 without brackets", async () => {
  const dialed: unknown[] = [];
  const dial = (
    address: { hostname: string; port: number },
    options: { secureTransport: string },
  ) => {
    dialed.push({ ...address, tls: options.secureTransport });
    throw new Error("no network in this test");
  };
  for (
    const url of [
      "wss://example.test/a",
      "ws://example.test/a",
      "https://[::1]:8443/",
    ]
  ) {
    await assert.rejects(
      connect(url, { dial }),
      (e) => e instanceof WireError && e.code === "connect_failed",
    );
  }
  assert.deepEqual(dialed, [
    { hostname: "example.test", port: 443, tls: "on" },
    { hostname: "example.test", port: 80, tls: "off" },
    { hostname: "::1", port: 8443, tls: "on" },
  ]);
});
