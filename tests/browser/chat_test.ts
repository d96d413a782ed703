/**
 * The chat page (`examples/chat/`) in headless Chromium, served by the
 * example relay: two pages chat; one goes offline (the browser's offline
 * emulation plus a cut of its connection); what it types meanwhile is
 * marked pending, waits in the client's queue, and arrives, in order, once
 * it is back online. Screenshots go to `artifacts/`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { startProxy } from "../../tools/chaos_proxy.ts";
import { launchChromium, type RunningChromium } from "../../tools/chromium.ts";
import { ROOT, spawnExampleRelay } from "../../tools/servers.ts";

/** Ms any single wait in this test may take. */
const WAIT_MS = 10_000;
const ARTIFACTS = new URL("artifacts/", ROOT);

async function bundleChat(): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "chat:bundle"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

function badge(page: Page, state: string) {
  return page.waitForSelector(`#badge[data-state="${state}"]`, {
    timeout: WAIT_MS,
  });
}

/** The texts of the lobby's messages on `page`, status labels included. */
function lobby(page: Page): Promise<string[]> {
  return page.locator('ul[data-channel="lobby"] li').allTextContents();
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const path = new URL(name, ARTIFACTS).pathname;
  await page.screenshot({ path });
  console.log(`screenshot: ${path}`);
}

Deno.test("two Chromium pages chat; an offline page's messages stay pending, then arrive once it is back", async () => {
  await bundleChat();
  const relay = await spawnExampleRelay("deno");
  const network = startProxy(relay.url); // alice's connection, to cut
  let browserProcess: RunningChromium | undefined;
  let browser: Browser | undefined;
  try {
    browserProcess = await launchChromium();
    browser = await chromium.connectOverCDP(browserProcess.endpoint);
    const alice = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    const ws = encodeURIComponent(network.url);
    await alice.goto(`${relay.httpUrl}/?name=alice&ws=${ws}`);
    await bob.goto(`${relay.httpUrl}/?name=bob`);
    await Promise.all([badge(alice, "connected"), badge(bob, "connected")]);

    // Members with their profile names.
    await bob.waitForFunction(
      `[...document.querySelectorAll("#members li")]
        .map((li) => li.textContent).join(",") === "alice,bob"`,
      undefined,
      { timeout: WAIT_MS },
    );

    await say(alice, "hello bob");
    await bob.waitForSelector(
      'ul[data-channel="lobby"] li:has-text("hello bob")',
      { timeout: WAIT_MS },
    );
    await alice.waitForSelector("li.pending", {
      state: "detached",
      timeout: WAIT_MS,
    });

    // Alice goes offline: the browser says so, and her connection is cut.
    await alice.context().setOffline(true);
    await network.cut();
    await badge(alice, "offline");
    await say(alice, "are you there?");
    await say(alice, "still typing offline");
    assert.deepEqual(await lobby(alice), [
      "alice: hello bob",
      "alice: are you there?pending",
      "alice: still typing offlinepending",
    ]);
    assert.equal(await alice.locator("li.pending").count(), 2);
    await screenshot(alice, "chat-offline.png");

    // Back online: the client retries at once and flushes its queue.
    const online = performance.now();
    await alice.context().setOffline(false);
    await badge(alice, "connected");
    const back = Math.round(performance.now() - online);
    console.log(`online → connected in ${back} ms (no backoff waited out)`);
    await alice.waitForSelector("li.pending", {
      state: "detached",
      timeout: WAIT_MS,
    });
    await bob.waitForFunction(
      `document.querySelectorAll('ul[data-channel="lobby"] li').length === 3`,
      undefined,
      { timeout: WAIT_MS },
    );
    assert.deepEqual(await lobby(bob), [
      "alice: hello bob",
      "alice: are you there?",
      "alice: still typing offline",
    ]);
    await say(bob, "welcome back");
    await alice.waitForSelector('li:has-text("welcome back")', {
      timeout: WAIT_MS,
    });
    await screenshot(alice, "chat.png");
  } finally {
    await browser?.close().catch(() => {});
    await browserProcess?.stop();
    await network.stop();
    await relay.stop();
  }
});
