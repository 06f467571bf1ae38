// The local stack's stand-in for pg_cron: it calls the health-sweep function on an interval,
// with the secret key, never two sweeps at once, and stops cleanly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { startSweeper, type Sweeper } from "../../supabase/local/sweeper.ts";

let server: Server | null = null;
let sweeper: Sweeper | null = null;

afterEach(async () => {
  await sweeper?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  server = sweeper = null;
});

async function fakeGateway(answer: (req: IncomingMessage) => Promise<{ status: number; body: unknown }>) {
  const seen: { method?: string; url?: string; authorization?: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  server = createServer((req, res) => void respond(req, res));
  async function respond(req: IncomingMessage, res: ServerResponse) {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    const { status, body } = await answer(req);
    inFlight--;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  return { url, seen, maxInFlight: () => maxInFlight };
}

const until = async (done: () => boolean, ms = 3_000) => {
  for (const start = Date.now(); !done();) {
    if (Date.now() - start > ms) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

it("posts to the health-sweep function with the secret key on every tick, one sweep at a time", async () => {
  // Each sweep takes longer than the interval: ticks that find one running do not start another.
  const gateway = await fakeGateway(
    () => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: { data: { checked: 0 } } }), 120)),
  );
  sweeper = startSweeper({ supabaseUrl: gateway.url, secretKey: "sb_secret_local", everyMs: 30 });
  await until(() => gateway.seen.length >= 3);
  expect(gateway.seen[0]).toEqual({ method: "POST", url: "/functions/v1/health-sweep", authorization: "Bearer sb_secret_local" });
  expect(gateway.maxInFlight()).toBe(1);

  await sweeper.stop();
  const after = gateway.seen.length;
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(gateway.seen.length).toBe(after);
});

it("says why a sweep was refused, without repeating the key", async () => {
  const gateway = await fakeGateway(async () => ({
    status: 401,
    body: { error: { code: "unauthorized", message: "Starting a sweep needs the project's secret key." } },
  }));
  const lines: string[] = [];
  sweeper = startSweeper({ supabaseUrl: gateway.url, secretKey: "sb_secret_wrong", everyMs: 60_000, log: (line) => lines.push(line) });
  await sweeper.sweepNow();
  expect(lines).toEqual(["[sweep] the health-sweep function answered 401: Starting a sweep needs the project's secret key."]);
  expect(lines.join("\n")).not.toContain("sb_secret_wrong");
});
