// /providers routes: list, create, read, update or rotate, delete. Writes go through the
// shared domain functions (the same ones the portal's server actions use).
import { withRls } from "../../_shared/db.ts";
import { selectProvider, selectProviderPage } from "../../_shared/domain/provider-queries.ts";
import {
  createProvider,
  deleteProvider,
  rotateProviderCredentials,
  setProviderSuspended,
  updateProvider,
  type ProviderRecord,
} from "../../_shared/domain/providers.ts";
import { setReadOnlyCredentials } from "../../_shared/domain/read-only.ts";
import { checkProviderHealth, refreshResources, testCredentials } from "../../_shared/domain/connectivity.ts";
import { decodeCursor, selectHealthHistory, selectInventory, selectResources } from "../../_shared/domain/resource-queries.ts";
import { ApiError, json } from "../../_shared/http.ts";
import { PROVIDER_STATUS_VALUES } from "../../_shared/database.types.ts";
import { ENVIRONMENTS, PROVIDER_TYPES } from "../../_shared/schemas/providers.ts";
import { MAX_LIMIT, MAX_PAGE, queryBoolean, queryEnum, queryInteger, queryObject, queryText } from "../../_shared/schemas/query.ts";
import { domainCall, readJson, resolveOrganization, vaultOf, type RequestContext } from "../context.ts";
import { apiQuery } from "../query.ts";
import type { Router } from "../router.ts";

/** GET /providers */
export const providerListQuery = queryObject({
  q: queryText({ description: "Search name, account and hint." }),
  provider_type: queryEnum(PROVIDER_TYPES),
  status: queryEnum(PROVIDER_STATUS_VALUES),
  environment: queryEnum(ENVIRONMENTS),
  page: queryInteger({ min: 1, max: MAX_PAGE, fallback: 1 }),
});
/** GET /providers/{id}/health */
export const healthQuery = queryObject({ limit: queryInteger({ min: 1, max: MAX_LIMIT, fallback: 30 }) });
/** GET /providers/{id}/resources: the whole query is checked before a refresh goes to the cloud. */
export const providerResourcesQuery = queryObject({
  type: queryText(),
  region: queryText(),
  q: queryText(),
  cursor: queryText({
    max: 2048,
    check: { test: (cursor) => decodeCursor(cursor) !== null, message: "is not one this API gave out" },
    description: "next_cursor of the previous page.",
  }),
  limit: queryInteger({ min: 1, max: MAX_LIMIT, fallback: 50 }),
  refresh: queryBoolean(false, "List live from the cloud before answering (decrypts the credential)."),
});

/** DELETE /providers/{id} */
export const providerDeleteQuery = queryObject({
  children: queryEnum(
    ["remove", "keep"] as const,
    "Required when the provider connected accounts of its organization: remove them with it, or keep them as providers of their own.",
  ),
});

/** What the API shows of a provider: everything but the ciphertext. */
function present(p: ProviderRecord) {
  return { ...p, regions: p.regions ?? [] };
}

const vault = vaultOf;

/** The provider, when the caller may see it (any id that is not one is simply not found). */
export async function visibleProvider(ctx: RequestContext, id: string) {
  const provider = await withRls(ctx.deps.sql, ctx.claims, (tx) => selectProvider(tx, id));
  if (!provider) throw new ApiError(404, "not_found", "Provider not found.");
  return provider;
}

