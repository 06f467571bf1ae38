// Accepts only same-site relative paths for ?next=, so sign-in cannot become an open redirect.
//
// The value is checked twice: as typed, and as it comes out of URL normalisation. Dot segments
// and encoded dots can turn a harmless-looking path into a protocol-relative one
// (`/.//evil.example`, `/%2e//x` and `/a/..//x` all normalise to `//…`), which a browser follows
// to another origin; so the normalised result must pass the same test, and so must its decoded
// form (`/%2F%2Fevil`, `/%5Cevil`).
const ORIGIN = "http://cloudkeep.invalid";

/** A path a browser resolves on this origin: one leading slash, then no slash or backslash. */
function isSameOriginPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return false;
  // Control characters and backslashes can be normalised by browsers into another origin.
  return !/[\u0000-\u001f\u007f\\]/.test(path);
}

function decoded(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

export function safeNextPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return fallback;
  if (!isSameOriginPath(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN) return fallback;
  const path = url.pathname;
  const plain = decoded(path);
  if (!isSameOriginPath(path) || plain === null || !isSameOriginPath(plain)) return fallback;
  return `${path}${url.search}${url.hash}`;
}
