// AWS-only routes of a provider: the role a customer deploys so Cloudkeep can assume it
// (CloudFormation, quick-create link, Terraform, policies, external ID), and the account's change
// timeline from CloudTrail (stored; refresh=true imports live first).
import { withRls } from "../../_shared/db.ts";
import {
  decodeEventCursor,
  requireActivityReader,
  selectEventImport,
  selectEvents,
  type StoredEventFilters,
} from "../../_shared/domain/event-queries.ts";
import { importProviderEvents, type EventImport } from "../../_shared/domain/provider-events.ts";
import { selectProvider } from "../../_shared/domain/provider-queries.ts";
import { ApiError, json } from "../../_shared/http.ts";
import { awsRoleSettings, awsRoleSetup } from "../../_shared/providers/aws-role-templates.ts";
import { regionsSchema } from "../../_shared/schemas/providers.ts";
import { domainCall, vaultOf, type RequestContext } from "../context.ts";
import { MAX_LIMIT, queryBoolean, queryInteger, queryObject, queryText } from "../../_shared/schemas/query.ts";
import { described, errors, idParam } from "../openapi-parts.ts";
import { apiQuery } from "../query.ts";
import type { Router } from "../router.ts";

/** The provider, visible to the caller and of kind AWS; anything else is not found here. */
async function awsProvider(ctx: RequestContext, id: string) {
  const provider = await withRls(ctx.deps.sql, ctx.claims, (tx) => selectProvider(tx, id));
  if (!provider) throw new ApiError(404, "not_found", "Provider not found.");
  if (provider.provider_type !== "aws")
    throw new ApiError(404, "not_found", `"${provider.name}" is not an AWS provider; this exists for AWS providers only.`);
  return provider;
}

const awsRegion = regionsSchema("aws");

/** GET /providers/{id}/events: filters of the stored timeline, keyset pages, refresh=true imports first. */
const eventsQuery = queryObject({
  region: queryText({
    check: { test: (region) => awsRegion.safeParse(region).data?.length === 1, message: "must be one AWS region code like us-east-1" },
  }),
  user: queryText(),
  event_name: queryText(),
  resource: queryText({ description: "A resource name or id, e.g. i-0abc… or a bucket name." }),
  cursor: queryText({
    max: 2048,
    check: { test: (cursor) => decodeEventCursor(cursor) !== null, message: "is not one this API gave out" },
  }),
  limit: queryInteger({ min: 1, max: MAX_LIMIT, fallback: 50 }),
  refresh: queryBoolean(false, "Import from CloudTrail first (members and above)."),
});

function eventFilters(query: ReturnType<typeof apiQuery<typeof eventsQuery.fields>>): StoredEventFilters {
  const { region, user, event_name: eventName, resource, cursor, limit } = query;
  return { region, user, eventName, resource, cursor: cursor ?? null, limit };
}

export function awsRoutes(router: Router<RequestContext>) {
  router.on("GET", "/providers/:id/aws/cloudformation", async (ctx, { id }) => {
    const provider = await awsProvider(ctx, id);
    const settings = awsRoleSettings();
    if (!settings.principalArn)
      throw new ApiError(503, "not_configured", settings.principalProblem ?? "Cloudkeep's AWS principal is not configured.");
    if (!provider.external_id) throw new ApiError(409, "conflict", `"${provider.name}" has no external ID.`);
    return json({
      data: awsRoleSetup({ ...provider, external_id: provider.external_id }, { ...settings, principalArn: settings.principalArn }),
    });
  });

  router.on("GET", "/providers/:id/events", async (ctx, { id }) => {
    await awsProvider(ctx, id);
    const query = apiQuery(eventsQuery, ctx.url);
    const filters = eventFilters(query);
    let imported: EventImport | undefined;
    if (query.refresh) {
      imported = await domainCall(() => importProviderEvents(vaultOf(ctx), id));
    }
    const { page, state } = await domainCall(() =>
      withRls(ctx.deps.sql, ctx.claims, async (tx) => {
        await requireActivityReader(tx, id);
        return { page: await selectEvents(tx, id, filters), state: await selectEventImport(tx, id) };
      }),
    );
    return json({
      data: page.events,
      next_cursor: page.nextCursor,
      imported_at: state?.imported_at ?? null,
      partial_failures: imported?.partialFailures ?? state?.partial_failures ?? [],
      ...(imported
        ? { import: { added: imported.added, fetched: imported.fetched, regions: imported.regions, truncated: imported.truncated } }
        : {}),
    });
  });
}

/** These routes in the OpenAPI document (spread into its `paths`). */
export const awsOpenApiPaths = {
  "/providers/{id}/aws/cloudformation": {
    get: {
      summary: "What to deploy so Cloudkeep can assume a role in the AWS account: CloudFormation, quick-create link, Terraform, policies",
      description:
        "The template creates the role named by the provider's role ARN (CloudkeepReadOnly when it has none yet), trusting only Cloudkeep's principal and only with the provider's external_id, " +
        "with read-only permissions for exactly the actions Cloudkeep calls. quick_create_url is null unless the operator published the generic template (CLOUDKEEP_AWS_TEMPLATE_URL); " +
        "then upload cloudformation.template_json on create_stack_url. 503 not_configured when CLOUDKEEP_AWS_PRINCIPAL_ARN is not set.",
      parameters: [idParam],
      responses: {
        "200": {
          description:
            "external_id, principal_arn, role_name, role_path, role_arn, cloudformation {template, template_json, stack_name, quick_create_url, create_stack_url}, terraform, policies {trust, permissions}, actions",
        },
        ...errors(401),
        ...described({ 404: "Not found, not visible to you, or not an AWS provider", 503: "Cloudkeep's AWS principal is not configured" }),
      },
    },
  },
  "/providers/{id}/events": {
    get: {
      summary: "The AWS account's changes (CloudTrail management events that are not reads), newest first; members and above",
      description:
        "Stored events, imported on a schedule; refresh=true imports from CloudTrail first (members and above). CloudTrail shows an event about ten minutes after it happens. " +
        "user, event_name and resource match case-insensitively anywhere in the value; region matches exactly.",
      parameters: [idParam, ...eventsQuery.parameters],
      responses: {
        "200": {
          description:
            "data: [{event_id, event_name, event_source, username, event_time, region, read_only, resources [{type, name}], console_url}], next_cursor, imported_at, partial_failures, import (with refresh)",
        },
        ...errors(401),
        ...described({
          403: "Viewers cannot see account activity",
          404: "Not found, not visible to you, or not an AWS provider",
          422: "A filter, cursor or limit is not valid; details.fields names it",
          502: "refresh=true and CloudTrail failed in every region; details.provider_error says why",
        }),
      },
    },
  },
};
