// The security headers of every page. The Content-Security-Policy carries a fresh nonce per request
// (set by proxy.ts): Next.js puts it on its own scripts when it finds it in the request's CSP header,
// and the root layout hands it to next-themes' inline script. Only scripts with the nonce (and what
// they load, 'strict-dynamic') run; no page may be framed.

/** A random nonce for one response: 128 bits, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function contentSecurityPolicy(nonce: string, options: { dev: boolean; supabaseUrl: string }): string {
  const supabase = new URL(options.supabaseUrl).origin;
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // React's development build evaluates code (stack frames, fast refresh); production never does.
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(options.dev ? ["'unsafe-eval'"] : [])],
    // Radix positions popovers and sonner places toasts with style attributes; styles cannot run code.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", supabase, ...(options.dev ? ["ws:", "wss:"] : [])],
    "frame-ancestors": ["'none'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/** Headers that need no nonce, for every response (next.config.ts sets them on static files too). */
export const STATIC_SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
] as const;
