import assert from "node:assert/strict";
import { ChannelMap } from "../../src/relay/_channel_map.ts";
import type { Channel } from "../../src/relay/_channel.ts";
import type { Connection } from "../../src/relay/_connection.ts";

const channel = (name: string) => ({ name }) as unknown as Channel<Connection>;

Deno.test("ChannelMap answers as a Map does, with one channel and past it, in join order", () => {
  const map = new ChannelMap();
  const a = channel("a"), b = channel("b"), c = channel("c");
  assert.equal(map.size, 0);
  assert.deepEqual([...map.keys()], []);
  map.set("a", a);
  assert.equal(map.get("a"), a);
  assert.ok(map.has("a") && !map.has("b"));
  assert.equal(map.get("b"), undefined);
  map.set("a", a); // again: still one
  assert.equal(map.size, 1);
  map.set("b", b).set("c", c);
  assert.deepEqual([...map.keys()], ["a", "b", "c"]);
  assert.deepEqual([...map.values()], [a, b, c]);
  assert.ok(map.delete("b"));
  assert.ok(!map.delete("b"));
  assert.deepEqual([...map.keys()], ["a", "c"]);
  map.clear();
  assert.equal(map.size, 0);
  map.set("c", c);
  assert.ok(!map.delete("a"));
  assert.ok(map.delete("c"));
  assert.deepEqual([...map.values()], []);
});
