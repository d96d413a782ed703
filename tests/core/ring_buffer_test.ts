import assert from "node:assert/strict";
import {
  BufferFullError,
  type DropReason,
  RingBuffer,
  type RingBufferOptions,
} from "../../src/core/ring_buffer.ts";

function recording<T>(
  options: RingBufferOptions<T> = {},
): { buffer: RingBuffer<T>; dropped: [T, DropReason][] } {
  const dropped: [T, DropReason][] = [];
  const buffer = new RingBuffer<T>({
    ...options,
    onDrop: (item, reason) => dropped.push([item, reason]),
  });
  return { buffer, dropped };
}

Deno.test("RingBuffer defaults to 1000 items, 1 MiB and drop-oldest", () => {
  const { buffer, dropped } = recording<string>();
  assert.equal(buffer.capacity, 1000);
  assert.equal(buffer.maxBytes, 1_048_576);
  for (let i = 0; i < 1001; i++) buffer.push(String(i % 10));
  assert.equal(buffer.size, 1000);
  assert.deepEqual(dropped, [["0", "evicted"]]);
});

Deno.test("RingBuffer shifts and peeks in insertion order", () => {
  const buffer = new RingBuffer<string>({ capacity: 3 });
  buffer.push("a");
  buffer.push("b");
  assert.equal(buffer.peek(), "a");
  assert.equal(buffer.shift(), "a");
  assert.equal(buffer.peek(), "b");
  assert.equal(buffer.shift(), "b");
  assert.equal(buffer.shift(), undefined);
  assert.equal(buffer.peek(), undefined);
});

Deno.test("RingBuffer counts bytes after pushes and shifts", () => {
  const buffer = new RingBuffer();
  buffer.push("héllo"); // 6
  buffer.push(new Uint8Array(10));
  buffer.push(new Blob(["abc"]));
  assert.equal(buffer.bytes, 19);
  buffer.shift();
  assert.equal(buffer.bytes, 13);
  buffer.shift();
  buffer.shift();
  assert.equal(buffer.bytes, 0);
});

Deno.test("RingBuffer counts non-ASCII strings in UTF-8 bytes", () => {
  const buffer = new RingBuffer<string>();
  buffer.push("日本"); // 6
  buffer.push("😀"); // 4
  buffer.push("\ud800"); // a lone surrogate is sent as U+FFFD: 3
  assert.equal(buffer.bytes, 13);
});

Deno.test("RingBuffer wraps around and iterates oldest first", () => {
  const buffer = new RingBuffer<number>({ capacity: 4, sizeOf: () => 1 });
  for (let i = 0; i < 4; i++) buffer.push(i);
  buffer.shift();
  buffer.shift();
  buffer.push(4);
  buffer.push(5);
  assert.deepEqual([...buffer], [2, 3, 4, 5]);
  buffer.push(6);
  assert.deepEqual([...buffer], [3, 4, 5, 6]);
  assert.equal(buffer.bytes, 4);
  assert.deepEqual([buffer.shift(), buffer.shift()], [3, 4]);
  assert.deepEqual([...buffer], [5, 6]);
});

Deno.test("RingBuffer keeps order when it grows while wrapped", () => {
  const buffer = new RingBuffer<number>({ capacity: 100, sizeOf: () => 0 });
  const expected: number[] = [];
  let next = 0;
  // Interleave so that the head moves before the storage grows past 16.
  for (let round = 0; round < 40; round++) {
    buffer.push(next);
    expected.push(next++);
    buffer.push(next);
    expected.push(next++);
    assert.equal(buffer.shift(), expected.shift());
  }
  assert.deepEqual([...buffer], expected);
  assert.equal(buffer.size, 40);
});

Deno.test("RingBuffer stays correct over many cycles", () => {
  const buffer = new RingBuffer<number>({ capacity: 5, sizeOf: (n) => n });
  let total = 0;
  for (let i = 1; i <= 10_000; i++) {
    buffer.push(i % 7);
    total += i % 7;
    if (i % 3 === 0) total -= buffer.shift()!;
    if (buffer.size === 5) total -= buffer.shift()!;
  }
  assert.equal(buffer.bytes, total);
  assert.equal([...buffer].reduce((a, b) => a + b, 0), total);
});

Deno.test("RingBuffer drop-oldest evicts by count", () => {
  const { buffer, dropped } = recording<string>({ capacity: 2 });
  assert.equal(buffer.push("a"), true);
  assert.equal(buffer.push("b"), true);
  assert.equal(buffer.push("c"), true);
  assert.deepEqual([...buffer], ["b", "c"]);
  assert.deepEqual(dropped, [["a", "evicted"]]);
  assert.equal(buffer.bytes, 2);
});

Deno.test("RingBuffer drop-oldest evicts as many items as the bytes need", () => {
  const { buffer, dropped } = recording<string>({ maxBytes: 10 });
  buffer.push("aaa");
  buffer.push("bbb");
  buffer.push("cccc");
  assert.equal(buffer.bytes, 10);
  assert.equal(buffer.push("dddddd"), true);
  assert.deepEqual([...buffer], ["cccc", "dddddd"]);
  assert.deepEqual(dropped, [["aaa", "evicted"], ["bbb", "evicted"]]);
  assert.equal(buffer.bytes, 10);
});

Deno.test("RingBuffer drop-oldest refuses an item larger than maxBytes without evicting", () => {
  const { buffer, dropped } = recording<string>({ maxBytes: 4 });
  buffer.push("ab");
  assert.equal(buffer.push("abcde"), false);
  assert.deepEqual([...buffer], ["ab"]);
  assert.deepEqual(dropped, [["abcde", "refused"]]);
  assert.equal(buffer.bytes, 2);
});

