import assert from "node:assert/strict";
import { createChatRoutes } from "../../examples/chat/routes.ts";

Deno.test("GET / serves the chat page", async () => {
  const response = await createChatRoutes().request("/");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(
    await response.text(),
    /<script type="module" src="\/chat\/app.js">/,
  );
});

Deno.test("a WebSocket handshake at / gets a 404, which stops a client told the wrong path", async () => {
  const response = await createChatRoutes().request("/", {
    headers: { upgrade: "websocket", connection: "Upgrade" },
  });
  assert.equal(response.status, 404);
  await response.body?.cancel();
});
