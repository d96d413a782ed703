import assert from "node:assert/strict";
import {
  type ClientFrame,
  decodeClientFrame,
  decodeRelayFrame,
  DEFAULT_HEARTBEAT,
  DEFAULT_LIMITS,
  encodeFrame,
  type ErrorCode,
  type RelayFrame,
} from "../../src/protocol/mod.ts";

function code(text: string, limits = {}): ErrorCode | "ok" {
  const result = decodeClientFrame(text, limits);
  return result.ok ? "ok" : result.error.code;
}

Deno.test("decodes every client frame type with its fields", () => {
  const frames: ClientFrame[] = [
    {
      type: "hello",
      ref: 1,
      v: 1,
      session: "s1",
      profile: { name: "ann" },
      token: "t",
    },
    {
      type: "join",
      ref: 2,
      channel: "room:1/a",
      echo: false,
      since: { epoch: "e1", offset: 5 },
    },
    { type: "leave", ref: 3, channel: "room", echo: true },
    {
      type: "pub",
      ref: 4,
      channel: "room",
      event: "chat",
      data: { text: "hi" },
      mid: "m1",
      echo: false,
    },
    { type: "pub", channel: null, event: "all" },
    { type: "members", ref: 5, channel: "room" },
    { type: "update", ref: 6, profile: { name: "bob" }, echo: false },
  ];
  for (const frame of frames) {
    assert.deepEqual(decodeClientFrame(encodeFrame(frame)), {
      ok: true,
      frame,
    });
  }
});

Deno.test("drops unknown fields from decoded frames", () => {
  const result = decodeClientFrame(
    '{"type":"join","channel":"a","extra":1,"__proto__":{"x":1}}',
  );
  assert.deepEqual(result, { ok: true, frame: { type: "join", channel: "a" } });
});

Deno.test("a missing update profile decodes as null", () => {
  assert.deepEqual(decodeClientFrame('{"type":"update"}'), {
    ok: true,
    frame: { type: "update", profile: null },
  });
});

Deno.test("rejects text that is not a JSON object with bad_frame", () => {
  for (
    const text of ["", "ping", "{", "null", "42", '"str"', "[]", "[{}]", "true"]
  ) {
    assert.equal(code(text), "bad_frame", text);
  }
});

Deno.test("rejects unknown or missing types with bad_frame, keeping the ref", () => {
  assert.deepEqual(decodeClientFrame('{"type":"subscribe","ref":9}'), {
    ok: false,
    error: { code: "bad_frame", message: "Unknown frame type", ref: 9 },
  });
  assert.equal(code('{"ref":1}'), "bad_frame");
  assert.equal(code('{"type":7}'), "bad_frame");
});

Deno.test("rejects a bad ref without echoing it", () => {
  for (const ref of ['"1"', "-1", "1.5", "null", "1e300"]) {
    const result = decodeClientFrame(
      `{"type":"members","channel":"a","ref":${ref}}`,
    );
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.ref, undefined);
    assert.equal(!result.ok && result.error.code, "bad_frame");
  }
});

Deno.test("rejects wrong field types with bad_frame", () => {
  const cases = [
    '{"type":"hello"}',
    '{"type":"hello","v":"1"}',
    '{"type":"hello","v":1,"session":5}',
    '{"type":"hello","v":1,"session":""}',
    '{"type":"hello","v":1,"token":false}',
    '{"type":"join","channel":"a","echo":"yes"}',
    '{"type":"join","channel":"a","since":-1}',
    '{"type":"join","channel":"a","since":"0"}',
    '{"type":"join","channel":"a","since":5}',
    '{"type":"join","channel":"a","since":{"epoch":"e","offset":-1}}',
    '{"type":"join","channel":"a","since":{"epoch":"","offset":1}}',
    '{"type":"join","channel":"a","since":{"offset":1}}',
    '{"type":"pub","channel":"a","event":"e","volatile":1}',
    '{"type":"leave","channel":"a","echo":1}',
    '{"type":"pub","channel":"a","event":"e","mid":3}',
    '{"type":"pub","channel":"a","event":"e","echo":null}',
    '{"type":"update","profile":{},"echo":"no"}',
  ];
  for (const text of cases) assert.equal(code(text), "bad_frame", text);
});

