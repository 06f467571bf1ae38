// One sweeper of bench/sweep-scale.ts, in its own process as each edge-function invocation is
// on hosted Supabase. Connects and warms up, says "ready", then for each "go" on stdin runs one
// sweep and prints its result as one JSON line; stops at the end of its input.
import { createInterface } from "node:readline";
import postgres from "postgres";
import { parseKeyRing } from "../supabase/functions/_shared/crypto/index.ts";
import { runSweep } from "../supabase/functions/_shared/domain/health-sweep.ts";
import { loadAdapter } from "../supabase/functions/_shared/providers/index.ts";

const [sweeperId, concurrency] = [process.argv[2], Number(process.argv[3])];
if (sweeperId === undefined) throw new Error("Usage: sweep-worker.ts <sweeper id> <concurrency> (bench/sweep-scale.ts starts it).");
const sql = postgres(process.env.DATABASE_URL!, { max: Math.min(10, concurrency), onnotice: () => {} });
const ring = parseKeyRing(process.env.CLOUDKEEP_ENCRYPTION_KEYS);

await loadAdapter("digitalocean");
await sql`select 1`;
console.log("ready");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === "go") console.log(JSON.stringify(await runSweep({ sql, ring, sweeperId, concurrency, trustedCidrs: ["127.0.0.1/32"] })));
}
await sql.end({ timeout: 5 });