Deno.test("RingBuffer accepts an item of exactly maxBytes", () => {
  const { buffer, dropped } = recording<string>({ maxBytes: 4 });
  buffer.push("ab");
  assert.equal(buffer.push("abcd"), true);
  assert.deepEqual(dropped, [["ab", "evicted"]]);
  assert.equal(buffer.bytes, 4);
});

Deno.test("RingBuffer drop-newest refuses the incoming item", () => {
  const { buffer, dropped } = recording<string>({
    capacity: 2,
    overflow: "drop-newest",
  });
  buffer.push("a");
  buffer.push("b");
  assert.equal(buffer.push("c"), false);
  assert.deepEqual([...buffer], ["a", "b"]);
  assert.deepEqual(dropped, [["c", "refused"]]);
});

Deno.test("RingBuffer drop-newest refuses an item that exceeds the bytes left", () => {
  const { buffer, dropped } = recording<string>({
    maxBytes: 5,
    overflow: "drop-newest",
  });
  buffer.push("abc");
  assert.equal(buffer.push("abc"), false);
  assert.equal(buffer.push("ab"), true);
  assert.deepEqual(dropped, [["abc", "refused"]]);
  assert.equal(buffer.bytes, 5);
});

Deno.test("RingBuffer reject throws BufferFullError and changes nothing", () => {
  const { buffer, dropped } = recording<string>({
    capacity: 2,
    maxBytes: 10,
    overflow: "reject",
  });
  buffer.push("a");
  buffer.push("b");
  assert.throws(() => buffer.push("c"), (error: unknown) => {
    assert.ok(error instanceof BufferFullError);
    assert.equal(error.name, "BufferFullError");
    assert.equal(error.code, "buffer_full");
    return true;
  });
  assert.deepEqual([...buffer], ["a", "b"]);
  assert.equal(buffer.bytes, 2);
  assert.deepEqual(dropped, []);
  buffer.shift();
  assert.throws(() => buffer.push("x".repeat(10)), BufferFullError);
  assert.throws(() => buffer.push("x".repeat(11)), BufferFullError);
  assert.equal(buffer.push("x".repeat(9)), true);
});

Deno.test("RingBuffer clear empties without calling onDrop", () => {
  const { buffer, dropped } = recording<string>({ capacity: 3 });
  buffer.push("a");
  buffer.push("b");
  buffer.clear();
  assert.equal(buffer.size, 0);
  assert.equal(buffer.bytes, 0);
  assert.deepEqual([...buffer], []);
  assert.deepEqual(dropped, []);
  buffer.push("c");
  assert.deepEqual([...buffer], ["c"]);
});

Deno.test("RingBuffer uses a custom sizeOf", () => {
  const buffer = new RingBuffer<{ text: string }>({
    maxBytes: 10,
    sizeOf: (item) => item.text.length * 2,
  });
  buffer.push({ text: "abc" });
  assert.equal(buffer.bytes, 6);
});

Deno.test("RingBuffer counts unknown values as zero bytes by default", () => {
  const buffer = new RingBuffer<unknown>();
  buffer.push({ any: "thing" });
  assert.equal(buffer.bytes, 0);
  assert.equal(buffer.size, 1);
});

Deno.test("RingBuffer rejects a sizeOf result that is negative or not finite", () => {
  for (const size of [-1, NaN, Infinity]) {
    const buffer = new RingBuffer<string>({ sizeOf: () => size });
    assert.throws(() => buffer.push("a"), RangeError);
    assert.equal(buffer.size, 0);
  }
});

Deno.test("RingBuffer with infinite capacity grows as needed", () => {
  const buffer = new RingBuffer<number>({
    capacity: Infinity,
    maxBytes: Infinity,
  });
  for (let i = 0; i < 5000; i++) buffer.push(i);
  assert.equal(buffer.size, 5000);
  assert.equal(buffer.shift(), 0);
});

Deno.test("RingBuffer validates its options", () => {
  assert.throws(() => new RingBuffer({ capacity: 0 }), {
    name: "RangeError",
    message:
      "Cannot create RingBuffer as 'capacity' must be positive: current value is 0",
  });
  assert.throws(() => new RingBuffer({ capacity: 2.5 }), RangeError);
  assert.throws(
    () => new RingBuffer({ capacity: "5" as unknown as number }),
    TypeError,
  );
  assert.throws(() => new RingBuffer({ maxBytes: -1 }), RangeError);
  assert.throws(() => new RingBuffer({ maxBytes: NaN }), TypeError);
  assert.throws(
    () => new RingBuffer({ overflow: "drop" as unknown as "reject" }),
    TypeError,
  );
  assert.throws(
    () => new RingBuffer({ onDrop: 1 as unknown as () => void }),
    TypeError,
  );
  assert.throws(
    () => new RingBuffer({ sizeOf: 1 as unknown as () => number }),
    TypeError,
  );
});

Deno.test("RingBuffer refuses an unknown option and suggests the nearest", () => {
  assert.throws(
    () => new RingBuffer({ maxSize: 10 } as never),
    /Cannot create RingBuffer as 'maxSize' is not an option: did you mean/,
  );
  assert.throws(
    () => new RingBuffer({ capacty: 10 } as never),
    new TypeError(
      "Cannot create RingBuffer as 'capacty' is not an option: did you mean 'capacity'?",
    ),
  );
});
