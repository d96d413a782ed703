import assert from "node:assert/strict";
import { type Proxy, startProxy } from "../../tools/chaos_proxy.ts";

/** A TCP echo server on loopback; `stop()` closes it and every connection. */
function echoServer(): { url: string; stop(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const echoes: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        echoes.push(
          conn.readable.pipeTo(conn.writable).catch(() => {}).finally(() =>
            conns.delete(conn)
          ),
        );
      }
    } catch {
      // Closed.
    }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    async stop() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await Promise.all(echoes);
    },
  };
}

/** Connects through the proxy; reads exactly `n` bytes. */
async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const read = await conn.read(out.subarray(got));
    if (read === null) throw new Error(`closed after ${got} of ${n} bytes`);
    got += read;
  }
  return out;
}

/** Waits, a millisecond at a time and at most a second, for `done`. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.ok(done(), "timed out");
}

async function withProxy(
  test: (proxy: Proxy, port: number) => Promise<void>,
  seed = 1,
): Promise<void> {
  const server = echoServer();
  let state = seed;
  // A small seeded generator, so that a failure repeats.
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const proxy = startProxy(server.url, { random });
  try {
    await test(proxy, Number(new URL(proxy.url).port));
  } finally {
    await proxy.stop();
    await server.stop();
  }
}

Deno.test("re-chunked bytes arrive whole and in order", async () => {
  await withProxy(async (proxy, port) => {
    proxy.rechunk = true;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const sent = new Uint8Array(50_000).map((_, i) => i % 251);
    await conn.write(sent);
    assert.deepEqual(await readExactly(conn, sent.length), sent);
    conn.close();
  });
});

Deno.test("a blackholed connection stays open and passes nothing", async () => {
  await withProxy(async (proxy, port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new Uint8Array([1]));
    assert.deepEqual(await readExactly(conn, 1), new Uint8Array([1]));
    proxy.blackhole = true;
    await conn.write(new Uint8Array([2]));
    await until(() => proxy.dropped === 1);
    proxy.blackhole = false;
    // The byte sent into the hole is gone; the next one comes back alone.
    await conn.write(new Uint8Array([3]));
    assert.deepEqual(await readExactly(conn, 1), new Uint8Array([3]));
    assert.equal(proxy.connections, 1);
    conn.close();
  });
});

Deno.test("cutOne closes exactly one connection", async () => {
  await withProxy(async (proxy, port) => {
    const conns = await Promise.all(
      [0, 1, 2].map(() => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    for (const conn of conns) {
      await conn.write(new Uint8Array([7]));
      await readExactly(conn, 1);
    }
    assert.equal(proxy.connections, 3);
    assert.equal(await proxy.cutOne(), true);
    assert.equal(proxy.connections, 2);
    const ends = await Promise.all(conns.map(async (conn) => {
      try {
        await conn.write(new Uint8Array([9]));
        return (await conn.read(new Uint8Array(1))) === null
          ? "closed"
          : "open";
      } catch {
        return "closed";
      }
    }));
    assert.deepEqual(ends.filter((e) => e === "closed").length, 1);
    for (const conn of conns) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  });
});

Deno.test("latency delays but keeps every byte", async () => {
  await withProxy(async (proxy, port) => {
    proxy.latency = 5;
    proxy.rechunk = true;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const sent = new TextEncoder().encode("hello through a slow network");
    await conn.write(sent);
    assert.deepEqual(await readExactly(conn, sent.length), sent);
    conn.close();
  });
});
