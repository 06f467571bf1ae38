// Whole cloud organizations: what a parent provider discovered (every account, connected or why not),
// discovery on demand, and an admin's choice to exclude an account or let discovery try it again.
import {
  discoverOrganizationAccounts,
  readDiscovery,
  setAccountExcluded,
  setOrganizationScope,
} from "../../_shared/domain/cloud-organizations.ts";
import { accountExclusionBody, organizationScopeBody, organizationScopeDocument } from "../../_shared/domain/organization-scope.ts";
import { json } from "../../_shared/http.ts";
import { domainCall, readBody, vaultOf, type RequestContext } from "../context.ts";
import { described, errors, idParam, requestBody } from "../openapi-parts.ts";
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
    const body = await readBody(ctx.request, organizationScopeBody);
    const updated = await domainCall(() => setOrganizationScope(live(ctx), id, body.organization_scope));
    return json({ data: { ...updated, regions: updated.regions ?? [] } });
  });

  router.on("PATCH", "/providers/:id/accounts/:account", async (ctx, { id, account }) => {
    await visibleProvider(ctx, id);
    const { excluded } = await readBody(ctx.request, accountExclusionBody);
    await domainCall(() => setAccountExcluded(live(ctx), id, decodeURIComponent(account), excluded));
    return new Response(null, { status: 204 });
  });
}

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
        ...errors(401, 404),
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
        ...errors(401, 403, 404, 502, 504),
        ...described({ 409: "The provider does not connect a whole organization, or is suspended" }),
      },
    },
  },
  "/providers/{id}/organization-scope": {
    put: {
      summary: "Connect the provider's whole organization, or stop (null); children already connected stay",
      parameters: [idParam],
      requestBody: requestBody(organizationScopeDocument, { organization_scope: { member_role_name: "CloudkeepReadOnly" } }),
      responses: {
        "200": { description: "The updated provider" },
        ...errors(401, 403, 404, 413, 415),
        ...described({
          409: "The provider was itself discovered through another",
          422: "The scope is not valid for the provider's cloud; details.fields names each field",
        }),
      },
    },
  },
  "/providers/{id}/accounts/{account}": {
    patch: {
      summary: "Exclude a discovered account from discovery, or let the next discovery try it again (admins)",
      parameters: [idParam, { name: "account", in: "path", required: true, schema: { type: "string" } }],
      requestBody: requestBody(accountExclusionBody, { excluded: true }),
      responses: {
        "204": { description: "Done" },
        ...errors(401, 403, 413, 415, 422),
        ...described({ 404: "Not found, or the account is connected (remove its provider to exclude it)" }),
      },
    },
  },
};
