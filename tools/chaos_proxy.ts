/**
 * A loopback TCP proxy in front of a relay that fails the network on
 * demand: cut every connection or one at random, refuse new ones for a
 * while, swallow what the server sends (an ack lost on the way), blackhole
 * both ways (a half-open connection), re-chunk the bytes at random
 * boundaries, and add latency. The chat demo uses it to cut a client off;
 * the end-to-end and chaos tests use it on every runtime's server. Deno only
 * (`Deno.listen`, `Deno.connect`).
 *
 * @module
 */

/** Options for {@linkcode startProxy}. */
export interface ProxyOptions {
  /** Randomness for `cutOne` and re-chunking; seed it for a repeatable run. @default {Math.random} */
  random?: () => number;
}

/** A running proxy. */
export interface Proxy {
  /** The relay URL through this proxy (same path and query). */
  readonly url: string;
  /**
   * Where new connections go: the `target` given at start; set another
   * server's URL to fail over to it (a load balancer's view of a dead node).
   */
  target: string;
  /** While true, new connections are closed as soon as they arrive. */
  refuse: boolean;
  /** While true, bytes from the server are dropped instead of forwarded. */
  mute: boolean;
  /**
   * While true, bytes are dropped both ways and connections stay open: a
   * half-open network that only a heartbeat notices.
   */
  blackhole: boolean;
  /** While true, each read is forwarded in pieces split at random points. */
  rechunk: boolean;
  /** Milliseconds each piece waits before it is forwarded. @default {0} */
  latency: number;
  /** Connections through the proxy now. */
  readonly connections: number;
  /** Bytes dropped so far by `mute` and `blackhole`. */
  readonly dropped: number;
  /** Closes every connection through the proxy, both ways. */
  cut(): Promise<void>;
  /** Closes one connection chosen at random; false when there was none. */
  cutOne(): Promise<boolean>;
  /** Cuts everything and stops listening. */
  stop(): Promise<void>;
}

interface Pipe {
  client: Deno.Conn;
  server: Deno.Conn | undefined;
  closed: boolean;
  done: Promise<unknown>;
}

/** Starts a proxy on a free loopback port that forwards to `target`'s host and port. */
export function startProxy(
  target: string,
  options: ProxyOptions = {},
): Proxy {
  const random = options.random ?? Math.random;
  let dropped = 0;
  const targetOf = (target: string) => {
    const targetUrl = new URL(target);
    return { hostname: targetUrl.hostname, port: Number(targetUrl.port) };
  };
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pipes = new Set<Pipe>();
  const url = new URL(target);
  url.port = String((listener.addr as Deno.NetAddr).port);

  const close = (pipe: Pipe): void => {
    if (pipe.closed) return;
    pipe.closed = true;
    for (const conn of [pipe.client, pipe.server]) {
      try {
        conn?.close();
      } catch {
        // Already closed.
      }
    }
  };

  const pump = async (
    from: Deno.Conn,
    to: Deno.Conn,
    pipe: Pipe,
    downstream: boolean,
  ): Promise<void> => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (!pipe.closed) {
        const n = await from.read(buffer);
        if (n === null) break;
        if ((downstream && proxy.mute) || proxy.blackhole) {
          dropped += n;
          continue;
        }
        // Copied: the next read reuses the buffer while pieces may wait.
        const bytes = buffer.slice(0, n);
        let offset = 0;
        while (offset < n && !pipe.closed) {
          const end = proxy.rechunk
            ? Math.min(n, offset + 1 + Math.floor(random() * (n - offset)))
            : n;
          if (proxy.latency > 0) {
            await new Promise((resolve) => setTimeout(resolve, proxy.latency));
          }
          let written = offset;
          while (written < end) {
            written += await to.write(bytes.subarray(written, end));
          }
          offset = end;
        }
      }
    } catch {
      // The other side closed, or we cut it.
    } finally {
      close(pipe);
    }
  };

  const serve = async (client: Deno.Conn): Promise<void> => {
    const pipe: Pipe = {
      client,
      server: undefined,
      closed: false,
      done: Promise.resolve(),
    };
    pipes.add(pipe);
    let settle!: () => void;
    pipe.done = new Promise<void>((resolve) => settle = resolve);
    try {
      if (proxy.refuse) return;
      const server = await Deno.connect(targetOf(proxy.target));
      pipe.server = server;
      if (pipe.closed) return;
      await Promise.all([
        pump(client, server, pipe, false),
        pump(server, client, pipe, true),
      ]);
    } catch {
      // The server is down: the client sees its connection close.
    } finally {
      close(pipe);
      pipes.delete(pipe);
      settle();
    }
  };

  const accepting = (async () => {
    try {
      for await (const client of listener) serve(client);
    } catch {
      // Listener closed.
    }
  })();

  const cut = async (): Promise<void> => {
    const current = [...pipes];
    for (const pipe of current) close(pipe);
    await Promise.all(current.map((pipe) => pipe.done));
  };

  const cutOne = async (): Promise<boolean> => {
    const current = [...pipes].filter((pipe) => !pipe.closed);
    if (current.length === 0) return false;
    const pipe = current[Math.floor(random() * current.length)];
    close(pipe);
    await pipe.done;
    return true;
  };

  const proxy: Proxy = {
    url: url.href,
    target,
    refuse: false,
    mute: false,
    blackhole: false,
    rechunk: false,
    latency: 0,
    get connections() {
      return pipes.size;
    },
    get dropped() {
      return dropped;
    },
    cut,
    cutOne,
    async stop() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await accepting;
      await cut();
    },
  };
  return proxy;
}
