// Whole cloud organizations: what a parent provider discovered (every account, connected or why not),
// discovery on demand, and an admin's choice to exclude an account or let discovery try it again.
import {
  discoverOrganizationAccounts,
  readDiscovery,
  setAccountExcluded,
  setOrganizationScope,
} from "../../_shared/domain/cloud-organizations.ts";
import { SCOPE_PATTERNS } from "../../_shared/domain/organization-scope.ts";
import { ApiError, json } from "../../_shared/http.ts";
import { domainCall, readJson, vaultOf, type RequestContext } from "../context.ts";
import type { Router } from "../router.ts";
import { visibleProvider } from "./providers.ts";

const live = vaultOf;

type Discovery = Awaited<ReturnType<typeof readDiscovery>>;

function present(row: Discovery["accounts"][number]) {
  const { reason_code: code, reason_message: message, reason_hint: hint, ...rest } = row;
  return { ...rest, reason: code ? { code, message, hint } : null };
}

function presentRun(run: Discovery["run"]) {
  if (!run) return null;
  const { error_code: code, error_message: message, error_hint: hint, ...rest } = run;
  return { ...rest, error: code ? { code, message, hint } : null };
}

export function organizationRoutes(router: Router<RequestContext>) {
  router.on("GET", "/providers/:id/accounts", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const { accounts, run } = await domainCall(() => readDiscovery(live(ctx), id));
    return json({ data: accounts.map(present), last_discovery: presentRun(run) });
  });

  router.on("POST", "/providers/:id/discover", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const outcome = await domainCall(() => discoverOrganizationAccounts(live(ctx), id));
    return json({ data: outcome });
  });

  router.on("PUT", "/providers/:id/organization-scope", async (ctx, { id }) => {
    await visibleProvider(ctx, id);
    const body = await readJson(ctx.request);
    if (!body || typeof body !== "object" || Array.isArray(body) || !("organization_scope" in body)) {
      throw new ApiError(422, "validation_failed", 'Send { "organization_scope": {…} }, or null to stop connecting the organization.', {
        fields: { organization_scope: ["required (an object, or null)"] },
      });
    }
    const updated = await domainCall(() =>
      setOrganizationScope(live(ctx), id, (body as { organization_scope: unknown }).organization_scope),
    );
    return json({ data: { ...updated, regions: updated.regions ?? [] } });
  });

  router.on("PATCH", "/providers/:id/accounts/:account", async (ctx, { id, account }) => {
    await visibleProvider(ctx, id);
    const body = await readJson(ctx.request);
    const excluded = (body as { excluded?: unknown } | null)?.excluded;
    if (typeof excluded !== "boolean") {
      throw new ApiError(422, "validation_failed", "excluded must be true or false.", { fields: { excluded: ["must be true or false"] } });
    }
    await domainCall(() => setAccountExcluded(live(ctx), id, decodeURIComponent(account), excluded));
    return new Response(null, { status: 204 });
  });
}

