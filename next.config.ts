import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./lib/security-headers";

const nextConfig: NextConfig = {
  // Tests build into their own folder so they never clobber a running `npm run dev`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  // The Content-Security-Policy (with its per-request nonce) is set by proxy.ts.
  // Browsers ask for /favicon.ico on pages that name no icon (a blank page, an error page); answer
  // with the app's icon instead of a 404.
  async rewrites() {
    return [{ source: "/favicon.ico", destination: "/favicon.svg" }];
  },
  async headers() {
    return [{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }];
  },
  serverExternalPackages: ["postgres"],
  // The test command runs `tsc --noEmit` over the whole project before its browser tests, so
  // their build (tests/support/portal.ts) skips Next's own second pass; real builds keep it.
  typescript: { ignoreBuildErrors: process.env.CLOUDKEEP_TEST_BUILD === "1" },
};

export default nextConfig;
