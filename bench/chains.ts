// The AWS listing's request shape without the SDK, for bench/resources.ts, in Node and in Deno alike:
// 17 parallel chains of 5 requests, each answer as large as a 100-instance DescribeInstances page
// and sent 100 ms after the request, with `busyMs` of synchronous work after each answer (standing in
// for the SDK's XML parsing). It shows how each runtime keeps I/O moving while JavaScript is busy.
import { readFileSync } from "node:fs";
import http from "node:http";

export const CHAINS = 17;
export const PAGES = 5;
export const PAGE_BYTES = 167_000;
export const PAGE_DELAY_MS = 100;

/** A server that answers every request with PAGE_BYTES after PAGE_DELAY_MS; runs in its own process. */
export function startChainsServer(): Promise<number> {
  const body = "x".repeat(PAGE_BYTES);
  const server = http.createServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { "content-type": "text/xml" }).end(body), PAGE_DELAY_MS);
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done((server.address() as { port: number }).port)));
}

/** Wall time of one round of CHAINS × PAGES requests, keep-alive, as the SDK's node:http handler sends them. */
export async function requestChains(port: number, busyMs: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const get = () =>
    new Promise<void>((done, fail) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
        res.on("data", () => {});
        res.on("end", done);
      });
      req.on("error", fail);
      req.end();
    });
  const chain = async () => {
    for (let page = 0; page < PAGES; page++) {
      await get();
      const until = performance.now() + busyMs;
      while (performance.now() < until);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CHAINS }, chain));
  const elapsed = performance.now() - started;
  agent.destroy();
  return elapsed;
}

/** This process's CPU time (user + system, GC threads included) in ms, from /proc: the same in Node and Deno. */
export function cpuMs(): number {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
