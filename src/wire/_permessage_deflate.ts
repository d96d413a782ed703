/**
 * permessage-deflate (RFC 7692) with the platform's `CompressionStream` and
 * `DecompressionStream` ("deflate-raw"): the offer and its check on the
 * client, the choice and answer on the server, and one message in or out.
 *
 * The platform streams cannot keep a compression context between messages,
 * nor shrink their window, so both ends agree on no context takeover, and an
 * offer asking this end for a window under 15 bits is declined. Inflating
 * stops at a limit, so a small message cannot inflate past `maxMessage`.
 * Internal.
 *
 * @module
 */

/** The client's offer: no context takeover either way. */
export const DEFLATE_OFFER =
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

/** The server's answer to an offer it accepts. */
export const DEFLATE_ANSWER = DEFLATE_OFFER;

interface Extension {
  name: string;
  params: Map<string, string | true>;
}

/** `Sec-WebSocket-Extensions` as a list of extensions and their params. */
function parseExtensions(header: string): Extension[] | null {
  const out: Extension[] = [];
  for (const item of header.split(",")) {
    const [name, ...rest] = item.split(";").map((p) => p.trim());
    if (name === "") continue;
    const params = new Map<string, string | true>();
    for (const param of rest) {
      const [key, value] = param.split("=").map((p) => p.trim());
      if (params.has(key)) return null;
      params.set(key, value === undefined ? true : value.replace(/^"|"$/g, ""));
    }
    out.push({ name: name.toLowerCase(), params });
  }
  return out;
}

const WINDOW = /^(8|9|1[0-5])$/;

/**
 * Checks the server's answer to {@linkcode DEFLATE_OFFER}: `true` when it
 * agreed, `false` when it answered no extension, a reason when the answer
 * breaks RFC 7692.
 */
export function checkAnswer(header: string): boolean | string {
  if (header.trim() === "") return false;
  const extensions = parseExtensions(header);
  if (extensions === null || extensions.length !== 1) {
    return `extensions ${JSON.stringify(header)} were not offered`;
  }
  const [{ name, params }] = extensions;
  if (name !== "permessage-deflate") return `extension ${name} was not offered`;
  if (!params.has("server_no_context_takeover")) {
    return "permessage-deflate without server_no_context_takeover";
  }
  for (const [key, value] of params) {
    const ok = key === "server_no_context_takeover" ||
        key === "client_no_context_takeover"
      ? value === true
      : key === "server_max_window_bits" && typeof value === "string" &&
        WINDOW.test(value);
    if (!ok) return `permessage-deflate parameter ${key} is not acceptable`;
  }
  return true;
}

/**
 * Whether one of the client's offers can be accepted: each must be
 * permessage-deflate with known parameters, and not ask this end for a
 * window under 15 bits.
 */
export function acceptsOffer(header: string | null): boolean {
  const extensions = parseExtensions(header ?? "") ?? [];
  return extensions.some(({ name, params }) => {
    if (name !== "permessage-deflate") return false;
    for (const [key, value] of params) {
      if (
        key === "server_no_context_takeover" ||
        key === "client_no_context_takeover"
      ) {
        if (value !== true) return false;
      } else if (key === "client_max_window_bits") {
        if (value !== true && !WINDOW.test(value)) return false;
      } else if (key === "server_max_window_bits") {
        if (value !== "15") return false;
      } else return false;
    }
    return true;
  });
}

async function collect(
  readable: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let length = 0;
  const reader = readable.getReader();
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function run(
  stream: CompressionStream | DecompressionStream,
  chunks: Uint8Array[],
  limit: number,
): Promise<Uint8Array | null> {
  const writer = stream.writable.getWriter();
  const written = (async () => {
    for (const chunk of chunks) {
      await writer.write(chunk as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  written.catch(() => {});
  const [out] = await Promise.all([
    collect(stream.readable, limit),
    written.catch(() => {}),
  ]);
  return out;
}

const FLUSH = Uint8Array.of(0x00, 0x00, 0xff, 0xff);
const FINAL_EMPTY = Uint8Array.of(0x01, 0x00, 0x00, 0xff, 0xff);

/** One message's payload, compressed as RFC 7692 section 7.2.1 sends it. */
export async function deflate(payload: Uint8Array): Promise<Uint8Array> {
  const out = await run(
    new CompressionStream("deflate-raw"),
    [payload],
    Infinity,
  );
  const data = out!;
  const n = data.length;
  // A sync flush then an empty final block (Deno): keep what is before it.
  if (
    n >= 6 && data[n - 2] === 0x03 && data[n - 1] === 0x00 &&
    data[n - 6] === 0x00 && data[n - 5] === 0x00 && data[n - 4] === 0xff &&
    data[n - 3] === 0xff
  ) {
    return data.subarray(0, n - 6);
  }
  // A final block (section 7.2.3.3): an empty stored block follows, less its
  // last four bytes, which the receiver adds back.
  const padded = new Uint8Array(n + 1);
  padded.set(data);
  return padded;
}

/**
 * One message's payload, inflated; `null` when it would pass `limit`
 * bytes, `undefined` when it is not valid DEFLATE data.
 */
export async function inflate(
  payload: Uint8Array,
  limit: number,
): Promise<Uint8Array | null | undefined> {
  // A sync-flushed message ends where a final empty block is added; one
  // sent with a final block (7.2.3.3) ends inside it, before the padding.
  const attempts = [
    [payload, FLUSH, FINAL_EMPTY],
    [payload],
    [payload.subarray(0, payload.length - 1)],
  ];
  for (const chunks of attempts) {
    try {
      return await run(new DecompressionStream("deflate-raw"), chunks, limit);
    } catch {
      // Not this ending; try the next.
    }
  }
  return undefined;
}
