/**
 * The checks every constructor runs on its options, so that a bad option
 * throws at construction with one message style: `Cannot create RingBuffer as
 * 'capacity' must be positive: current value is 0`. Internal; not exported.
 *
 * @module
 */

/** The range a number option must fall in; every rule is optional. */
export interface NumberRange {
  /** Greater than 0. */
  positive?: boolean;
  /** The smallest value allowed. */
  min?: number;
  /** Only integers. */
  integer?: boolean;
  /** With `integer`: `Infinity` is allowed too. */
  allowInfinity?: boolean;
  /** `Infinity` and `-Infinity` are not allowed. */
  finite?: boolean;
}

/**
 * The message of a bad option: `owner` is the class being created, `must`
 * what the option must do, such as `be a string`.
 */
export function optionMessage(
  owner: string,
  name: string,
  must: string,
  value: unknown,
): string {
  return `Cannot create ${owner} as '${name}' must ${must}: current value is ${
    String(value)
  }`;
}

/**
 * A number in `range`: a value of another type or `NaN` is a `TypeError`, a
 * number out of range a `RangeError`.
 */
export function checkNumber(
  owner: string,
  name: string,
  value: unknown,
  range: NumberRange = {},
): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(optionMessage(owner, name, "be a number", value));
  }
  return checkRange(owner, name, value, range);
}

/** A number in `range`; anything else is a `RangeError`. */
function checkRange(
  owner: string,
  name: string,
  value: unknown,
  range: NumberRange,
): number {
  const { positive, min, integer, allowInfinity, finite } = range;
  if (
    typeof value !== "number" || Number.isNaN(value) ||
    (positive && !(value > 0)) || (min !== undefined && value < min) ||
    (finite && !Number.isFinite(value)) ||
    (integer && !Number.isInteger(value) &&
      !(allowInfinity && value === Infinity))
  ) {
    throw new RangeError(
      optionMessage(owner, name, `be ${describe(range)}`, value),
    );
  }
  return value;
}

/** A function; `optional` lets `undefined` through. */
export function checkFunction<T>(
  owner: string,
  name: string,
  value: T,
  optional = false,
): T {
  if (typeof value !== "function" && !(optional && value === undefined)) {
    throw new TypeError(optionMessage(owner, name, "be a function", value));
  }
  return value;
}

/** A string. */
export function checkString<T>(owner: string, name: string, value: T): T {
  if (typeof value !== "string") {
    throw new TypeError(optionMessage(owner, name, "be a string", value));
  }
  return value;
}

/** A boolean. */
export function checkBoolean<T>(owner: string, name: string, value: T): T {
  if (typeof value !== "boolean") {
    throw new TypeError(optionMessage(owner, name, "be a boolean", value));
  }
  return value;
}

/** One of the strings in `allowed`, such as a policy name. */
export function checkOneOf<T extends string>(
  owner: string,
  name: string,
  value: T,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value)) {
    const must = `be ${list(allowed.map((a) => JSON.stringify(a)), "or")}`;
    throw new TypeError(optionMessage(owner, name, must, value));
  }
  return value;
}

/** An object with a function under each of `methods`, such as a clock. */
export function checkMethods<T>(
  owner: string,
  name: string,
  value: T,
  methods: readonly string[],
): T {
  if (
    typeof value !== "object" || value === null ||
    methods.some((m) =>
      typeof (value as Record<string, unknown>)[m] !== "function"
    )
  ) {
    const must = `have ${list(methods.map((m) => `'${m}'`), "and")} functions`;
    throw new TypeError(optionMessage(owner, name, must, value));
  }
  return value;
}

function describe(range: NumberRange): string {
  const { positive, min, integer, allowInfinity, finite } = range;
  const sign = positive ? "positive" : min === 0 ? "non-negative" : "";
  const floor = min !== undefined && min !== 0 ? `at least ${min}` : "";
  if (!integer && !finite) {
    return [sign, floor].filter(Boolean).join(" and ") || "a number";
  }
  const noun = integer
    ? `integer${allowInfinity ? " or Infinity" : ""}`
    : "finite number";
  const phrase = sign ? `a ${sign} ${noun}` : `${integer ? "an" : "a"} ${noun}`;
  return floor ? `${phrase} ${floor}` : phrase;
}

function list(items: readonly string[], conjunction: string): string {
  return items.length < 2
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} ${conjunction} ${items.at(-1)}`;
}

/** How {@linkcode checkKeys} names and hints; every field is optional. */
export interface KeyCheck {
  /**
   * The option that holds this object, for nested options such as
   * `keepalive`: keys are then named `keepalive.interval`.
   */
  name?: string;
  /**
   * Other libraries' names for our options, such as partysocket's
   * `minReconnectionDelay` for `backoff`: the hint for such a key, when
   * spelling alone would suggest the wrong option.
   */
  aliases?: Readonly<Record<string, string>>;
  /**
   * Other libraries' options that have no counterpart here, each with what
   * to do instead: the hint for such a key.
   */
  notes?: Readonly<Record<string, string>>;
}

/**
 * An options object with no keys beyond `known`: an unknown key (a typo, or
 * another library's name for an option) is a `TypeError` that suggests the
 * nearest known key, such as `Cannot create ReconnectingWebSocket as
 * 'retries' is not an option: did you mean 'maxRetries'?`. A value that is
 * not an object at all is a `TypeError` too; `undefined` is allowed.
 */
export function checkKeys<T>(
  owner: string,
  options: T,
  known: readonly string[],
  check: KeyCheck = {},
): T {
  if (options === undefined) return options;
  const { name, aliases = {}, notes = {} } = check;
  const path = (key: string) => name === undefined ? key : `${name}.${key}`;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      optionMessage(owner, name ?? "options", "be an object", options),
    );
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    if (Object.hasOwn(notes, key)) {
      throw new TypeError(
        `Cannot create ${owner} as '${path(key)}' is not an option: ${
          notes[key]
        }`,
      );
    }
    const near = Object.hasOwn(aliases, key)
      ? aliases[key]
      : nearest(key, known);
    const hint = near === undefined ? "" : `: did you mean '${path(near)}'?`;
    throw new TypeError(
      `Cannot create ${owner} as '${path(key)}' is not an option${hint}`,
    );
  }
  return options;
}

/**
 * The known name closest to `key`: the one sharing its longest word (split at
 * case changes and digits, so partysocket's `minReconnectionDelay` meets our
 * `reconnectDelay`-style names), else the one with the smallest edit distance
 * if it is small enough to be a typo.
 */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  if (
    best !== undefined &&
    bestDistance <= Math.max(2, Math.ceil(lower.length / 3))
  ) {
    return best;
  }
  const words = (name: string) =>
    name.split(/(?=[A-Z])|[^A-Za-z]+/).map((w) => w.toLowerCase()).filter((
      w,
    ) => w.length > 3);
  const keyWords = words(key);
  let bestShared = 0;
  best = undefined;
  for (const name of known) {
    const shared = words(name).filter((w) =>
      keyWords.some((k) => k.startsWith(w) || w.startsWith(k))
    ).reduce((sum, w) => sum + w.length, 0);
    if (shared > bestShared) [best, bestShared] = [name, shared];
  }
  return best;
}

/** Levenshtein distance, in one row. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length];
}