Deno.test("rejects bad or missing channel names with bad_channel", () => {
  const cases = [
    '{"type":"join"}',
    '{"type":"join","channel":""}',
    '{"type":"join","channel":"with space"}',
    '{"type":"join","channel":"a#b"}',
    '{"type":"join","channel":"é"}',
    '{"type":"join","channel":7}',
    '{"type":"leave","channel":null}',
    '{"type":"leave","channel":"a\\nb"}',
    '{"type":"members","channel":["a"]}',
    '{"type":"pub","event":"e"}',
    '{"type":"pub","channel":"a b","event":"e"}',
  ];
  for (const text of cases) assert.equal(code(text), "bad_channel", text);
});

Deno.test("a join of channel null is the app-wide recovery, with its since", () => {
  const result = decodeClientFrame(
    '{"type":"join","ref":3,"channel":null,"since":{"epoch":"e","offset":4}}',
  );
  assert.ok(result.ok && result.frame.type === "join");
  assert.deepEqual(result.frame, {
    type: "join",
    ref: 3,
    channel: null,
    since: { epoch: "e", offset: 4 },
  });
});

Deno.test("enforces the channel length limit", () => {
  const frame = (n: number) =>
    encodeFrame({ type: "join", channel: "a".repeat(n) });
  assert.equal(code(frame(128)), "ok");
  assert.equal(code(frame(129)), "bad_channel");
  assert.equal(code(frame(10), { channelLength: 9 }), "bad_channel");
});

Deno.test("rejects bad event names with bad_event", () => {
  for (const event of ['""', "1", "null", `"${"e".repeat(129)}"`]) {
    assert.equal(
      code(`{"type":"pub","channel":"a","event":${event}}`),
      "bad_event",
    );
  }
  assert.equal(code('{"type":"pub","channel":"a"}'), "bad_event");
});

Deno.test("rejects event names in the reserved channel: prefix with bad_event", () => {
  for (const event of ["channel:join", "channel:leave", "channel:update"]) {
    for (const channel of ['"a"', "null"]) {
      assert.deepEqual(
        decodeClientFrame(
          `{"type":"pub","ref":9,"channel":${channel},"event":"${event}"}`,
        ),
        {
          ok: false,
          error: {
            code: "bad_event",
            message:
              "'event' must be 1 to 128 characters, not starting with 'channel:'",
            ref: 9,
          },
        },
      );
    }
  }
  for (const event of ["channel", "Channel:join", "my-channel:join"]) {
    assert.equal(code(`{"type":"pub","channel":"a","event":"${event}"}`), "ok");
  }
});

Deno.test("rejects frames over frameBytes with too_large, counting UTF-8 bytes", () => {
  const ascii = encodeFrame({
    type: "pub",
    channel: "a",
    event: "e",
    data: "x".repeat(100),
  });
  assert.equal(code(ascii, { frameBytes: ascii.length }), "ok");
  assert.equal(code(ascii, { frameBytes: ascii.length - 1 }), "too_large");
  const wide = encodeFrame({
    type: "pub",
    channel: "a",
    event: "e",
    data: "é".repeat(50),
  });
  assert.equal(code(wide, { frameBytes: wide.length + 50 }), "ok");
  assert.equal(code(wide, { frameBytes: wide.length + 49 }), "too_large");
  assert.equal(code("x".repeat(DEFAULT_LIMITS.frameBytes + 1)), "too_large");
});

Deno.test("rejects profiles over profileBytes with profile_too_large and the ref", () => {
  const profile = { bio: "x".repeat(100) };
  const size = JSON.stringify(profile).length;
  const hello = encodeFrame({ type: "hello", ref: 3, v: 1, profile });
  assert.equal(code(hello, { profileBytes: size }), "ok");
  const result = decodeClientFrame(hello, { profileBytes: size - 1 });
  assert.equal(!result.ok && result.error.code, "profile_too_large");
  assert.equal(!result.ok && result.error.ref, 3);
  const update = encodeFrame({ type: "update", profile });
  assert.equal(code(update, { profileBytes: size - 1 }), "profile_too_large");
  assert.equal(
    code(encodeFrame({ type: "update", profile: "x".repeat(5000) })),
    "profile_too_large",
  );
});

