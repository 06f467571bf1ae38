// One measurement for bench/cold-start.ts, run under Deno in a fresh process: how long the Google
// Cloud code takes to load before its first request.
//   sdk      import @google-cloud/compute and construct one InstancesClient (what the SDK route costs)
//   adapter  import Cloudkeep's GCP adapter (google-auth-library for the token + Compute REST over fetch)
// Prints { ms } as one JSON line. By hand:
//   deno run --allow-net --allow-env --allow-read --allow-sys --config supabase/functions/deno.json bench/gcp-import.ts sdk
import process from "node:process";

const which = process.argv[2];
const started = performance.now();
if (which === "sdk") {
  const { InstancesClient } = await import("@google-cloud/compute");
  new InstancesClient({
    credentials: { client_email: "bench@example.iam.gserviceaccount.com", private_key: "unused" },
    projectId: "bench",
  });
} else if (which === "adapter") {
  await import("../supabase/functions/_shared/providers/gcp.ts");
} else {
  throw new Error("usage: gcp-import.ts sdk|adapter");
}
console.log(JSON.stringify({ ms: performance.now() - started }));
