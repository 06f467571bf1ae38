// /tokens routes: an organization's API tokens, managed by its admins and owners with their own
// access token (an API token cannot list, mint or revoke tokens; see ../scopes.ts).
import { createApiToken, listApiTokens, revokeApiToken } from "../../_shared/domain/api-tokens.ts";
import { json } from "../../_shared/http.ts";
import { domainCall, readJson, resolveOrganization, type RequestContext } from "../context.ts";
import type { Router } from "../router.ts";

export function tokenRoutes(router: Router<RequestContext>) {
  const caller = (ctx: RequestContext) => ({ sql: ctx.deps.sql, claims: ctx.claims });

  router.on("GET", "/tokens", async (ctx) => {
    const org = await resolveOrganization(ctx);
    const tokens = await domainCall(() => listApiTokens(caller(ctx), org.id));
    return json({ data: tokens });
  });

  router.on("POST", "/tokens", async (ctx) => {
    const org = await resolveOrganization(ctx);
    const body = await readJson(ctx.request);
    const { token, record } = await domainCall(() => createApiToken(caller(ctx), org.id, body));
    // The only response that ever carries the token.
    return json({ data: { ...record, token } }, 201, { location: `/api/tokens/${record.id}` });
  });

  router.on("DELETE", "/tokens/:id", async (ctx, { id }) => {
    await domainCall(() => revokeApiToken(caller(ctx), id));
    return new Response(null, { status: 204 });
  });
}