Deno.test("never throws on random input (seeded fuzz)", () => {
  // mulberry32: a small seeded PRNG, so a failure reproduces.
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const pieces = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"type"',
    '"hello"',
    '"join"',
    '"pub"',
    '"leave"',
    '"members"',
    '"update"',
    '"channel"',
    '"event"',
    '"ref"',
    '"v"',
    '"profile"',
    '"mid"',
    "1",
    "-1",
    "null",
    "true",
    '"a"',
    '"a b"',
    "1e999",
    "\\u0000",
    '"\\ud800"',
    "\u00ff",
    "😀",
  ];
  const valid = [
    '{"type":"hello","v":1}',
    '{"type":"join","ref":1,"channel":"a"}',
    '{"type":"pub","channel":null,"event":"e","data":[1,{"x":null}]}',
    '{"type":"update","profile":{"n":1}}',
  ];
  for (let i = 0; i < 3000; i++) {
    let text: string;
    const mode = random();
    if (mode < 0.3) {
      // Random code units, lone surrogates included.
      const length = Math.floor(random() * 64);
      text = "";
      for (let j = 0; j < length; j++) {
        text += String.fromCharCode(Math.floor(random() * 0x10000));
      }
    } else if (mode < 0.6) {
      text = "";
      for (let j = Math.floor(random() * 20); j > 0; j--) text += pick(pieces);
    } else {
      // Mutate a valid frame: flip, drop or insert characters.
      const chars = [...pick(valid)];
      for (let j = 1 + Math.floor(random() * 3); j > 0; j--) {
        const at = Math.floor(random() * chars.length);
        const op = random();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, pick(pieces));
        else chars[at] = String.fromCharCode(Math.floor(random() * 128));
      }
      text = chars.join("");
    }
    const client = decodeClientFrame(text, { frameBytes: 256 });
    assert.equal(typeof client.ok, "boolean");
    if (!client.ok) assert.equal(typeof client.error.code, "string");
    const relay = decodeRelayFrame(text);
    assert.equal(typeof relay.ok, "boolean");
  }
});

Deno.test("decodes every relay frame type", () => {
  const frames: RelayFrame[] = [
    {
      type: "welcome",
      ref: 1,
      v: 1,
      session: "s",
      limits: { ...DEFAULT_LIMITS },
      heartbeat: { ...DEFAULT_HEARTBEAT },
    },
    { type: "ack", ref: 1, ok: true, data: { offset: 1 } },
    {
      type: "ack",
      ref: 2,
      ok: false,
      error: { code: "forbidden", message: "no" },
    },
    {
      type: "msg",
      channel: "a",
      offset: 3,
      event: "e",
      data: 1,
      sender: "s",
    },
    { type: "msg", channel: null, event: "e", sender: null },
    { type: "user", event: "e", data: {} },
    {
      type: "presence",
      channel: "a",
      action: "leave",
      member: { id: "s", data: null },
      version: 4,
    },
    { type: "error", error: { code: "bad_frame", message: "x" } },
    { type: "bye", reason: "shutdown", reconnect: true, retryAfter: 1000 },
  ];
  for (const frame of frames) {
    assert.deepEqual(decodeRelayFrame(encodeFrame(frame)), { ok: true, frame });
  }
});

Deno.test("decodeRelayFrame rejects malformed relay frames", () => {
  const cases = [
    "pong",
    "[]",
    '{"type":"nope"}',
    '{"type":"welcome","v":1}',
    '{"type":"ack","ok":true}',
    '{"type":"ack","ref":1,"ok":false}',
    '{"type":"ack","ref":1,"ok":false,"error":{"code":1,"message":"x"}}',
    '{"type":"msg","channel":"a","event":"e"}',
    '{"type":"msg","channel":"a","event":"e","sender":null,"offset":"1"}',
    '{"type":"presence","channel":"a","action":"wave","member":{"id":"s"},"version":1}',
    '{"type":"presence","channel":"a","action":"join","member":{},"version":1}',
    '{"type":"error","error":"x"}',
    '{"type":"bye","reason":"x"}',
  ];
  for (const text of cases) {
    const result = decodeRelayFrame(text);
    assert.equal(result.ok, false, text);
    assert.equal(!result.ok && result.error.code, "bad_frame");
  }
});

Deno.test("decodeRelayFrame takes a diff of valid changes and refuses a bad one", () => {
  const change = {
    action: "join",
    member: { id: "s2", data: null },
    version: 4,
  };
  const good = decodeRelayFrame(
    JSON.stringify({ type: "diff", channel: "town", changes: [change] }),
  );
  assert.ok(good.ok && good.frame.type === "diff");
  for (
    const changes of [
      [{ ...change, action: "wave" }],
      [{ ...change, version: -1 }],
      [{ ...change, member: { data: null } }],
      "nope",
    ]
  ) {
    const bad = decodeRelayFrame(
      JSON.stringify({ type: "diff", channel: "town", changes }),
    );
    assert.equal(bad.ok, false);
  }
});
