/**
 * `deno task bench:wire`: messages per second and MB/s through
 * `WebSocketConnection` over `Deno.connect`, against Deno's native
 * `WebSocket` in the same run, for 32 B, 1 KiB and 64 KiB messages. Each
 * client sends `count` messages to one `Deno.serve` echo server, keeping at
 * most `WINDOW` unanswered, and the time until the last echo is measured; a
 * warm-up run of each comes first. Prints one line per size and the ratio,
 * then where the wire client's time per message goes: the codec alone
 * (masking and encoding a frame as the client sends it, decoding an echo),
 * measured in the same run; the rest is streams, events and I/O. Last,
 * permessage-deflate: this client with `compression` against an `accept`
 * echo server with `compression` on a TCP listener, against the same pair
 * without it (the messages are repetitive, so they compress well).
 *
 * `--smoke` sends a thousandth of the messages, only to prove the bench
 * works (CI runs it: `tests/bench/wire_test.ts`).
 *
 * @module
 */

import { accept } from "../src/wire/accept.ts";
import { connect } from "../src/wire/connect.ts";
import { FrameDecoder } from "../src/wire/_frame_decoder.ts";
import { encodeFrame } from "../src/wire/_frame_encoder.ts";

const WINDOW = 64;
const SCALE = Deno.args.includes("--smoke") ? 1 / 1000 : 1;
const SIZES: [string, number, number][] = ([
  ["32 B", 32, 40_000],
  ["1 KiB", 1024, 40_000],
  ["64 KiB", 64 * 1024, 2_000],
] as const).map(([label, size, count]) => [
  label,
  size,
  Math.max(8, Math.ceil(count * SCALE)),
]);

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  },
);
const url = `ws://127.0.0.1:${server.addr.port}/`;

/** A client as two functions: send, and wait for `n` echoes in total. */
interface Client {
  send(data: Uint8Array<ArrayBuffer>): void;
  onEcho(listener: () => void): void;
  close(): Promise<unknown>;
}

async function wireClient(): Promise<Client> {
  const ws = await connect(url);
  ws.binaryType = "arraybuffer";
  return {
    send: (data) => ws.send(data),
    onEcho: (listener) => ws.addEventListener("message", listener),
    close: () => {
      ws.close(1000);
      return ws.closed;
    },
  };
}

async function nativeClient(): Promise<Client> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  await new Promise((resolve) => ws.onopen = resolve);
  return {
    send: (data) => ws.send(data),
    onEcho: (listener) => ws.addEventListener("message", listener),
    close: () => {
      const closed = new Promise((resolve) => ws.onclose = resolve);
      ws.close(1000);
      return closed;
    },
  };
}

async function run(make: () => Promise<Client>, size: number, count: number) {
  const client = await make();
  const payload = new Uint8Array(size).fill(7);
  let sent = 0;
  let echoed = 0;
  const done = Promise.withResolvers<void>();
  client.onEcho(() => {
    echoed++;
    if (echoed === count) done.resolve();
    else if (sent < count) {
      sent++;
      client.send(payload);
    }
  });
  const start = performance.now();
  for (; sent < Math.min(WINDOW, count); sent++) client.send(payload);
  await done.promise;
  const ms = performance.now() - start;
  await client.close();
  return {
    perSecond: count / ms * 1000,
    mbPerSecond: count * size / ms / 1000,
  };
}

console.log("size      client   msgs/s     MB/s   ratio (wire/native)");
for (const [label, size, count] of SIZES) {
  await run(wireClient, size, Math.ceil(count / 4));
  await run(nativeClient, size, Math.ceil(count / 4));
  const wire = await run(wireClient, size, count);
  const native = await run(nativeClient, size, count);
  for (const [name, r] of [["wire", wire], ["native", native]] as const) {
    console.log(
      `${label.padEnd(9)} ${name.padEnd(7)} ${
        r.perSecond.toFixed(0).padStart(8)
      } ${r.mbPerSecond.toFixed(1).padStart(8)}`,
    );
  }
  console.log(
    `${label.padEnd(9)} ratio ${
      (wire.perSecond / native.perSecond).toFixed(2)
    }x`,
  );
}

/** Microseconds per message for the codec alone: encode (masked) + decode. */
function codecOnly(
  size: number,
  count: number,
): { encode: number; decode: number } {
  const payload = new Uint8Array(size).fill(7);
  let start = performance.now();
  let frame: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < count; i++) frame = encodeFrame(0x2, payload, true);
  const encode = (performance.now() - start) * 1000 / count;
  const echo = encodeFrame(0x2, payload, false);
  let seen = 0;
  const decoder = new FrameDecoder("client", {
    message: () => seen++,
    ping() {},
    pong() {},
    close() {},
    fail() {},
  });
  start = performance.now();
  for (let i = 0; i < count; i++) decoder.push(echo);
  const decode = (performance.now() - start) * 1000 / count;
  if (seen !== count || frame.length === 0) {
    throw new Error("codec bench broke");
  }
  return { encode, decode };
}

console.log("\nwhere the time goes (µs per message):");
for (const [label, size, count] of SIZES) {
  codecOnly(size, count);
  const { encode, decode } = codecOnly(size, count);
  const wire = await run(wireClient, size, count);
  const total = 1e6 / wire.perSecond;
  console.log(
    `${label.padEnd(9)} total ${total.toFixed(2)}  encode ${
      encode.toFixed(2)
    }  decode ${decode.toFixed(2)}  streams+events+I/O ${
      (total - encode - decode).toFixed(2)
    }`,
  );
}

/** An `accept` echo server on a TCP listener; `stop()` ends it. */
function wireServer(compression: boolean) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      void accept(conn, undefined, { compression }).then((ws) => {
        ws.binaryType = "arraybuffer";
        ws.addEventListener("message", (e) => ws.send(e.data));
      }, () => {});
    }
  })();
  return {
    url: `ws://127.0.0.1:${listener.addr.port}/`,
    async stop() {
      listener.close();
      await served.catch(() => {});
    },
  };
}

console.log("\npermessage-deflate, this client and this server (msgs/s):");
const plain = wireServer(false);
const squeezed = wireServer(true);
for (const [label, size, count] of SIZES) {
  const runs = [];
  for (
    const [server, compression] of [[plain, false], [squeezed, true]] as const
  ) {
    const make = async (): Promise<Client> => {
      const ws = await connect(server.url, { compression });
      ws.binaryType = "arraybuffer";
      return {
        send: (data) => ws.send(data),
        onEcho: (listener) => ws.addEventListener("message", listener),
        close: () => {
          ws.close(1000);
          return ws.closed;
        },
      };
    };
    await run(make, size, Math.ceil(count / 8));
    runs.push(await run(make, size, Math.ceil(count / 2)));
  }
  const [off, on] = runs;
  console.log(
    `${label.padEnd(9)} off ${off.perSecond.toFixed(0).padStart(8)}  deflate ${
      on.perSecond.toFixed(0).padStart(8)
    }  ratio ${(on.perSecond / off.perSecond).toFixed(2)}x`,
  );
}
await plain.stop();
await squeezed.stop();
await server.shutdown();
