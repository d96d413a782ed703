/**
 * Hand-built conformance cases for the frame decoder, one `Deno.test` per
 * Autobahn TestSuite case group (1 framing, 2 pings and pongs, 3 reserved
 * bits, 4 opcodes, 5 fragmentation, 6 UTF-8 handling, 7 close handling,
 * 9 limits). Every case is decoded whole, byte by byte and in random chunks,
 * and must give the same events each way.
 *
 * @module
 */

import assert from "node:assert/strict";
import { closeBody, decode, frame, join } from "./_codec.ts";

const te = new TextEncoder();

Deno.test("autobahn 1 framing: text and binary at every length encoding", () => {
  for (const length of [0, 1, 125, 126, 127, 128, 65535, 65536, 70000]) {
    const text = "*".repeat(length);
    assert.deepEqual(decode(frame(0x1, text)), [["message", text]]);
    const bytes = new Uint8Array(length).map((_, i) => i & 0xff);
    assert.deepEqual(decode(frame(0x2, bytes)), [["message", [...bytes]]]);
  }
});

Deno.test("autobahn 1 framing: a server reads masked frames and refuses unmasked ones", () => {
  const masked = frame(0x1, "hello", { mask: true });
  assert.deepEqual(decode(masked, "server"), [["message", "hello"]]);
  assert.deepEqual(decode(frame(0x1, "hello"), "server"), [
    ["fail", 1002, "A client must mask"],
  ]);
  assert.deepEqual(decode(masked, "client"), [
    ["fail", 1002, "A server must not mask"],
  ]);
});

Deno.test("autobahn 1 framing: a 64-bit length with its top bit set is a protocol error", () => {
  const head = Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1);
  assert.deepEqual(decode(head), [
    ["fail", 1002, "64-bit length with MSB set"],
  ]);
});

Deno.test("autobahn 2 pings and pongs: pings and pongs carry their payload", () => {
  const payload = new Uint8Array(125).fill(0xfe);
  assert.deepEqual(decode(join(frame(0x9, payload), frame(0xa, "x"))), [
    ["ping", [...payload]],
    ["pong", [0x78]],
  ]);
  assert.deepEqual(decode(frame(0x9)), [["ping", []]]);
});

Deno.test("autobahn 2 pings and pongs: a control payload over 125 bytes is a protocol error", () => {
  assert.deepEqual(decode(frame(0x9, new Uint8Array(126))), [
    ["fail", 1002, "Control too long"],
  ]);
});

Deno.test("autobahn 2 pings and pongs: a fragmented ping is a protocol error", () => {
  assert.deepEqual(decode(frame(0x9, "a", { fin: false })), [
    ["fail", 1002, "Fragmented control"],
  ]);
});

Deno.test("autobahn 3 reserved bits: any RSV bit fails before the frame is delivered", () => {
  for (const rsv of [1, 2, 3, 4, 5, 6, 7]) {
    for (const opcode of [0x1, 0x2, 0x9]) {
      assert.deepEqual(
        decode(join(frame(0x1, "ok"), frame(opcode, "x", { rsv }))),
        [["message", "ok"], ["fail", 1002, "RSV bits set"]],
      );
    }
  }
});

Deno.test("autobahn 4 opcodes: reserved data and control opcodes are protocol errors", () => {
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    assert.deepEqual(
      decode(join(frame(opcode, "x"), frame(0x1, "after"))),
      [["fail", 1002, `Reserved opcode ${opcode}`]],
    );
  }
});

Deno.test("autobahn 5 fragmentation: text and binary in fragments", () => {
  assert.deepEqual(
    decode(join(
      frame(0x1, "frag", { fin: false }),
      frame(0x0, "", { fin: false }),
      frame(0x0, "ment"),
    )),
    [["message", "fragment"]],
  );
  assert.deepEqual(
    decode(join(frame(0x2, "ab", { fin: false }), frame(0x0, "c"))),
    [["message", [97, 98, 99]]],
  );
});

Deno.test("autobahn 5 fragmentation: control frames interleaved in a fragmented message", () => {
  assert.deepEqual(
    decode(join(
      frame(0x1, "a", { fin: false }),
      frame(0x9, "p"),
      frame(0x0, "b", { fin: false }),
      frame(0xa, "q"),
      frame(0x0, "c"),
    )),
    [["ping", [0x70]], ["pong", [0x71]], ["message", "abc"]],
  );
});

Deno.test("autobahn 5 fragmentation: continuation without a start, or a new message inside one, fails", () => {
  assert.deepEqual(decode(frame(0x0, "x")), [
    ["fail", 1002, "Continuation without a message"],
  ]);
  assert.deepEqual(
    decode(join(frame(0x1, "a", { fin: false }), frame(0x1, "b"))),
    [["fail", 1002, "New message inside a fragmented one"]],
  );
});

