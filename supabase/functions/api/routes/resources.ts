// GET /resources: the organization-wide inventory, every stored resource across the
// organization's providers, read as the caller under RLS through the same domain module as
// the portal's /orgs/<slug>/inventory page. Keyset pages in name order, like
// GET /providers/{id}/resources; counts (total, by cloud, type and provider, list price) on request.
import { readWithRls } from "../../_shared/db.ts";
import {
  decodeInventoryCursor,
  isUuid,
  MAX_TAG_FILTERS,
  parseTagFilter,
  selectInventoryResources,
  type InventoryCounts,
  type InventoryFilters,
} from "../../_shared/domain/inventory-queries.ts";
import { json } from "../../_shared/http.ts";
import { ENVIRONMENTS, PROVIDER_TYPES } from "../../_shared/schemas/providers.ts";
import { MAX_LIMIT, queryBoolean, queryEnum, queryInteger, queryList, queryObject, queryText } from "../../_shared/schemas/query.ts";
import { resolveOrganization, type RequestContext } from "../context.ts";
import { described, errors, jsonContent, orgParam } from "../openapi-parts.ts";
import { apiQuery } from "../query.ts";
import type { Router } from "../router.ts";

/** GET /resources' parameters; anything malformed is a 422 naming the parameter. */
export const inventoryQuery = queryObject({
  q: queryText({ description: "Substring of the name, id or an IP address (case-insensitive)." }),
  provider_type: queryEnum(PROVIDER_TYPES, "The cloud."),
  provider_id: queryText({ check: { test: isUuid, message: "must be a provider's id (a UUID)", format: "uuid" } }),
  type: queryText({ description: "e.g. instance, bucket." }),
  region: queryText(),
  status: queryText({ description: "e.g. running, stopped." }),
  environment: queryEnum(ENVIRONMENTS, "The provider's environment."),
  tag: queryList({
    max: MAX_TAG_FILTERS,
    check: { test: (tag) => parseTagFilter(tag) !== null, message: "must be key:value or key" },
    description: "`key:value` (the tag has that value) or `key` (the tag is present); repeat to require several.",
  }),
  include_vanished: queryBoolean(false, "Include resources the last refresh no longer found."),
  limit: queryInteger({ min: 1, max: MAX_LIMIT, fallback: 50 }),
  cursor: queryText({
    max: 2048,
    check: { test: (cursor) => decodeInventoryCursor(cursor) !== null, message: "is not one this API gave out" },
    description: "next_cursor of the previous page.",
  }),
  counts: queryBoolean(false, "Add `counts` to the answer."),
});

/** The parsed query as inventory filters. */
export function inventoryFiltersOf(query: ReturnType<typeof apiQuery<typeof inventoryQuery.fields>>): InventoryFilters {
  return {
    q: query.q,
    cloud: query.provider_type,
    providerId: query.provider_id,
    type: query.type,
    region: query.region,
    status: query.status,
    environment: query.environment,
    tags: query.tag.map((tag) => parseTagFilter(tag)!),
    includeVanished: query.include_vanished,
  };
}

function presentCounts(counts: InventoryCounts) {
  return {
    total: counts.total,
    by_cloud: Object.fromEntries(counts.byCloud.map((c) => [c.cloud, c.resources])),
    by_type: Object.fromEntries(counts.byType.map((t) => [t.type, t.resources])),
    by_provider: Object.fromEntries(counts.byProvider.map((p) => [p.provider_id, p.resources])),
    list_price_monthly_usd: {
      total: counts.listPrice.monthly,
      priced_resources: counts.listPrice.priced,
      unpriced_resources: counts.listPrice.unpriced,
      by_provider: Object.fromEntries(counts.listPrice.byProvider.map((p) => [p.provider_id, p.monthly])),
    },
  };
}

