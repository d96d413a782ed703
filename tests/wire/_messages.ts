/**
 * The messages the differential tests send each way, and a byte-exact form
 * of a received message to compare them by.
 *
 * @module
 */

/** Text and binary at every length encoding, with multi-byte UTF-8. */
export function messages(): (string | Uint8Array<ArrayBuffer>)[] {
  const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 7) & 0xff);
  return [
    "",
    "hello",
    "κόσμε 𝄞 ✓",
    "x".repeat(125),
    "y".repeat(126),
    "z".repeat(65536),
    bytes(0),
    bytes(1),
    bytes(126),
    bytes(65535),
    bytes(200_000),
  ];
}

/** A message as `[type, hex of its bytes]`, for byte-for-byte comparison. */
export async function exact(
  data: string | Uint8Array | ArrayBuffer | Blob,
): Promise<[string, string]> {
  if (typeof data === "string") {
    return ["text", hex(new TextEncoder().encode(data))];
  }
  const bytes = data instanceof Blob
    ? new Uint8Array(await data.arrayBuffer())
    : data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : data;
  return ["binary", hex(bytes)];
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
