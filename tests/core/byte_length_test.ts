import assert from "node:assert/strict";
import { byteLength } from "../../src/core/byte_length.ts";

function utf8(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

Deno.test("byteLength counts ASCII strings one byte per character", () => {
  assert.equal(byteLength(""), 0);
  assert.equal(byteLength("hello"), 5);
});

Deno.test("byteLength counts non-ASCII strings in UTF-8", () => {
  assert.equal(byteLength("é"), 2);
  assert.equal(byteLength("€"), 3);
  assert.equal(byteLength("日本語"), 9);
  assert.equal(byteLength("\u07ff\u0800\uffff"), 2 + 3 + 3);
});

Deno.test("byteLength counts a surrogate pair as four bytes", () => {
  assert.equal(byteLength("😀"), 4);
  assert.equal(byteLength("a😀b"), 6);
  assert.equal(byteLength("👩‍👩‍👧"), utf8("👩‍👩‍👧"));
});

Deno.test("byteLength counts lone surrogates as the three bytes of U+FFFD", () => {
  for (
    const text of ["\ud800", "\udc00", "a\ud800b", "\udc00\ud800", "x\ud83d"]
  ) {
    assert.equal(byteLength(text), utf8(text), JSON.stringify(text));
  }
});

Deno.test("byteLength agrees with TextEncoder on mixed text", () => {
  const text = "ASCII, ünïcödé, ελληνικά, 中文, 🎉🚀, and \u0000 control";
  assert.equal(byteLength(text), utf8(text));
});

Deno.test("byteLength measures binary data by byteLength", () => {
  assert.equal(byteLength(new ArrayBuffer(7)), 7);
  assert.equal(byteLength(new SharedArrayBuffer(3)), 3);
  assert.equal(byteLength(new Uint8Array(5)), 5);
  assert.equal(byteLength(new Float64Array(2)), 16);
  assert.equal(byteLength(new Uint16Array(new ArrayBuffer(16), 4, 2)), 4);
  assert.equal(byteLength(new DataView(new ArrayBuffer(10), 2, 6)), 6);
});

Deno.test("byteLength measures a Blob by size", () => {
  assert.equal(byteLength(new Blob(["héllo", new Uint8Array(3)])), 9);
});

Deno.test("byteLength counts anything else as zero", () => {
  for (
    const value of [undefined, null, 42, true, {}, [1, 2], { byteLength: 9 }]
  ) {
    assert.equal(byteLength(value), 0);
  }
});
