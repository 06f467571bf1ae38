// GET /resources: the organization-wide inventory, every stored resource across the
// organization's providers, read as the caller under RLS through the same domain module as
// the portal's /orgs/<slug>/inventory page. Keyset pages in name order, like
// GET /providers/{id}/resources; counts (total, by cloud, type and provider, list price) on request.
import { z } from "zod";
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
import { MAX_LIMIT, queryBoolean, queryEnum, queryInteger, queryText } from "../../_shared/schemas/query.ts";
import { resolveOrganization, type RequestContext } from "../context.ts";
import { apiQuery } from "../query.ts";
import type { Router } from "../router.ts";

/** GET /resources' parameters; anything malformed is a 422 naming the parameter. */
export const inventoryQuerySchema = z.object({
  q: queryText(),
  provider_type: queryEnum(PROVIDER_TYPES),
  provider_id: queryText().refine((id) => id === undefined || isUuid(id), { message: "must be a provider's id (a UUID)" }),
  type: queryText(),
  region: queryText(),
  status: queryText(),
  environment: queryEnum(ENVIRONMENTS),
  tag: z
    .array(z.string())
    .max(MAX_TAG_FILTERS, { message: `may be given at most ${MAX_TAG_FILTERS} times` })
    .refine((tags) => tags.every((tag) => parseTagFilter(tag) !== null), { message: "must be key:value or key" })
    .default([]),
  include_vanished: queryBoolean(),
  limit: queryInteger({ min: 1, max: MAX_LIMIT, fallback: 50 }),
  cursor: queryText(2048).refine((cursor) => cursor === undefined || decodeInventoryCursor(cursor) !== null, { message: "is not one this API gave out" }),
  counts: queryBoolean(),
});

/** The parsed query as inventory filters. */
export function inventoryFiltersOf(query: z.infer<typeof inventoryQuerySchema>): InventoryFilters {
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
    const query = apiQuery(inventoryQuerySchema, ctx.url);
    const page = await readWithRls(ctx.deps.sql, ctx.claims, (tx) =>
      selectInventoryResources(tx, org.id, inventoryFiltersOf(query), { cursor: query.cursor ?? null, limit: query.limit, counts: query.counts }),
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
      parameters: [
        {
          name: "org",
          in: "query",
          required: false,
          description: "The organization's slug. Required with a user's access token; an API token implies its own organization.",
          schema: { type: "string" },
        },
        {
          name: "q",
          in: "query",
          schema: { type: "string", maxLength: 200 },
          description: "Substring of the name, id or an IP address (case-insensitive).",
        },
        { name: "provider_type", in: "query", schema: { enum: PROVIDER_TYPES }, description: "The cloud." },
        { name: "provider_id", in: "query", schema: { type: "string", format: "uuid" } },
        { name: "type", in: "query", schema: { type: "string" }, examples: { instance: { value: "instance" } } },
        { name: "region", in: "query", schema: { type: "string" } },
        { name: "status", in: "query", schema: { type: "string" }, examples: { running: { value: "running" } } },
        { name: "environment", in: "query", schema: { enum: ENVIRONMENTS }, description: "The provider's environment." },
        {
          name: "tag",
          in: "query",
          style: "form",
          explode: true,
          schema: { type: "array", maxItems: MAX_TAG_FILTERS, items: { type: "string" } },
          description: "`key:value` (the tag has that value) or `key` (the tag is present); repeat to require several.",
        },
        { name: "include_vanished", in: "query", schema: { type: "boolean", default: false } },
        { name: "cursor", in: "query", schema: { type: "string" }, description: "next_cursor of the previous page." },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        { name: "counts", in: "query", schema: { type: "boolean", default: false }, description: "Add `counts` to the answer." },
      ],
      responses: {
        "200": {
          description: "A page of resources, next_cursor (null on the last page) and, with counts=true, the counts",
          content: { "application/json": { schema: { $ref: "#/components/schemas/InventoryPage" } } },
        },
        "400": { description: "No ?org= with a user's access token" },
        "401": { description: "Missing, invalid or expired access token; or an API token that is revoked or expired" },
        "403": { description: "The API token lacks resources:read, or names another organization" },
        "404": { description: "The organization is not found or you are not a member" },
        "422": { description: "A filter, cursor or limit is not valid; details.fields names it" },
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
