// A tenant's subscriptions and management groups for the Azure fake (tests/fakes/azure.ts), called
// once its bearer token and api-version checks passed: Subscriptions - List (GET /subscriptions,
// 2022-12-01 shapes, nextLink pages of `switches.maxPageSize`) and Management Groups - Get Descendants
// (GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants, 2020-05-01: every group
// and subscription below the group, however deep, nextLink pages with $skiptoken).
import { group, type Fake, type FakeRequest, type FakeResponse } from "./server.ts";

export type FakeTenantSubscription = {
  id: string;
  name: string;
  state: "Enabled" | "Warned" | "PastDue" | "Disabled" | "Deleted";
  /** The management group it sits in (the tenant root group when absent). */
  group?: string;
  /** The principal has a role on it (Subscriptions - List shows it); default true. */
  readable?: boolean;
  tenantId?: string;
};

export type FakeTenant = {
  tenantId: string;
  rootGroup: string;
  /** Management groups by ID, each with its parent's ID (the root group has none). */
  groups: Record<string, string | null>;
  subscriptions: FakeTenantSubscription[];
  /** Groups whose descendants the principal may not read (403 AuthorizationFailed). */
  forbiddenGroups: string[];
};

/** Where a test puts the tenant: `(fake as TenantHost).tenant = …`. */
export type TenantHost = Fake & { tenant?: FakeTenant | null };

const armError = (status: number, code: string, message: string): FakeResponse => ({ status, body: { error: { code, message } } });

function page<T>(items: T[], request: FakeRequest, fake: Fake, apiVersion: string): { value: T[]; next: string | null } {
  const skip = Number(request.url.searchParams.get("$skiptoken") ?? "0");
  const start = Number.isInteger(skip) && skip >= 0 ? skip : 0;
  const end = Math.min(start + fake.switches.maxPageSize, items.length);
  const next = new URL(`${fake.url}${request.path}`);
  next.searchParams.set("api-version", apiVersion);
  next.searchParams.set("$skiptoken", String(end));
  return { value: items.slice(start, end), next: end < items.length ? next.href : null };
}

/**
 * An answer for a tenant-level ARM request, or null when the path is not one of these. The tenant's
 * other subscriptions answer too (`served` is the one the Azure fake fills): Subscriptions - Get with
 * their state, and every list under them empty (an account with nothing in it yet); one the principal
 * has no role on answers 403 AuthorizationFailed, as ARM does.
 */
export function answerTenant(request: FakeRequest, fake: Fake, apiVersion: string, clientId: string, served?: string): FakeResponse | null {
  const tenant = (fake as TenantHost).tenant;
  if (!tenant || request.method !== "GET") return null;
  const under = /^\/subscriptions\/([^/]+)(\/.*)?$/.exec(request.path);
  const other =
    under && decodeURIComponent(group(under, 1)) !== served
      ? tenant.subscriptions.find((s) => s.id === decodeURIComponent(group(under, 1)))
      : undefined;
  if (other) {
    if (other.readable === false) {
      return armError(
        403,
        "AuthorizationFailed",
        `The client '${clientId}' with object id '${clientId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/${other.id}' or the scope is invalid.`,
      );
    }
    if (!under![2]) {
      return {
        body: {
          id: `/subscriptions/${other.id}`,
          authorizationSource: "RoleBased",
          managedByTenants: [],
          subscriptionId: other.id,
          tenantId: other.tenantId ?? tenant.tenantId,
          displayName: other.name,
          state: other.state,
          subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
        },
      };
    }
    return { body: { value: [] } };
  }
  if (request.path === "/subscriptions") {
    const listed = tenant.subscriptions.filter((s) => s.readable !== false);
    const { value, next } = page(listed, request, fake, apiVersion);
    return {
      body: {
        value: value.map((s) => ({
          id: `/subscriptions/${s.id}`,
          authorizationSource: "RoleBased",
          managedByTenants: [],
          subscriptionId: s.id,
          tenantId: s.tenantId ?? tenant.tenantId,
          displayName: s.name,
          state: s.state,
          subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
        })),
        // The 2022-12-01 definition requires value; nextLink only where another page follows.
        ...(next ? { nextLink: next } : {}),
      },
    };
  }
  const descendants = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)\/descendants$/.exec(request.path);
  if (!descendants) return null;
  const groupId = decodeURIComponent(group(descendants, 1));
  if (!(groupId in tenant.groups)) {
    // ARM does not say whether a group exists to a principal that cannot read it.
    return armError(
      403,
      "AuthorizationFailed",
      `The client '${clientId}' does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '/providers/Microsoft.Management/managementGroups/${groupId}' or the scope is invalid.`,
    );
  }
  if (tenant.forbiddenGroups.includes(groupId)) {
    return armError(
      403,
      "AuthorizationFailed",
      `The client '${clientId}' does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '/providers/Microsoft.Management/managementGroups/${groupId}'.`,
    );
  }
  const groupPath = (id: string) => `/providers/Microsoft.Management/managementGroups/${id}`;
  const below = new Set([groupId]);
  const items: unknown[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, parent] of Object.entries(tenant.groups)) {
      if (parent && below.has(parent) && !below.has(id)) {
        below.add(id);
        items.push({
          id: groupPath(id),
          type: "Microsoft.Management/managementGroups",
          name: id,
          properties: { displayName: id, parent: { id: groupPath(parent) } },
        });
        grew = true;
      }
    }
  }
  for (const s of tenant.subscriptions) {
    const group = s.group ?? tenant.rootGroup;
    if (below.has(group)) {
      items.push({
        id: `/subscriptions/${s.id}`,
        type: "Microsoft.Management/managementGroups/subscriptions",
        name: s.id,
        properties: { displayName: s.name, parent: { id: groupPath(group) } },
      });
    }
  }
  const { value, next } = page(items, request, fake, apiVersion);
  return { body: next ? { value, nextLink: next } : { value } };
}
