// Runs once when the Next.js server starts: refuse to serve without valid configuration,
// naming the variable, instead of failing on the first request that needs it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  await import("@/lib/env/server");
  const { keyRing } = await import("@/lib/vault");
  keyRing();
}
