/**
 * A loopback TCP proxy in front of a relay that fails the network on
 * demand: cut its connections, refuse new ones for a while, or swallow what
 * the server sends (an ack lost on the way). The chat demo uses it to cut a
 * client off; the end-to-end tests use it on every runtime's server. Deno
 * only (`Deno.listen`, `Deno.connect`).
 *
 * @module
 */

/** A running proxy. */
export interface Proxy {
  /** The relay URL through this proxy (same path and query). */
  readonly url: string;
  /** While true, new connections are closed as soon as they arrive. */
  refuse: boolean;
  /** While true, bytes from the server are dropped instead of forwarded. */
  mute: boolean;
  /** Closes every connection through the proxy, both ways. */
  cut(): Promise<void>;
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
export function startProxy(target: string): Proxy {
  const targetUrl = new URL(target);
  const hostname = targetUrl.hostname;
  const port = Number(targetUrl.port);
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
        if (downstream && proxy.mute) continue;
        let offset = 0;
        while (offset < n) offset += await to.write(buffer.subarray(offset, n));
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
      const server = await Deno.connect({ hostname, port });
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

  const proxy: Proxy = {
    url: url.href,
    refuse: false,
    mute: false,
    cut,
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
