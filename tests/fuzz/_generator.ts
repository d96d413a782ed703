/**
 * Seeded random frames for the fuzz run: valid client frames, the same with
 * one field changed, wrong types, huge numbers, deep nesting, `__proto__` and
 * `constructor` keys, long strings, lone surrogates, byte-level mutations and
 * binary frames. No dependencies: a small PRNG makes every run repeatable
 * from its seed.
 *
 * @module
 */

/** A seeded PRNG (mulberry32): the same seed gives the same numbers. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Whether an event of probability `p` happens. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** A fuzzed frame: text, or bytes as a runtime hands over a binary frame. */
export type Frame = string | Uint8Array | ArrayBuffer;

const DEEP = 100_000;
const deepArray = "[".repeat(DEEP) + "]".repeat(DEEP);
const deepObject = '{"a":'.repeat(DEEP) + "1" + "}".repeat(DEEP);
const deepOpen = "[".repeat(DEEP); // unbalanced: not JSON at all

const TYPES = ["hello", "join", "leave", "pub", "members", "update"] as const;
const CHANNELS = ["room", "lobby", "a", "x:y/z", "room.1", "@me"];

/** Odd values of every JSON type, for a field that is changed. */
function oddValue(random: Random, long: string): unknown {
  switch (random.int(22)) {
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return -1;
    case 3:
      return 1.5;
    case 4:
      return Number.MAX_SAFE_INTEGER + 2;
    case 5:
      return 1e308;
    case 6:
      return -0;
    case 7:
      return "";
    case 8:
      return long.slice(0, random.int(long.length));
    case 9:
      return "\ud800";
    case 10:
      return "a\udc00b\ud83d";
    case 11:
      return [];
    case 12:
      return {};
    case 13:
      return [1, "2", null, { a: [] }];
    case 14:
      return { __proto__: null, constructor: { prototype: 1 } };
    case 15:
      return JSON.parse('{"__proto__":{"polluted":true}}');
    case 16:
      return "channel:join";
    case 17:
      return "x".repeat(129);
    case 18:
      return 2 ** 53;
    case 19:
      return "room";
    case 20:
      return random.int(10);
    default:
      return "🙂".repeat(random.int(50));
  }
}

/** A valid client frame of a random type, as an object. */
function validFrame(
  random: Random,
  ids: readonly string[],
): Record<string, unknown> {
  const type = random.pick(TYPES);
  const frame: Record<string, unknown> = { type };
  if (random.chance(0.7)) frame.ref = random.int(1_000);
  const channel = random.pick(CHANNELS);
  switch (type) {
    case "hello":
      frame.v = 1;
      if (random.chance(0.3)) frame.session = random.pick(ids);
      if (random.chance(0.3)) {
        frame.profile = { name: "fuzz", n: random.int(9) };
      }
      if (random.chance(0.1)) frame.token = "t";
      break;
    case "join":
      frame.channel = channel;
      if (random.chance(0.3)) frame.echo = random.chance(0.5);
      if (random.chance(0.2)) {
        frame.since = random.chance(0.9)
          ? { epoch: random.pick(["e0", "e1", ""]), offset: random.int(100) }
          : random.int(100); // the old, reserved number: a bad frame now
      }
      break;
    case "leave":
    case "members":
      frame.channel = channel;
      break;
    case "pub":
      frame.channel = random.chance(0.1) ? null : channel;
      frame.event = random.pick(["chat", "typing", "e"]);
      if (random.chance(0.8)) frame.data = { n: random.int(1e6), s: "hi" };
      if (random.chance(0.5)) frame.mid = `m${random.int(5_000)}`;
      if (random.chance(0.5)) frame.echo = random.chance(0.5);
      if (random.chance(0.1)) frame.volatile = random.chance(0.8);
      break;
    case "update":
      frame.profile = random.chance(0.9) ? { name: "fuzz" } : null;
      break;
  }
  return frame;
}

/** Makes frames from `seed`; `ids` are session ids worth guessing. */
export class FrameGenerator {
  readonly random: Random;
  #ids: string[] = ["s-none"];
  #long: string;
  #bytes: number;

  /** `frameBytes` is the relay's limit: some frames go just past it. */
  constructor(seed: number, frameBytes: number) {
    this.random = new Random(seed);
    this.#bytes = frameBytes;
    this.#long = "L".repeat(frameBytes + 16);
  }

  /** Session ids the generator may name in `hello.session`. */
  set ids(ids: string[]) {
    this.#ids = ids.length > 0 ? ids : ["s-none"];
  }

