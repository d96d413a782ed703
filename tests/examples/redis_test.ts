import assert from "node:assert/strict";
import { readConfig } from "../../examples/relay/config.ts";
import { connectRedis } from "../../examples/relay/redis.ts";
import { RedisStore } from "../../src/relay/redis/mod.ts";
import { startRedis } from "../../tools/redis_server.ts";

Deno.test("without LIFELINE_REDIS_URL the example relay keeps its memory store", async () => {
  const config = readConfig({});
  assert.equal(await connectRedis(config, {}), undefined);
  assert.equal(config.relay.store, undefined);
});

Deno.test("LIFELINE_REDIS_URL gives the example relay a Redis store", async () => {
  const redis = await startRedis();
  try {
    const env = {
      LIFELINE_REDIS_URL: redis.url,
      LIFELINE_PRESENCE_GRACE: "500",
    };
    const config = readConfig(env);
    const connection = await connectRedis(config, env);
    assert.ok(config.relay.store instanceof RedisStore);
    await connection!.close();
    await assert.rejects(
      connectRedis(readConfig({}), {
        LIFELINE_REDIS_URL: redis.url,
        LIFELINE_REDIS_HEARTBEAT: "soon",
      }),
      RangeError,
    );
  } finally {
    await redis.stop();
  }
});