Deno.test("autobahn 6 UTF-8 handling: valid text split inside a code point across fragments", () => {
  const bytes = te.encode("κόσμε 𝄞 ✓");
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(
      decode(join(
        frame(0x1, bytes.slice(0, cut), { fin: false }),
        frame(0x0, bytes.slice(cut)),
      )),
      [["message", "κόσμε 𝄞 ✓"]],
    );
  }
});

Deno.test("autobahn 6 UTF-8 handling: invalid sequences close with 1007, whole or split", () => {
  const invalid = [
    [
      0xce,
      0xba,
      0xe1,
      0xbd,
      0xb9,
      0xcf,
      0x83,
      0xce,
      0xbc,
      0xce,
      0xb5,
      0xed,
      0xa0,
      0x80,
    ], // surrogate
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0xc0, 0xaf], // overlong
    [0xff],
    [0xe2, 0x82], // truncated at the end of the message
  ];
  for (const seq of invalid) {
    const bytes = Uint8Array.from(seq);
    assert.deepEqual(decode(frame(0x1, bytes)), [
      ["fail", 1007, "Text is not UTF-8"],
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(
        decode(join(
          frame(0x1, bytes.slice(0, cut), { fin: false }),
          frame(0x0, bytes.slice(cut)),
        )),
        [["fail", 1007, "Text is not UTF-8"]],
      );
    }
  }
});

Deno.test("autobahn 6 UTF-8 handling: an invalid fragment fails before the message ends", () => {
  assert.deepEqual(
    decode(join(frame(0x1, Uint8Array.of(0xff), { fin: false }))),
    [["fail", 1007, "Text is not UTF-8"]],
  );
});

Deno.test("autobahn 7 close handling: codes, reasons and empty closes", () => {
  assert.deepEqual(decode(frame(0x8)), [["close", 1005, ""]]);
  for (
    const code of [
      1000,
      1001,
      1002,
      1003,
      1007,
      1008,
      1009,
      1010,
      1011,
      3000,
      3999,
      4000,
      4999,
    ]
  ) {
    assert.deepEqual(decode(frame(0x8, closeBody(code, "bye"))), [
      ["close", code, "bye"],
    ]);
  }
  for (
    const code of [
      0,
      999,
      1004,
      1005,
      1006,
      1015,
      1016,
      1100,
      2000,
      2999,
      5000,
      65535,
    ]
  ) {
    assert.deepEqual(decode(frame(0x8, closeBody(code))), [
      ["fail", 1002, `Invalid close code ${code}`],
    ]);
  }
});

Deno.test("autobahn 7 close handling: a one-byte payload or a bad reason fails", () => {
  assert.deepEqual(decode(frame(0x8, Uint8Array.of(3))), [
    ["fail", 1002, "Close payload of one byte"],
  ]);
  assert.deepEqual(decode(frame(0x8, closeBody(1000, Uint8Array.of(0xff)))), [
    ["fail", 1007, "Reason is not UTF-8"],
  ]);
});

Deno.test("autobahn 7 close handling: nothing is decoded after the close", () => {
  assert.deepEqual(
    decode(join(frame(0x8, closeBody(1000)), frame(0x1, "late"), frame(0x9))),
    [["close", 1000, ""]],
  );
});

Deno.test("autobahn 9 limits: maxPayload fails a big frame before holding its payload", () => {
  const limits = { maxPayload: 1000 };
  assert.deepEqual(decode(frame(0x2, new Uint8Array(1000)), "client", limits), [
    ["message", [...new Uint8Array(1000)]],
  ]);
  // The header alone claims 1001 bytes: no payload needs to arrive.
  const head = frame(0x2, new Uint8Array(1001)).slice(0, 4);
  assert.deepEqual(decode(head, "client", limits), [
    ["fail", 1009, "Frame over maxPayload"],
  ]);
});

Deno.test("autobahn 9 limits: maxMessage counts every fragment", () => {
  const limits = { maxMessage: 10 };
  const five = "x".repeat(5);
  assert.deepEqual(
    decode(
      join(frame(0x1, five, { fin: false }), frame(0x0, five)),
      "client",
      limits,
    ),
    [["message", "x".repeat(10)]],
  );
  assert.deepEqual(
    decode(
      join(frame(0x1, five, { fin: false }), frame(0x0, "x".repeat(6))),
      "client",
      limits,
    ),
    [["fail", 1009, "Message over maxMessage"]],
  );
});

Deno.test("autobahn 9 limits: maxFragments counts frames, empty ones too", () => {
  const limits = { maxFragments: 3 };
  const three = join(
    frame(0x1, "", { fin: false }),
    frame(0x0, "", { fin: false }),
    frame(0x0, "a"),
  );
  assert.deepEqual(decode(three, "client", limits), [["message", "a"]]);
  const four = join(
    frame(0x1, "", { fin: false }),
    frame(0x0, "", { fin: false }),
    frame(0x0, "", { fin: false }),
    frame(0x0, "a"),
  );
  assert.deepEqual(decode(four, "client", limits), [
    ["fail", 1009, "Too many fragments"],
  ]);
});
