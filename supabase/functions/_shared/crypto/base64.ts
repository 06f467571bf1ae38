// Base64 for byte arrays with Web APIs only (btoa/atob), so Node, Deno and browsers agree.

const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Strict decoder for values Cloudkeep wrote itself: standard alphabet, padded, canonical (unused trailing
 * bits zero, so one byte string has exactly one encoding and an edited character always changes the bytes).
 * Returns null rather than throwing, so callers choose an error that names the field, not the value.
 */
export function base64ToBytes(value: string): Uint8Array<ArrayBuffer> | null {
  const bytes = decode(value);
  if (bytes && bytesToBase64(bytes) !== value) {
    bytes.fill(0);
    return null;
  }
  return bytes;
}

function decode(value: string): Uint8Array<ArrayBuffer> | null {
  if (!STANDARD.test(value)) return null;
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Lenient decoder for operator-typed keys: also accepts the URL-safe alphabet and missing padding. */
export function looseBase64ToBytes(value: string): Uint8Array<ArrayBuffer> | null {
  let normalized = value.replace(/-/g, "+").replace(/_/g, "/");
  if (normalized.length % 4 === 1) return null;
  while (normalized.length % 4 !== 0) normalized += "=";
  return decode(normalized);
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
