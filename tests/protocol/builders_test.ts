import assert from "node:assert/strict";
import {
  ackErrorFrame,
  ackFrame,
  byeFrame,
  decodeClientFrame,
  decodeRelayFrame,
  DEFAULT_HEARTBEAT,
  DEFAULT_LIMITS,
  encodeFrame,
  errorFrame,
  helloFrame,
  joinFrame,
  leaveFrame,
  membersFrame,
  msgFrame,
  presenceFrame,
  pubFrame,
  updateFrame,
  userFrame,
  welcomeFrame,
} from "../../src/protocol/mod.ts";

Deno.test("relay builders write the fields in the wire order", () => {
  assert.equal(
    encodeFrame(welcomeFrame("s1", DEFAULT_LIMITS, DEFAULT_HEARTBEAT, 2)),
    `{"type":"welcome","v":1,"session":"s1","limits":${
      JSON.stringify(DEFAULT_LIMITS)
    },"heartbeat":${JSON.stringify(DEFAULT_HEARTBEAT)},"ref":2}`,
  );
  assert.equal(encodeFrame(ackFrame(1)), '{"type":"ack","ref":1,"ok":true}');
  assert.equal(
    encodeFrame(msgFrame(null, undefined, "e", { a: 1 }, null)),
    '{"type":"msg","channel":null,"event":"e","data":{"a":1},"sender":null}',
  );
  assert.equal(
    encodeFrame(msgFrame("c", 3, "e", undefined, "s")),
    '{"type":"msg","channel":"c","offset":3,"event":"e","sender":"s"}',
  );
  assert.equal(encodeFrame(userFrame("e")), '{"type":"user","event":"e"}');
  assert.equal(
    encodeFrame(presenceFrame("c", "leave", { id: "s", data: 1 }, 9)),
    '{"type":"presence","channel":"c","action":"leave","member":{"id":"s","data":1},"version":9}',
  );
  assert.equal(
    encodeFrame(byeFrame("timeout", 500)),
    '{"type":"bye","reason":"timeout","reconnect":true,"retryAfter":500}',
  );
});

Deno.test("error builders send only the code and message", () => {
  const error = { code: "bad_channel", message: "no", ref: 4 } as const;
  assert.deepEqual(ackErrorFrame(4, error), {
    type: "ack",
    ref: 4,
    ok: false,
    error: { code: "bad_channel", message: "no" },
  });
  assert.deepEqual(errorFrame(error), {
    type: "error",
    error: { code: "bad_channel", message: "no" },
  });
  assert.equal(errorFrame(error, 4).ref, 4);
});

Deno.test("every relay builder's frame decodes as itself", () => {
  const frames = [
    welcomeFrame("s1", DEFAULT_LIMITS, DEFAULT_HEARTBEAT),
    ackFrame(1, { offset: 2 }),
    ackErrorFrame(1, { code: "internal", message: "x" }),
    errorFrame({ code: "bad_frame", message: "x" }),
    msgFrame("c", 1, "e", "d", "s"),
    msgFrame(null, undefined, "e", undefined, null),
    userFrame("e", [1]),
    presenceFrame("c", "update", { id: "s", data: null }, 1),
    byeFrame("replaced"),
  ];
  for (const frame of frames) {
    assert.deepEqual(decodeRelayFrame(encodeFrame(frame)), {
      ok: true,
      frame,
    });
  }
});

Deno.test("every client builder's frame decodes as itself", () => {
  const frames = [
    helloFrame(),
    helloFrame({ ref: 1, session: "s", profile: { n: 1 }, token: "t" }),
    joinFrame("c"),
    joinFrame("c", { ref: 2, echo: false, since: { epoch: "e", offset: 3 } }),
    leaveFrame("c", { ref: 3, echo: true }),
    pubFrame("c", "e"),
    pubFrame(null, "e", { ref: 4, data: 0, mid: "m", echo: false }),
    pubFrame("c", "e", { data: 1, volatile: true }),
    membersFrame("c", { ref: 5 }),
    updateFrame(undefined),
    updateFrame({ n: 2 }, { ref: 6, echo: false }),
  ];
  for (const frame of frames) {
    assert.deepEqual(decodeClientFrame(encodeFrame(frame)), {
      ok: true,
      frame,
    });
  }
});

Deno.test("client builders put ref right after type", () => {
  assert.equal(
    encodeFrame(joinFrame("c", { ref: 1, since: { epoch: "e", offset: 0 } })),
    '{"type":"join","ref":1,"channel":"c","since":{"epoch":"e","offset":0}}',
  );
  assert.equal(
    encodeFrame(helloFrame({ ref: 1, v: 2 })),
    '{"type":"hello","ref":1,"v":2}',
  );
  assert.equal(
    encodeFrame(updateFrame(null)),
    '{"type":"update","profile":null}',
  );
});

Deno.test("a pub carries echo before mid, as the client has always sent it", () => {
  assert.equal(
    encodeFrame(pubFrame("c", "e", { data: 1, mid: "m", echo: true })),
    '{"type":"pub","channel":"c","event":"e","data":1,"echo":true,"mid":"m"}',
  );
});
