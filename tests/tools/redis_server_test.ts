import assert from "node:assert/strict";
import { createClient } from "redis";
import { startRedis } from "../../tools/redis_server.ts";

Deno.test("a throwaway redis-server listens on loopback, forgets everything on restart, and stops", async () => {
  const redis = await startRedis();
  let stopped = false;
  try {
    assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = createClient({ url: redis.url });
    client.on("error", () => {}); // the restart drops the connection
    await client.connect();
    try {
      await client.sendCommand(["SET", "k", "v"]);
      const config = await client.sendCommand(["CONFIG", "GET", "save"]);
      assert.deepEqual(config, ["save", ""]); // no persistence
      const pid = redis.pid;
      await redis.restart();
      assert.notEqual(redis.pid, pid);
      for (let i = 0; i < 300 && !client.isReady; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(await client.sendCommand(["GET", "k"]), null);
    } finally {
      client.destroy();
    }
    await redis.stop();
    stopped = true;
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: redis.port }),
    );
  } finally {
    if (!stopped) await redis.stop();
  }
});
