import assert from "node:assert/strict";
import { readConfig } from "../../examples/relay/config.ts";
import { createRoutes } from "../../examples/relay/routes.ts";
import { Relay } from "../../src/relay/mod.ts";
import { fakeClock } from "../relay/_harness.ts";

/** The example server's routes over a relay configured from `env`. */
function server(env: Record<string, string>) {
  const config = readConfig({ LIFELINE_LOG: "off", ...env });
  const relay = new Relay({ clock: fakeClock(), ...config.relay });
  const app = createRoutes(relay, config);
  const get = async (path: string, token?: string) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await app.request(path, { headers });
    const body = await response.json();
    return { status: response.status, code: body.error?.code };
  };
  return { relay, get, [Symbol.dispose]: () => relay.close() };
}

Deno.test("with LIFELINE_TOKENS set, GET /stats wants the admin token", async () => {
  using s = server({
    LIFELINE_TOKENS: "alice-token:alice,bare",
    LIFELINE_ADMIN_TOKEN: "admin",
  });
  for (const token of [undefined, "alice-token", "bare", "wrong"]) {
    assert.deepEqual(await s.get("/stats", token), {
      status: 401,
      code: "unauthorized",
    }, token);
  }
  assert.equal((await s.get("/stats", "admin")).status, 200);
  assert.equal((await s.get("/health")).status, 200);
});

Deno.test("with LIFELINE_TOKENS set, GET /channels/:name/members wants the admin token or a client token that may join", async () => {
  using s = server({
    LIFELINE_TOKENS: "alice-token:alice,bare",
    LIFELINE_ADMIN_TOKEN: "admin",
  });
  for (const token of [undefined, "wrong", "admin2"]) {
    assert.deepEqual(await s.get("/channels/org/room/members", token), {
      status: 401,
      code: "unauthorized",
    }, token);
  }
  for (const token of ["admin", "alice-token", "bare"]) {
    assert.equal(
      (await s.get("/channels/org/room/members", token)).status,
      200,
      token,
    );
  }
});

Deno.test("a client token whose identity may not join the channel cannot list its members", async () => {
  const config = readConfig({
    LIFELINE_TOKENS: "t:alice",
    LIFELINE_LOG: "off",
  });
  config.relay.authorize = (identity, _action, channel) =>
    channel !== "private" || identity.userId === "admin";
  const relay = new Relay({ clock: fakeClock(), ...config.relay });
  const app = createRoutes(relay, config);
  const headers = { authorization: "Bearer t" };
  const members = (channel: string) =>
    app.request(`/channels/${channel}/members`, { headers });
  assert.equal((await members("private")).status, 401);
  assert.equal((await members("lobby")).status, 200);
  relay.close();
});

Deno.test("without LIFELINE_TOKENS, /stats and members stay open", async () => {
  using s = server({});
  assert.equal((await s.get("/stats")).status, 200);
  assert.equal((await s.get("/channels/lobby/members")).status, 200);
});
