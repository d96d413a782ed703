/**
 * Deno and a text frame that is not valid UTF-8: Deno's WebSocket server
 * closes the TCP connection at once, without a close frame (1007), and the
 * socket it handed the adapter is already closed when its `error` event
 * fires, so the adapter cannot send one either. The relay forgets that
 * connection and goes on serving everyone else. README ("Limits and
 * security") and PROTOCOL.md ("Bad input") say so.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Relay } from "../../src/relay/mod.ts";
import { denoRelay } from "../../src/relay/adapters/deno.ts";

/** A masked client frame (FIN set) with a payload under 126 bytes. */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  frame.set(mask, 2);
  for (let i = 0; i < payload.length; i++) {
    frame[6 + i] = payload[i] ^ mask[i % 4];
  }
  return frame;
}

/** Reads a connection until EOF (or 5 s), keeping every byte. */
async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buffer = new Uint8Array(16_384);
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(...buffer.subarray(0, n));
  }
  return new Uint8Array(chunks);
}

/** The opcodes of the unmasked server frames in `bytes` (after the HTTP head). */
function serverOpcodes(bytes: Uint8Array): number[] {
  const text = new TextDecoder().decode(bytes);
  let at = new TextEncoder().encode(
    text.slice(0, text.indexOf("\r\n\r\n") + 4),
  ).length;
  const opcodes: number[] = [];
  while (at + 2 <= bytes.length) {
    opcodes.push(bytes[at] & 0x0f);
    let length = bytes[at + 1] & 0x7f;
    at += 2;
    if (length === 126) {
      length = (bytes[at] << 8) | bytes[at + 1];
      at += 2;
    }
    at += length;
  }
  return opcodes;
}

Deno.test("Deno ends a connection that sends invalid UTF-8 without a close frame; the relay serves the others", async () => {
  const lifeline = denoRelay(new Relay());
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => lifeline.fetch(request),
  );
  const { port } = server.addr;
  try {
    const raw = await Deno.connect({ hostname: "127.0.0.1", port });
    const encoder = new TextEncoder();
    await raw.write(encoder.encode(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ));
    const read = readAll(raw);
    await raw.write(clientFrame(1, encoder.encode('{"type":"hello","v":1}')));
    // Wait until the relay welcomed it, so the bad frame is not the first.
    while (lifeline.relay.stats().sessions < 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await raw.write(clientFrame(1, new Uint8Array([0xc3, 0x28])));
    const bytes = await read;
    raw.close();
    // One text frame (the welcome), then the end of the TCP stream: no 0x8.
    assert.deepEqual(
      serverOpcodes(bytes),
      [1],
      "Deno now sends a frame after invalid UTF-8: update README and PROTOCOL.md",
    );

    // The relay forgot it and serves a well-behaved client as before.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const frames: Record<string, unknown>[] = [];
    const got = (type: string, ref?: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (frames.some((f) => f.type === type && f.ref === ref)) {
            ws.removeEventListener("message", check);
            resolve();
          }
        };
        ws.addEventListener("message", check);
      });
    ws.addEventListener("message", (event) => {
      if (String(event.data).startsWith("{")) {
        frames.push(JSON.parse(event.data));
      }
    }, { once: false });
    await new Promise((resolve) => ws.addEventListener("open", resolve));
    const welcomed = got("welcome", 1);
    ws.send('{"type":"hello","v":1,"ref":1}');
    await welcomed;
    const acked = got("ack", 2);
    ws.send('{"type":"join","ref":2,"channel":"room"}');
    await acked;
    assert.equal(lifeline.relay.stats().connections, 1);
    const closed = new Promise((resolve) =>
      ws.addEventListener("close", resolve)
    );
    ws.close();
    await closed;
  } finally {
    await lifeline.close(1_000);
    await server.shutdown();
  }
});