export function providerRoutes(router: Router<RequestContext>) {
  router.on("GET", "/providers", async (ctx) => {
    const org = await resolveOrganization(ctx);
    const query = apiQuery(providerListQuery, ctx.url);
    const result = await withRls(ctx.deps.sql, ctx.claims, (tx) =>
      selectProviderPage(tx, org.id, {
        q: query.q,
        kind: query.provider_type,
        status: query.status,
        environment: query.environment,
        page: query.page,
      }),
    );
    return json({ data: result.providers.map(present), page: result.page, page_size: result.pageSize, total: result.total });
  });

  router.on("POST", "/providers", async (ctx) => {
    const org = await resolveOrganization(ctx);
    const body = await readJson(ctx.request);
    const created = await domainCall(() => createProvider(vault(ctx), org.id, body));
    return json({ data: present(created) }, 201, { location: `/api/providers/${created.id}` });
  });

  router.on("GET", "/providers/:id", async (ctx, { id }) => json({ data: present(await visibleProvider(ctx, id)) }));

  router.on("PATCH", "/providers/:id", async (ctx, { id }) => {
    const body = await readJson(ctx.request);
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw new ApiError(422, "validation_failed", "The body must be a JSON object.");
    const { credentials, suspended, read_only_credentials: readOnly, ...rest } = body as Record<string, unknown>;
    // A new endpoint travels with new credentials (the stored secret never goes to an
    // address it was not entered for); on its own it is metadata, which refuses a change.
    const { api_endpoint: endpointWithCredentials, ...others } = rest;
    const metadata = credentials !== undefined ? others : rest;
    const kinds = [credentials !== undefined, suspended !== undefined, readOnly !== undefined, Object.keys(metadata).length > 0].filter(
      Boolean,
    ).length;
    // One kind of change per request, so a request either applies whole or not at all.
    if (kinds > 1) {
      throw new ApiError(
        422,
        "validation_failed",
        "Send credentials (with api_endpoint when it changes), read_only_credentials, suspended, or metadata fields (name, environment, regions) in separate requests.",
      );
    }
    await visibleProvider(ctx, id);
    let updated: ProviderRecord;
    if (credentials !== undefined)
      updated = await domainCall(() =>
        rotateProviderCredentials(vault(ctx), id, credentials, { apiEndpoint: endpointWithCredentials as string | null | undefined }),
      );
    else if (readOnly !== undefined) updated = await domainCall(() => setReadOnlyCredentials(vault(ctx), id, readOnly));
    else if (suspended !== undefined) {
      if (typeof suspended !== "boolean")
        throw new ApiError(422, "validation_failed", "suspended must be true or false.", {
          fields: { suspended: ["must be true or false"] },
        });
      updated = await domainCall(() => setProviderSuspended(vault(ctx), id, suspended));
    } else updated = await domainCall(() => updateProvider(vault(ctx), id, metadata));
    return json({ data: present(updated) });
  });

  router.on("DELETE", "/providers/:id", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const { children } = apiQuery(providerDeleteQuery, ctx.url);
    await domainCall(() => deleteProvider(vault(ctx), id, { children }));
    return new Response(null, { status: 204 });
  });
}

/** A cloud call that failed as a whole: 504 on a timeout, 422 for a refused endpoint, else 502; the provider's code and hint ride along. */
/** Live-call routes: health now and history, resources (stored, or live with refresh=true), test. */
export function connectivityRoutes(router: Router<RequestContext>) {
  const live = vaultOf;

  router.on("POST", "/providers/test", async (ctx) => {
    const org = await resolveOrganization(ctx);
    const body = await readJson(ctx.request);
    const result = await domainCall(() => testCredentials(live(ctx), org.id, body));
    return json({ data: result });
  });

  router.on("POST", "/providers/:id/health", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const { check, result } = await domainCall(() => checkProviderHealth(live(ctx), id, "api"));
    return json({ data: { ...check, identity: result.ok ? result.identity : null } }, 201);
  });

  router.on("GET", "/providers/:id/health", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const { limit } = apiQuery(healthQuery, ctx.url);
    const history = await withRls(ctx.deps.sql, ctx.claims, (tx) => selectHealthHistory(tx, id, limit));
    return json({ data: history });
  });

  router.on("GET", "/providers/:id/resources", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const { type, region, q, limit, cursor, refresh } = apiQuery(providerResourcesQuery, ctx.url);
    let partialFailures: unknown[] | undefined;
    if (refresh) {
      const listing = await domainCall(() => refreshResources(live(ctx), id, type));
      partialFailures = listing.partialFailures;
    }
    const { page, inventory } = await withRls(ctx.deps.sql, ctx.claims, async (tx) => ({
      page: await selectResources(tx, id, { type, region, q, cursor: cursor ?? null, limit }),
      inventory: await selectInventory(tx, id),
    }));
    return json({
      data: page.resources,
      next_cursor: page.nextCursor,
      refreshed_at: inventory?.refreshed_at ?? null,
      partial_failures: partialFailures ?? inventory?.partial_failures ?? [],
    });
  });
}
