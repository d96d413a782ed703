/**
 * The nesting-depth check of client frames: a frame nested deeper than the
 * limit is refused before anything re-encodes it (a runtime's JSON encoder
 * can overflow its stack on it). Internal.
 *
 * @module
 */

/**
 * Frames shorter than this are parsed, then walked (cheaper than a scan, and
 * a frame this short cannot nest deep enough to cost much to parse); longer
 * ones are scanned before they are parsed.
 */
export const SCAN_FROM = 8192;

/**
 * Whether JSON text has at most `max` opening brackets (`{` and `[`, in
 * strings too): then it cannot nest deeper than `max`. Cheaper than a walk
 * of the parsed value (the runtime's `indexOf`, no object visited), so a
 * short frame is walked only when this cannot tell.
 */
export function fewBrackets(text: string, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf("{"); i >= 0; i = text.indexOf("{", i + 1)) {
    if (++count > max) return false;
  }
  for (let i = text.indexOf("["); i >= 0; i = text.indexOf("[", i + 1)) {
    if (++count > max) return false;
  }
  return true;
}

/** Whether parsed JSON `value`, at level 1, nests deeper than `max` levels. */
export function deeperThan(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (deeperThan(value[i], max - 1)) return true;
    }
  } else {
    for (const key in value) {
      if (deeperThan((value as Record<string, unknown>)[key], max - 1)) {
        return true;
      }
    }
  }
  return false;
}

/** The index just past the string whose opening quote is before `i`. */
function skipString(text: string, i: number): number {
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    i = quote + 1;
    if ((backslashes & 1) === 0) return i;
  }
}

/**
 * Whether JSON text nests its objects and arrays deeper than `max` levels,
 * without parsing it. Exact for valid JSON; for invalid JSON the answer does
 * not matter, as parsing it fails.
 */
export function textDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i++);
    if (c === 34) i = skipString(text, i);
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

const NUMBER = /^\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=\s*[,}])/;

/** How far {@linkcode peekRef} looks. */
export const PEEK_LENGTH = 96;

/**
 * The top-level `ref` of a frame that is not decoded (refused for rate),
 * when it is within its first {@linkcode PEEK_LENGTH} characters, as every
 * frame the protocol's builders encode has it; cheap whatever the frame's
 * size.
 */
export function peekRef(text: string): number | undefined {
  const ref = topLevelRef(
    text.length > PEEK_LENGTH ? text.slice(0, PEEK_LENGTH) : text,
  );
  return ref !== undefined && Number.isSafeInteger(ref) && ref >= 0
    ? ref
    : undefined;
}

/**
 * The value of the top-level `"ref"` key of JSON object text that is not
 * parsed (too deep), when it is a number; the last one wins, as in
 * `JSON.parse`.
 */
export function topLevelRef(text: string): number | undefined {
  let depth = 0;
  let ref: number | undefined;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i++);
    if (c === 34) {
      const start = i;
      i = skipString(text, i);
      if (depth === 1 && i - start === 4 && text.startsWith('ref"', start)) {
        const match = NUMBER.exec(text.slice(i, i + 40));
        if (match !== null) ref = Number(match[1]);
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return ref;
}
