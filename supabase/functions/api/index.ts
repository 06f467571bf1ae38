import { handle } from "./handler.ts";

export default { fetch: handle } satisfies Deno.ServeDefaultExport;
