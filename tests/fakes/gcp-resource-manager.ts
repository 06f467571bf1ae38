// Cloud Resource Manager v3 for the Google Cloud fake (tests/fakes/gcp.ts), as a route: folders.search
// (GET /v3/folders:search) and projects.search (GET /v3/projects:search), each answering only what the
// caller may get (search never refuses for missing roles: it answers less), nextPageToken pages of
// `switches.maxPageSize`. Tokens are the fake's own; a token without a cloud-platform scope is refused
// as Google refuses it, and `apiDisabled` answers SERVICE_DISABLED.
import type { GcpFake } from "./gcp.ts";
import { bearerToken, type FakeRequest, type FakeResponse } from "./server.ts";

export type FakeFolder = { name: string; parent: string; displayName: string; state?: "ACTIVE" | "DELETE_REQUESTED" };
export type FakeProject = {
  projectId: string;
  number: string;
  parent: string;
  displayName: string;
  state?: "ACTIVE" | "DELETE_REQUESTED";
  /** Planted by tests: must never be read (labels can carry anything). */
  labels?: Record<string, string>;
};

export type ResourceManagerState = {
  folders: FakeFolder[];
  projects: FakeProject[];
  /** Token holders (client email, principal://…, impersonated email) with roles/browser on the organization; null: every caller. */
  browsers: string[] | null;
  /** The Cloud Resource Manager API is disabled in the caller's project. */
  apiDisabled: boolean;
};

const error = (code: number, message: string, status: string, details: unknown[] = []): FakeResponse => ({
  status: code,
  body: { error: { code, message, status, ...(details.length ? { details } : {}) } },
});

function page<T>(items: T[], request: FakeRequest, size: number): { items: T[]; next: string | null } {
  const token = request.url.searchParams.get("pageToken");
  const start = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  const asked = Number(request.url.searchParams.get("pageSize") ?? "0");
  const take = Math.min(size, asked > 0 ? asked : size);
  const end = Math.min((Number.isInteger(start) ? start : 0) + take, items.length);
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString("base64url") : null };
}

const iso = "2024-03-01T12:00:00.000Z";

export function enableGcpResourceManager(fake: GcpFake, initial: Partial<ResourceManagerState> = {}): ResourceManagerState {
  const state: ResourceManagerState = { folders: [], projects: [], browsers: null, apiDisabled: false, ...initial };
  fake.routes.push(async (request) => {
    if (request.path !== "/v3/folders:search" && request.path !== "/v3/projects:search") return null;
    if (request.method !== "GET") return error(405, "Method not allowed.", "INVALID_ARGUMENT");
    const grant = fake.grantOf(bearerToken(request) ?? "");
    if (!grant || grant.expires < Date.now()) {
      return error(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        "UNAUTHENTICATED",
      );
    }
    if (!/(^| )https:\/\/www\.googleapis\.com\/auth\/cloud-platform(\.read-only)?( |$)/.test(grant.scope)) {
      return error(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED", [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
          domain: "googleapis.com",
          metadata: { service: "cloudresourcemanager.googleapis.com", method: "Search" },
        },
      ]);
    }
    if (state.apiDisabled) {
      return error(
        403,
        "Cloud Resource Manager API has not been used in project 123456789012 before or it is disabled.",
        "PERMISSION_DENIED",
        [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "SERVICE_DISABLED",
            domain: "googleapis.com",
            metadata: { service: "cloudresourcemanager.googleapis.com" },
          },
        ],
      );
    }
    const sees = state.browsers === null || state.browsers.includes(grant.email);
    const size = fake.switches.maxPageSize;
    if (request.path === "/v3/folders:search") {
      const { items, next } = page(sees ? state.folders : [], request, size);
      return {
        body: {
          folders: items.map((f) => ({
            name: f.name,
            parent: f.parent,
            displayName: f.displayName,
            state: f.state ?? "ACTIVE",
            createTime: iso,
            updateTime: iso,
            etag: `W/"${f.name}"`,
          })),
          ...(next ? { nextPageToken: next } : {}),
        },
      };
    }
    const { items, next } = page(sees ? state.projects : [], request, size);
    return {
      body: {
        projects: items.map((p) => ({
          name: `projects/${p.number}`,
          parent: p.parent,
          projectId: p.projectId,
          state: p.state ?? "ACTIVE",
          displayName: p.displayName,
          createTime: iso,
          updateTime: iso,
          ...(p.state === "DELETE_REQUESTED" ? { deleteTime: iso } : {}),
          etag: `W/"${p.number}"`,
          labels: p.labels ?? {},
        })),
        ...(next ? { nextPageToken: next } : {}),
      },
    };
  });
  return state;
}
