import assert from "node:assert/strict";
import { lineLogger } from "../../examples/relay/log.ts";

const entry = {
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  level: "warn" as const,
  event: "upgrade_refused",
  status: 403,
  reason: "Origin not allowed",
};

Deno.test("a text line is the time, the level, the event and key=value pairs", () => {
  const lines: string[] = [];
  lineLogger("info", "text", (line) => lines.push(line))!(entry);
  assert.deepEqual(lines, [
    '2026-01-02T03:04:05.006Z WARN  upgrade_refused status=403 reason="Origin not allowed"',
  ]);
});

Deno.test("a json line is the entry, with the time in ISO 8601", () => {
  const lines: string[] = [];
  lineLogger("info", "json", (line) => lines.push(line))!(entry);
  assert.deepEqual(JSON.parse(lines[0]), {
    ...entry,
    time: "2026-01-02T03:04:05.006Z",
  });
});

Deno.test("entries under the level are left out; off logs nothing", () => {
  const lines: string[] = [];
  const log = lineLogger("error", "text", (line) => lines.push(line))!;
  log(entry);
  log({ ...entry, level: "error" });
  assert.equal(lines.length, 1);
  assert.equal(lineLogger("off", "json"), undefined);
});
