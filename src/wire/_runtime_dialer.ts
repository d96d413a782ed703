/**
 * The runtime's own TCP connect, found without importing it: `Deno.connect`
 * and `Deno.connectTls` on Deno; `node:net` and `node:tls` through
 * `process.getBuiltinModule` on Bun and Node. Structurally typed, so the
 * wire layer names no runtime. Elsewhere (workerd, browsers) there is none:
 * pass a `dial` option. Internal.
 *
 * @module
 */

import type { ByteStream } from "./byte_stream.ts";
import type { Dialer } from "./dialer.ts";

interface DenoNet {
  connect(address: { hostname: string; port: number }): Promise<ByteStream>;
  connectTls(address: { hostname: string; port: number }): Promise<ByteStream>;
}

/** The part of a `node:net` socket the wrapper uses. */
interface NodeSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  write(chunk: Uint8Array, done: (error?: Error | null) => void): boolean;
  end(done?: () => void): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  setNoDelay?(noDelay: boolean): unknown;
}

interface NodeNet {
  connect(options: { host: string; port: number }): NodeSocket;
}

interface NodeTls {
  connect(
    options: { host: string; port: number; servername?: string },
  ): NodeSocket;
}

interface Runtime {
  Deno?: DenoNet;
  process?: { getBuiltinModule?(name: string): unknown };
}

/** The runtime's dialer, or `undefined` when it has none to offer. */
export function runtimeDialer(): Dialer | undefined {
  const runtime = globalThis as Runtime;
  const deno = runtime.Deno;
  if (typeof deno?.connect === "function") {
    return (address, { secureTransport }) =>
      secureTransport === "on"
        ? deno.connectTls(address)
        : deno.connect(address);
  }
  const builtin = runtime.process?.getBuiltinModule;
  if (typeof builtin !== "function") return undefined;
  const net = builtin("node:net") as NodeNet | undefined;
  const tls = builtin("node:tls") as NodeTls | undefined;
  if (net === undefined) return undefined;
  return ({ hostname, port }, { secureTransport }) => {
    const socket = secureTransport === "on"
      ? tls!.connect({ host: hostname, port, servername: hostname })
      : net.connect({ host: hostname, port });
    return nodeStream(socket, secureTransport === "on");
  };
}

/** A `node:net` socket as a byte stream, once it is connected. */
function nodeStream(socket: NodeSocket, secure: boolean): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const ready = secure ? "secureConnect" : "connect";
    const failed = (error: Error) => reject(error);
    socket.once("error", failed);
    socket.once(ready, () => {
      socket.off("error", failed);
      socket.setNoDelay?.(true);
      resolve(wrap(socket));
    });
  });
}

function wrap(socket: NodeSocket): ByteStream {
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      const end = () => {
        try {
          controller.close();
        } catch {
          // Already closed or errored.
        }
      };
      socket.on("data", (chunk: Uint8Array) => {
        controller.enqueue(
          new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        );
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.on("end", end);
      socket.on("close", end);
      socket.on("error", (error: Error) => {
        try {
          controller.error(error);
        } catch {
          // Already closed.
        }
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        socket.write(chunk, (error) => error ? reject(error) : resolve());
      }),
    close: () => new Promise<void>((resolve) => socket.end(resolve)),
    abort() {
      socket.destroy();
    },
  });
  return { readable, writable, close: () => socket.destroy() };
}