export function resourceRoutes(router: Router<RequestContext>) {
  router.on("GET", "/resources", async (ctx) => {
    const org = await resolveOrganization(ctx);
    const query = apiQuery(inventoryQuery, ctx.url);
    const page = await readWithRls(ctx.deps.sql, ctx.claims, (tx) =>
      selectInventoryResources(tx, org.id, inventoryFiltersOf(query), {
        cursor: query.cursor ?? null,
        limit: query.limit,
        counts: query.counts,
      }),
    );
    return json({
      data: page.resources,
      next_cursor: page.nextCursor,
      ...(page.counts ? { counts: presentCounts(page.counts) } : {}),
    });
  });
}

/** The route's OpenAPI description, merged into ../openapi.ts like the AWS routes'. */
export const resourcesOpenApiPaths = {
  "/resources": {
    get: {
      summary: "Every stored resource across the organization's providers: search, filter, keyset pages, counts",
      description:
        "Reads the stored inventory (never calls a cloud) under the caller's row-level security, in name order. " +
        "Vanished resources are left out unless `include_vanished=true`. With `counts=true` the answer adds the total, " +
        "counts by cloud, type and provider, and the estimated monthly **list price** (DigitalOcean, Linode and Vultr sizes " +
        "with a published monthly price; before discounts, backups, transfer or taxes).\n\n" +
        '```sh\ncurl -H "Authorization: Bearer $CLOUDKEEP_TOKEN" "$CLOUDKEEP_API/resources?provider_type=aws&type=instance&tag=env:prod&counts=true"\n```',
      parameters: [orgParam, ...inventoryQuery.parameters],
      responses: {
        "200": {
          description: "A page of resources, next_cursor (null on the last page) and, with counts=true, the counts",
          content: jsonContent({ $ref: "#/components/schemas/InventoryPage" }),
        },
        ...errors(401),
        ...described({
          400: "No ?org= with a user's access token",
          403: "The API token lacks resources:read, or names another organization",
          404: "The organization is not found or you are not a member",
          422: "A filter, cursor or limit is not valid; details.fields names it",
        }),
      },
    },
  },
};

export const inventoryOpenApiSchemas = {
  InventoryResource: {
    type: "object",
    properties: {
      provider_id: { type: "string", format: "uuid" },
      provider_name: { type: "string" },
      provider_type: { enum: PROVIDER_TYPES },
      resource_id: { type: "string" },
      name: { type: "string" },
      type: { type: "string" },
      region: { type: ["string", "null"] },
      zone: { type: ["string", "null"] },
      status: { type: "string" },
      raw_status: { type: ["string", "null"] },
      size: { type: ["string", "null"] },
      list_price_monthly: { type: ["number", "null"], description: "Estimated USD per month at list price; null when unknown." },
      public_ips: { type: "array", items: { type: "string" } },
      private_ips: { type: "array", items: { type: "string" } },
      tags: { type: "object", additionalProperties: { type: "string" } },
      launched_at: { type: ["string", "null"], format: "date-time" },
      console_url: { type: ["string", "null"] },
      first_seen_at: { type: "string", format: "date-time" },
      last_seen_at: { type: "string", format: "date-time" },
      vanished_at: { type: ["string", "null"], format: "date-time" },
    },
  },
  InventoryPage: {
    type: "object",
    required: ["data", "next_cursor"],
    properties: {
      data: { type: "array", items: { $ref: "#/components/schemas/InventoryResource" } },
      next_cursor: { type: ["string", "null"] },
      counts: {
        type: "object",
        properties: {
          total: { type: "integer" },
          by_cloud: { type: "object", additionalProperties: { type: "integer" } },
          by_type: { type: "object", additionalProperties: { type: "integer" } },
          by_provider: { type: "object", additionalProperties: { type: "integer" } },
          list_price_monthly_usd: {
            type: "object",
            properties: {
              total: { type: "number" },
              priced_resources: { type: "integer" },
              unpriced_resources: { type: "integer" },
              by_provider: { type: "object", additionalProperties: { type: "number" } },
            },
          },
        },
      },
    },
  },
};
