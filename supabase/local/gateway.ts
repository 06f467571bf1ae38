// The local stand-in for Supabase's API gateway: /auth/v1 → the local auth server,
// /functions/v1/<name> → that edge function under Deno. Same paths as hosted Supabase.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { captures } from "../functions/_shared/captures.ts";
import type { AuthServer } from "./auth-server.ts";
import type { FunctionsRunner } from "./functions.ts";
import { sendJson, sendWebResponse, toWebRequest } from "./http.ts";

export type Gateway = { url: string; server: Server; close(): Promise<void> };

export async function startGateway(options: {
  port: number;
  auth: AuthServer;
  functions: FunctionsRunner;
  log?: (line: string) => void;
}): Promise<Gateway> {
  const origin = `http://127.0.0.1:${options.port}`;
  // node:http ignores what a request listener returns; every failure is answered inside it.
  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? "/";
    try {
      if (path === "/auth/v1" || path.startsWith("/auth/v1/")) {
        return await sendWebResponse(res, await options.auth.handle(toWebRequest(req, origin)));
      }
      const fn = /^\/functions\/v1\/([A-Za-z0-9_-]+)(\/[^?]*)?(\?.*)?$/.exec(path);
      if (fn) {
        // Group 1 (the name) is mandatory; the path and the query are optional.
        const [name] = captures(fn, 1);
        // Functions see their own name as the first path segment, as on hosted Supabase.
        const forwarded = `/${name}${fn[2] ?? ""}${fn[3] ?? ""}`;
        if (options.functions.proxy(name, req, res, forwarded)) return;
        return sendJson(res, 404, { error: { code: "function_not_found", message: `No edge function named "${name}".` } });
      }
      if (path === "/" || path === "/health") {
        return sendJson(res, 200, {
          name: "cloudkeep-local-gateway",
          auth: "/auth/v1",
          functions: options.functions.names.map((n) => `/functions/v1/${n}`),
        });
      }
      sendJson(res, 404, { message: "no Route matched with those values" });
    } catch (error) {
      options.log?.(`[gateway] ${req.method} ${path.split("?")[0]} failed: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 502, { message: "An invalid response was received from the upstream server" });
      else res.end();
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  return {
    url: origin,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
