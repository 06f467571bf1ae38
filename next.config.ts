import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Tests build into their own folder so they never clobber a running `npm run dev`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  serverExternalPackages: ["postgres"],
};

export default nextConfig;
