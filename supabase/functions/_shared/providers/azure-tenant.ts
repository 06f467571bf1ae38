// The subscriptions behind an Azure principal: every subscription it can read in its tenant
// (Subscriptions - List), or those under one management group (Management Groups - Get Descendants,
// which also names subscriptions the principal cannot read, and says nothing of their state: those
// are joined with the list). Both go through the adapter's own call (azure-call.ts: the secret or the
// federated assertion, the outbound agents, retries, the ARM-only rule), and failures are described by
// the adapter's own words (azure.ts describeFailure).
//
// A child is the parent's credential with another subscription: one service principal reads many
// subscriptions, so nothing new is stored or trusted.
import type { Subscription } from "@azure/arm-resources-subscriptions";
import { UpstreamError, providerFailure } from "../net/http.ts";
import type { AzureCredentials } from "../schemas/providers.ts";
import { armList, ArmListError, startCall, type AzureAdapterOptions, type Call } from "./azure-call.ts";
import { describeFailure, USABLE_STATES } from "./azure.ts";
import type { AccountDiscovery, DiscoveredAccount, ScopeOf } from "./discovery.ts";
import type { AdapterContext } from "./types.ts";

export const MANAGEMENT_GROUPS_API_VERSION = "2020-05-01";
const MANAGEMENT_GROUP_ID = /^[\w().-]{1,90}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const UNAVAILABLE: Record<string, string> = {
  Disabled: "The subscription is disabled (expired, cancelled or over its spending limit): Azure allows nothing but reading its billing.",
  Deleted: "The subscription is deleted.",
};

/** One subscription as discovery shows it; Warned and PastDue still work (as for a single subscription), with their warning. */
export function discoveredSubscription(subscription: Pick<Subscription, "subscriptionId" | "displayName" | "state" | "tenantId">) {
  const id = subscription.subscriptionId ?? "";
  const state = subscription.state ? String(subscription.state) : null;
  const usable = state !== null && Object.hasOwn(USABLE_STATES, state);
  const details: Record<string, string> = {};
  if (state) details.state = state;
  if (subscription.tenantId) details.tenant = subscription.tenantId;
  if (usable && USABLE_STATES[state]) details.warning = USABLE_STATES[state];
  return {
    account: id,
    name: subscription.displayName || id,
    unavailable: usable
      ? null
      : {
          code: `subscription_${(state ?? "unknown").toLowerCase()}`,
          message: (state && UNAVAILABLE[state]) ?? `The subscription's state is ${state ?? "unknown"}, not Enabled.`,
        },
    details,
  } satisfies DiscoveredAccount;
}

type Descendant = { id?: unknown; type?: unknown; name?: unknown; properties?: { displayName?: unknown; parent?: { id?: unknown } } };

function descendantsFailure(groupId: string, error: ArmListError): UpstreamError {
  if (error.detail === "AuthorizationFailed" || error.detail === "HTTP 403") {
    return new UpstreamError(
      providerFailure(
        "management_group_forbidden",
        `The service principal may not read management group ${groupId} (Azure said ${error.detail}).`,
        `Assign it the Management Group Reader role (Microsoft.Management/managementGroups/descendants/read) on ${groupId}, and Reader there so that every subscription under it can be read.`,
        403,
      ),
    );
  }
  if (/NotFound|HTTP 404/.test(error.detail)) {
    return new UpstreamError(
      providerFailure(
        "management_group_not_found",
        `Azure knows no management group ${groupId} in this tenant.`,
        "Use the management group's ID (its name, not its display name), or leave it empty for every subscription in the tenant.",
        422,
      ),
    );
  }
  return new UpstreamError({
    code: "upstream_error",
    message: `Listing management group ${groupId} failed: ${error.detail}.`,
    hint: "Try again; if it keeps failing, check Azure's status page.",
    status: 502,
    retryable: true,
  });
}

async function listSubscriptions(call: Call, signal?: AbortSignal): Promise<Subscription[]> {
  const all: Subscription[] = [];
  for await (const subscription of call.subscriptions().subscriptions.list({ abortSignal: signal })) all.push(subscription);
  return all;
}

export function createAzureTenantDiscovery(options: AzureAdapterOptions = {}): AccountDiscovery<"azure"> {
  async function discoverAccounts(credentials: AzureCredentials, scope: ScopeOf<"azure">, context: AdapterContext) {
    const groupId = scope.management_group_id;
    if (groupId !== null && !MANAGEMENT_GROUP_ID.test(groupId)) {
      throw new UpstreamError(
        providerFailure(
          "invalid_management_group",
          `"${groupId}" is not a management group ID.`,
          "A management group ID has up to 90 letters, digits, hyphens, underscores, periods and parentheses.",
          422,
        ),
      );
    }
    let call: Call | null = null;
    try {
      call = await startCall(credentials, context, options);
      const active = call;
      const readable = await listSubscriptions(active, context.signal);
      // The token is the tenant's; a subscription another tenant manages (Lighthouse) is not this tenant's to connect.
      const own = readable.filter((s) => typeof s.subscriptionId === "string" && (!s.tenantId || s.tenantId === credentials.tenant_id));
      if (groupId === null) return { accounts: own.map(discoveredSubscription) };

      const path = `/providers/Microsoft.Management/managementGroups/${encodeURIComponent(groupId)}/descendants`;
      const descendants = (await armList(active.subscriptions(), active.cloud, path, MANAGEMENT_GROUPS_API_VERSION, context.signal).catch(
        (error: unknown) => {
          throw error instanceof ArmListError ? descendantsFailure(groupId, error) : error;
        },
      )) as Descendant[];
      const byId = new Map(own.map((s) => [s.subscriptionId!.toLowerCase(), s]));
      const accounts: DiscoveredAccount[] = [];
      for (const item of descendants) {
        if (typeof item?.type !== "string" || !item.type.toLowerCase().endsWith("/subscriptions")) continue;
        const id = typeof item.name === "string" && GUID.test(item.name) ? item.name : null;
        if (!id) continue;
        const parent = typeof item.properties?.parent?.id === "string" ? item.properties.parent.id.split("/").pop() : undefined;
        const displayName = typeof item.properties?.displayName === "string" ? item.properties.displayName : id;
        const known = byId.get(id.toLowerCase());
        const account: DiscoveredAccount = known
          ? discoveredSubscription(known)
          : {
              account: id,
              name: displayName,
              unavailable: {
                code: "subscription_not_readable",
                message: "The service principal cannot read this subscription: it has no role there (or on a management group above it).",
              },
              details: {},
            };
        if (parent) account.details = { ...account.details, management_group: parent };
        accounts.push(account);
      }
      return { accounts };
    } catch (error) {
      throw new UpstreamError(describeFailure(error, call, credentials, "list"));
    } finally {
      call?.close();
    }
  }

  function childCredentials(parent: AzureCredentials, _scope: ScopeOf<"azure">, account: DiscoveredAccount): AzureCredentials {
    if (!GUID.test(account.account)) {
      throw new UpstreamError(
        providerFailure(
          "invalid_account",
          `"${account.account}" is not an Azure subscription ID.`,
          "Discover the tenant's subscriptions again.",
          422,
        ),
      );
    }
    const { subscription_name: _name, ...rest } = parent;
    return {
      ...rest,
      subscription_id: account.account.toLowerCase(),
      ...(account.name ? { subscription_name: account.name.slice(0, 128) } : {}),
    };
  }

  return { kind: "azure", discoverAccounts, childCredentials };
}

export const azureTenantDiscovery = createAzureTenantDiscovery();
