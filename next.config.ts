import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Tests build into their own folder so they never clobber a running `npm run dev`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  serverExternalPackages: ["postgres"],
  // The test command runs `tsc --noEmit` over the whole project before its browser tests, so
  // their build (tests/support/portal.ts) skips Next's own second pass; real builds keep it.
  typescript: { ignoreBuildErrors: process.env.CLOUDKEEP_TEST_BUILD === "1" },
};

export default nextConfig;
