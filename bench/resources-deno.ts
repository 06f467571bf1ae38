// The Deno side of bench/resources.ts (which starts the servers and runs this file with the api
// function's flags). Prints one JSON line with times in ms.
//   {"mode":"aws","url":…,"runs":5,"accessKey":…,"secretKey":…}   the AWS adapter's full listing
//   {"mode":"chains","port":…,"runs":5,"busyMs":5}                 the same request shape without the SDK
import process from "node:process";
import { awsAdapter } from "../supabase/functions/_shared/providers/aws.ts";
import { cpuMs, requestChains } from "./chains.ts";

const [argument] = process.argv.slice(2);
if (argument === undefined) throw new Error("Pass the input as one JSON argument, as bench/resources.ts does.");
const input = JSON.parse(argument);

async function awsListings() {
  const credentials = { access_key: input.accessKey, secret_key: input.secretKey };
  const context = { apiEndpoint: input.url, regions: [], outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] } };
  const timed = async () => {
    const [started, cpu] = [performance.now(), cpuMs()];
    const listing = await awsAdapter.listResources(credentials, context);
    if (listing.partialFailures.length) throw new Error(`partial failures: ${JSON.stringify(listing.partialFailures)}`);
    return { ms: performance.now() - started, cpu: cpuMs() - cpu, count: listing.resources.length };
  };
  // The first listing also loads the EC2 client: reported apart from the warm runs.
  const first = await timed();
  const runs = [];
  for (let i = 0; i < input.runs; i++) runs.push(await timed());
  return { first: first.ms, count: first.count, runs: runs.map((r) => r.ms), cpu: runs.map((r) => r.cpu) };
}

async function chains() {
  const runs = [];
  for (let i = 0; i <= input.runs; i++) runs.push(await requestChains(input.port, input.busyMs));
  return { runs: runs.slice(1) };
}

console.log(JSON.stringify(input.mode === "chains" ? await chains() : await awsListings()));
