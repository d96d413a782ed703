/**
 * Headless Chromium as a process, for the browser tests: Debian's
 * `chromium` (tools/setup.sh installs it; nothing is downloaded), started
 * with a fresh profile and its DevTools endpoint on a free loopback port,
 * stopped by its own pid. Playwright (`playwright-core`) drives it through
 * `chromium.connectOverCDP`. Deno only.
 *
 * @module
 */

import { halt } from "./halt.ts";

/** Where Debian's package puts it. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a quiet, sandbox-free headless run in CI. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A running Chromium. */
export interface RunningChromium {
  /** The DevTools WebSocket URL, for `chromium.connectOverCDP`. */
  endpoint: string;
  /** The browser process's pid. */
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its profile. */
  stop(): Promise<void>;
}

/** Starts Chromium and waits (up to `timeout` ms) for its DevTools endpoint. */
export async function launchChromium(
  timeout = 30_000,
): Promise<RunningChromium> {
  const profile = await Deno.makeTempDir({ prefix: "lifeline-chromium-" });
  const child = new Deno.Command(CHROMIUM_PATH, {
    args: [
      ...CHROMIUM_ARGS,
      `--user-data-dir=${profile}`,
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();

  const output: string[] = [];
  const { promise: found, resolve } = Promise.withResolvers<string>();
  // Chromium prints `DevTools listening on ws://…` on stderr; the rest of
  // its output is kept for errors and drained until it exits.
  const drained = (async () => {
    let rest = "";
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      rest += chunk;
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        output.push(line);
        if (output.length > 30) output.shift();
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]);
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    stopped ??= (async () => {
      try {
        await halt(child, 10_000, drained);
      } finally {
        await Deno.remove(profile, { recursive: true }).catch(() => {});
      }
    })();

  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const endpoint = await Promise.race([
      found,
      child.status.then((s) => {
        throw new Error(
          `chromium exited with code ${s.code}:\n${output.join("\n")}`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `chromium did not listen within ${timeout} ms:\n${
                  output.join("\n")
                }`,
              ),
            ),
          timeout,
        );
      }),
    ]);
    return { endpoint, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
