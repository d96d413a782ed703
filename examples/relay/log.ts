/**
 * The example server's log lines: `LIFELINE_LOG` picks the least level
 * written (`debug`, `info`, `warn`, `error`, or `off`; default `info`) and
 * `LIFELINE_LOG_FORMAT` the shape (`text`, the default: one
 * `TIME LEVEL event key=value …` line; or `json`: one JSON object a line).
 * Lines go to stderr, so stdout keeps only the `listening on` banner. The
 * relay's entries never hold a token or a message body; this adds nothing
 * that could.
 *
 * @module
 */

import type { LogEntry, Logger, LogLevel } from "../../src/relay/mod.ts";

/** What `LIFELINE_LOG` may say. */
export type LogSetting = LogLevel | "off";

/** What `LIFELINE_LOG_FORMAT` may say. */
export type LogFormat = "text" | "json";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A logger that writes the entries at `level` or above, in `format`, with
 * `write` (one line per call); none for `off`.
 */
export function lineLogger(
  level: LogSetting,
  format: LogFormat,
  write: (line: string) => void = (line) => console.error(line),
): Logger | undefined {
  if (level === "off") return undefined;
  const least = RANK[level];
  return (entry) => {
    if (RANK[entry.level] < least) return;
    write(format === "json" ? jsonLine(entry) : textLine(entry));
  };
}

function jsonLine(entry: LogEntry): string {
  return JSON.stringify({ ...entry, time: new Date(entry.time).toISOString() });
}

function textLine(entry: LogEntry): string {
  const { time, level, event, ...fields } = entry;
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${textValue(value)}`);
  return [
    new Date(time).toISOString(),
    level.toUpperCase().padEnd(5),
    event,
    ...pairs,
  ].join(" ");
}

function textValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /^[^\s"=]*$/.test(text) && text !== "" ? text : JSON.stringify(text);
}
