/**
 * The codec tests' helpers: decode bytes under every way of splitting them
 * (whole, byte by byte, at seeded random boundaries) and check that every
 * split gives the same events; frames built by hand, valid or not.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FrameDecoder, type Role } from "../../src/wire/_frame_decoder.ts";
import { encodeFrame } from "../../src/wire/_frame_encoder.ts";
import type { WireLimits } from "../../src/wire/limits.ts";

/** What a decoder delivered, one entry per sink call. */
export type Event =
  | ["message", string | number[]]
  | ["ping" | "pong", number[]]
  | ["close" | "fail", number, string]
  | ["compressed", number[], boolean];

/** A seeded generator (mulberry32): the same seed, the same numbers. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decodes `chunks` in order, collecting the events. */
export function decodeChunks(
  chunks: Uint8Array[],
  role: Role = "client",
  limits?: WireLimits,
  deflate = false,
): { events: Event[]; decoder: FrameDecoder } {
  const events: Event[] = [];
  const decoder = new FrameDecoder(
    role,
    {
      message: (data) =>
        events.push([
          "message",
          typeof data === "string" ? data : [...data],
        ]),
      ping: (data) => events.push(["ping", [...data]]),
      pong: (data) => events.push(["pong", [...data]]),
      close: (code, reason) => events.push(["close", code, reason]),
      fail: (code, reason) => events.push(["fail", code, reason]),
      compressed: (data, text) => events.push(["compressed", [...data], text]),
    },
    limits,
    deflate,
  );
  for (const chunk of chunks) decoder.push(chunk);
  return { events, decoder };
}

/** `bytes` split at random boundaries drawn from `random`. */
export function split(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * Math.min(64, bytes.length - at));
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/**
 * The events from decoding `bytes` as a `role`, asserted the same whole,
 * byte by byte and in random chunks.
 */
export function decode(
  bytes: Uint8Array,
  role: Role = "client",
  limits?: WireLimits,
): Event[] {
  const whole = decodeChunks([bytes], role, limits).events;
  const bytewise = [...bytes].map((b) => Uint8Array.of(b));
  assert.deepEqual(decodeChunks(bytewise, role, limits).events, whole);
  const random = seeded(bytes.length);
  for (let run = 0; run < 3; run++) {
    assert.deepEqual(
      decodeChunks(split(bytes, random), role, limits).events,
      whole,
    );
  }
  return whole;
}

/** A frame as a server sends it (unmasked) unless `mask`. */
export function frame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  { fin = true, mask = false, rsv = 0 } = {},
): Uint8Array {
  const bytes = typeof payload === "string"
    ? new TextEncoder().encode(payload)
    : payload;
  const out = encodeFrame(opcode, bytes, mask, fin);
  out[0] |= rsv << 4;
  return out;
}

/** The frames joined into one byte array. */
export function join(...frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** A close frame's payload: the code, then the reason's bytes. */
export function closeBody(code: number, reason: Uint8Array | string = "") {
  const text = typeof reason === "string"
    ? new TextEncoder().encode(reason)
    : reason;
  return join(Uint8Array.of(code >> 8, code & 0xff), text);
}
