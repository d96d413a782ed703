/**
 * The frame decoder against random input, with a fixed seed and a bounded
 * number of cases: random bytes, and valid frame sequences with one byte
 * mutated, each fed at random chunk boundaries. It never throws, never
 * holds more than the limits allow, and ends in whole messages, a close
 * with a valid code, or a failure with 1002, 1007 or 1009; split any way,
 * the same bytes give the same events.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isWireCloseCode } from "../../src/wire/_close.ts";
import {
  decodeChunks,
  type Event,
  frame as makeFrame,
  join,
  seeded,
  split,
} from "./_codec.ts";

const SEED = Number(Deno.env.get("WIRE_FUZZ_SEED") ?? 20261130);
const CASES = 1500;
const LIMITS = { maxPayload: 4096, maxMessage: 8192, maxFragments: 8 };

function validSequence(random: () => number, mask: boolean): Uint8Array {
  const frames: Uint8Array[] = [];
  const frame = (opcode: number, payload: Uint8Array | string, options = {}) =>
    makeFrame(opcode, payload, { ...options, mask });
  const count = 1 + Math.floor(random() * 6);
  for (let i = 0; i < count; i++) {
    const size = Math.floor(random() ** 3 * 5000);
    const text = "é".repeat(Math.floor(size / 2));
    const pick = random();
    if (pick < 0.3) frames.push(frame(0x1, text));
    else if (pick < 0.5) frames.push(frame(0x2, new Uint8Array(size)));
    else if (pick < 0.7) {
      frames.push(frame(0x1, text.slice(0, 3), { fin: false }));
      frames.push(frame(0x9, "p"));
      frames.push(frame(0x0, text.slice(3)));
    } else if (pick < 0.9) frames.push(frame(0xa, "q"));
    else frames.push(frame(0x8, Uint8Array.of(0x03, 0xe8, 0x6f, 0x6b)));
  }
  return join(...frames);
}

function check(events: Event[], heldMax: number) {
  assert.ok(heldMax <= LIMITS.maxMessage, `held ${heldMax} bytes`);
  const last = events.at(-1);
  if (last?.[0] === "close") {
    assert.ok(last[1] === 1005 || isWireCloseCode(last[1]));
  }
  if (last?.[0] === "fail") {
    assert.ok([1002, 1007, 1009].includes(last[1]), String(last));
  }
  for (const event of events.slice(0, -1)) {
    assert.ok(
      event[0] !== "close" && event[0] !== "fail",
      "nothing after the end",
    );
  }
}

Deno.test("fuzz: random bytes and mutated frames at random boundaries never throw and stay in bounds", () => {
  const random = seeded(SEED);
  for (let i = 0; i < CASES; i++) {
    const role = random() < 0.5 ? "client" : "server";
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      bytes = new Uint8Array(Math.floor(random() * 300));
      for (let j = 0; j < bytes.length; j++) {
        bytes[j] = Math.floor(random() * 256);
      }
    } else {
      bytes = validSequence(random, role === "server");
      if (bytes.length > 0 && random() < 0.8) {
        bytes[Math.floor(random() * bytes.length)] ^= 1 <<
          Math.floor(random() * 8);
      }
    }
    // With permessage-deflate agreed, RSV1 may start a message.
    const deflate = random() < 0.3;
    if (deflate && bytes.length > 0 && random() < 0.5) bytes[0] |= 0x40;
    const whole = decodeChunks([bytes], role, LIMITS, deflate);
    let heldMax = 0;
    const chunks = split(bytes, random);
    const parts = decodeChunks([], role, LIMITS, deflate);
    for (const chunk of chunks) {
      parts.decoder.push(chunk);
      heldMax = Math.max(heldMax, parts.decoder.heldBytes);
    }
    check(parts.events, heldMax);
    assert.deepEqual(parts.events, whole.events, `case ${i} (seed ${SEED})`);
  }
});
