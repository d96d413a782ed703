import assert from "node:assert/strict";
import type { MessageBuffer } from "../../src/core/message_buffer.ts";
import { RingBuffer } from "../../src/core/ring_buffer.ts";

// The contract every MessageBuffer keeps, run against each implementation.
function contract(name: string, create: () => MessageBuffer<string>): void {
  Deno.test(`${name} is empty when created`, () => {
    const buffer = create();
    assert.equal(buffer.size, 0);
    assert.equal(buffer.bytes, 0);
    assert.equal(buffer.peek(), undefined);
    assert.equal(buffer.shift(), undefined);
    assert.deepEqual([...buffer], []);
  });

  Deno.test(`${name} is first in, first out`, () => {
    const buffer = create();
    assert.equal(buffer.push("a"), true);
    assert.equal(buffer.push("bb"), true);
    assert.equal(buffer.peek(), "a");
    assert.deepEqual([...buffer], ["a", "bb"]);
    assert.equal(buffer.bytes, 3);
    assert.equal(buffer.shift(), "a");
    assert.equal(buffer.shift(), "bb");
    assert.equal(buffer.size, 0);
    assert.equal(buffer.bytes, 0);
  });

  Deno.test(`${name} clear empties it`, () => {
    const buffer = create();
    buffer.push("a");
    buffer.clear();
    assert.equal(buffer.size, 0);
    assert.equal(buffer.bytes, 0);
    assert.equal(buffer.peek(), undefined);
  });
}

contract("RingBuffer", () => new RingBuffer<string>());