const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const scopeSchema = {
  description:
    "What the provider connects beside its own account. AWS: the role name the StackSet creates in every member account. Azure: a management group, or null for every subscription the principal can read. GCP: an organization or folder.",
  oneOf: [
    {
      type: "object",
      required: ["member_role_name"],
      properties: { member_role_name: { type: "string", pattern: SCOPE_PATTERNS.aws.source } },
    },
    { type: "object", properties: { management_group_id: { type: ["string", "null"], pattern: SCOPE_PATTERNS.azure.source } } },
    { type: "object", required: ["parent"], properties: { parent: { type: "string", pattern: SCOPE_PATTERNS.gcp.source } } },
  ],
};
const account = {
  type: "object",
  properties: {
    account: { type: "string", description: "AWS account id, Azure subscription id or GCP project id" },
    name: { type: "string" },
    state: { enum: ["connected", "unavailable", "failed", "excluded"] },
    child_provider_id: { type: ["string", "null"], format: "uuid" },
    reason: {
      type: ["object", "null"],
      description: "Why it is not connected, in the cloud's words, and what to do",
      properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: ["string", "null"] } },
    },
    details: { type: "object", additionalProperties: { type: "string" } },
    first_seen_at: { type: "string", format: "date-time" },
    last_seen_at: { type: "string", format: "date-time" },
    checked_at: { type: "string", format: "date-time" },
  },
};
const counts = Object.fromEntries(
  ["discovered", "added", "connected", "unavailable", "failed", "excluded"].map((n) => [n, { type: "integer" }]),
);
const lastDiscovery = {
  type: ["object", "null"],
  description: "The provider's last discovery (null before its first): when, who ran it, and its counts or why it failed as a whole",
  properties: {
    trigger: { enum: ["manual", "scheduled"] },
    ran_at: { type: "string", format: "date-time" },
    ok: { type: "boolean" },
    error: {
      type: ["object", "null"],
      description: "Why the organization could not be listed (the cloud's words, and what to do); null when it could",
      properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: ["string", "null"] } },
    },
    counts: { type: "object", description: "On success", properties: counts },
  },
};
const problem = (description: string) => ({ description });

/** These routes in the OpenAPI document (spread into its `paths`). */
export const organizationOpenApiPaths = {
  "/providers/{id}/accounts": {
    get: {
      summary: "The accounts a whole-organization provider discovered: connected, or why not",
      parameters: [idParam],
      responses: {
        "200": {
          description: "Every discovered account, and how the last discovery went",
          content: {
            "application/json": {
              schema: { type: "object", properties: { data: { type: "array", items: account }, last_discovery: lastDiscovery } },
            },
          },
        },
        "401": problem("Missing, invalid or expired access token"),
        "404": problem("Not found or not visible to you"),
      },
    },
  },
  "/providers/{id}/discover": {
    post: {
      summary: "Discover the organization's accounts now and connect each one that passes a health check (admins)",
      description:
        "Lists the accounts in the provider's organization_scope; each new one gets a credential derived from the provider's and becomes a provider of its own once a health check passes. Accounts that cannot be connected are recorded with the cloud's reason. The scheduled sweep does the same after each run.",
      parameters: [idParam],
      responses: {
        "200": { description: "Counts: discovered, added, connected, unavailable, failed, excluded" },
        "401": problem("Missing, invalid or expired access token"),
        "403": problem("Not an admin of the provider's organization, or the token lacks the scope"),
        "404": problem("Not found or not visible to you"),
        "409": problem("The provider does not connect a whole organization, or is suspended"),
        "502": problem("The cloud refused or failed the listing (code and hint in the error)"),
        "504": problem("The cloud did not answer in time"),
      },
    },
  },
  "/providers/{id}/organization-scope": {
    put: {
      summary: "Connect the provider's whole organization, or stop (null); children already connected stay",
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["organization_scope"],
              properties: { organization_scope: { anyOf: [scopeSchema, { type: "null" }] } },
            },
          },
        },
      },
      responses: {
        "200": { description: "The updated provider" },
        "401": problem("Missing, invalid or expired access token"),
        "403": problem("Not an admin"),
        "404": problem("Not found or not visible to you"),
        "409": problem("The provider was itself discovered through another"),
        "422": problem("The scope is not valid for the provider's cloud (field errors)"),
      },
    },
  },
  "/providers/{id}/accounts/{account}": {
    patch: {
      summary: "Exclude a discovered account from discovery, or let the next discovery try it again (admins)",
      parameters: [idParam, { name: "account", in: "path", required: true, schema: { type: "string" } }],
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: { type: "object", required: ["excluded"], properties: { excluded: { type: "boolean" } } } },
        },
      },
      responses: {
        "204": problem("Done"),
        "401": problem("Missing, invalid or expired access token"),
        "403": problem("Not an admin"),
        "404": problem("Not found, or the account is connected (remove its provider to exclude it)"),
        "422": problem("excluded is not a boolean"),
      },
    },
  },
};