  /** The next frame. */
  next(): Frame {
    const random = this.random;
    const roll = random.int(1_000);
    if (roll < 300) return JSON.stringify(validFrame(random, this.#ids));
    if (roll < 600) return this.#changed();
    if (roll < 700) return this.#mutatedText();
    if (roll < 740) return this.#protoKeys();
    if (roll < 790) return this.#binary();
    if (roll < 830) return random.pick(["ping", "pong", "", " ", "null", "[]"]);
    if (roll < 850) return this.#long.slice(0, random.int(this.#long.length));
    if (roll < 860) return this.#deep();
    if (roll < 900) return this.#wrongTypes();
    if (roll < 950) return this.#longField();
    return this.#randomText();
  }

  /** A valid frame with one field changed, removed or added. */
  #changed(): string {
    const random = this.random;
    const frame = validFrame(random, this.#ids);
    const keys = Object.keys(frame);
    const key = random.chance(0.8) ? random.pick(keys) : random.pick([
      "ref",
      "v",
      "data",
      "profile",
      "mid",
      "since",
      "volatile",
      "extra",
    ]);
    if (random.chance(0.1)) delete frame[key];
    else frame[key] = oddValue(random, this.#long.slice(0, 300));
    return JSON.stringify(frame);
  }

  /** A valid frame's text with characters flipped, dropped or repeated. */
  #mutatedText(): string {
    const random = this.random;
    let text = JSON.stringify(validFrame(random, this.#ids));
    for (let i = 1 + random.int(4); i > 0; i--) {
      const at = random.int(text.length);
      const op = random.int(4);
      if (op === 0) text = text.slice(0, at) + text.slice(at + 1);
      else if (op === 1) {
        const c = String.fromCharCode(random.int(0x10000));
        text = text.slice(0, at) + c + text.slice(at + 1);
      } else if (op === 2) text = text.slice(0, at);
      else {
        text = text.slice(0, at) + random.pick(['"', "{", "[", "\\", ","]) +
          text.slice(at);
      }
    }
    return text;
  }

  #protoKeys(): string {
    const random = this.random;
    const frame = JSON.stringify(validFrame(random, this.#ids)).slice(1);
    const key = random.pick(["__proto__", "constructor", "prototype"]);
    const value = random.pick([
      '{"type":"pub","channel":"room","event":"x"}',
      '{"polluted":true}',
      "null",
      '"hello"',
      '{"prototype":{"polluted":true}}',
    ]);
    return random.chance(0.5)
      ? `{"${key}":${value},${frame}`
      : `{${frame.slice(0, -1)},"data":{"${key}":${value}}}`;
  }

  #binary(): Frame {
    const random = this.random;
    const size = random.chance(0.05) ? this.#bytes + 1 : random.int(64);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < Math.min(size, 64); i++) bytes[i] = random.int(256);
    if (random.chance(0.3)) {
      bytes.set(new TextEncoder().encode('{"type":"members"}').slice(0, size));
    }
    return random.chance(0.5) ? bytes : bytes.buffer;
  }

  #deep(): string {
    const random = this.random;
    const nested = random.pick([deepArray, deepObject, deepOpen]);
    const type = random.pick(["pub", "hello", "update", "join"]);
    const field = type === "pub" ? "data" : type === "join" ? "x" : "profile";
    return `{"type":"${type}","ref":${
      random.int(100)
    },"v":1,"channel":"room","event":"e","${field}":${nested}}`;
  }

  #wrongTypes(): string {
    const random = this.random;
    const frame: Record<string, unknown> = {
      type: random.chance(0.5) ? random.pick(TYPES) : oddValue(random, "t"),
    };
    for (const key of ["ref", "channel", "event", "v", "echo", "since"]) {
      if (random.chance(0.5)) frame[key] = oddValue(random, "w".repeat(200));
    }
    return JSON.stringify(frame);
  }

  #longField(): string {
    const random = this.random;
    const frame = validFrame(random, this.#ids);
    const size = random.int(this.#bytes + 1_024);
    const text = this.#long.slice(0, size);
    frame[random.pick(["data", "profile", "event", "channel", "mid"])] =
      random.chance(0.2) ? text + "\ud800" : text;
    return JSON.stringify(frame);
  }

  #randomText(): string {
    const random = this.random;
    const length = random.int(200);
    let text = "";
    for (let i = 0; i < length; i++) {
      text += String.fromCharCode(
        random.chance(0.8) ? 32 + random.int(95) : random.int(0x10000),
      );
    }
    return text;
  }
}
