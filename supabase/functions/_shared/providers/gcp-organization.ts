// The projects under a Google Cloud organization or folder, nested folders included, with the fewest
// calls Resource Manager v3 allows: folders.search and projects.search, each paged to the end, return
// every folder and project the identity may see (resourcemanager.folders.get / projects.get, both in
// roles/browser); the tree is then walked here from `parent` down. Two listings whatever the depth,
// where folders.list + projects.list would take one listing per folder.
//
// A child is the parent's credential with another project_id: one service account (or federated
// identity) reads many projects.
import { requestJson, UpstreamError, providerFailure } from "../net/http.ts";
import { safeFetch } from "../net/outbound.ts";
import { isGcpWorkloadIdentity, type GcpCredentials } from "../schemas/providers.ts";
import type { GcpWorkloadIdentityCredentials } from "../schemas/providers/gcp-workload-identity.ts";
import type { AccountDiscovery, DiscoveredAccount, ScopeOf } from "./discovery.ts";
import { forgetGcpAccessToken, gcpAccessToken } from "./gcp-token.ts";
import type { GcpAdapterOptions } from "./gcp.ts";
import type { AdapterContext } from "./types.ts";

export const RESOURCE_MANAGER_ENDPOINT = "https://cloudresourcemanager.googleapis.com";
/** Resource Manager reads need more than Compute's scope; read-only is enough. */
export const RESOURCE_MANAGER_SCOPE = "https://www.googleapis.com/auth/cloud-platform.read-only";
const MAX_PAGES = 1000;
const PARENT = /^(organizations|folders)\/\d{1,32}$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

type Project = { name?: unknown; projectId?: unknown; parent?: unknown; state?: unknown; displayName?: unknown };
type Folder = { name?: unknown; parent?: unknown; state?: unknown; displayName?: unknown };

const BROWSER_HINT = (parent: string) =>
  `Grant the identity roles/browser (resourcemanager.folders.get and resourcemanager.projects.get, which search needs) on ${parent}, and enable the Cloud Resource Manager API in the project the identity belongs to.`;

const text = (value: unknown) => (typeof value === "string" && value.length > 0 && value.length <= 256 ? value : null);

/** One project as discovery shows it; only named fields are read. */
export function discoveredProject(project: Project): DiscoveredAccount | null {
  const id = text(project.projectId);
  if (!id) return null;
  const state = text(project.state);
  const details: Record<string, string> = {};
  if (state) details.state = state;
  const parent = text(project.parent);
  if (parent) details.parent = parent;
  const number = text(project.name)?.replace(/^projects\//, "");
  if (number) details.project_number = number;
  return {
    account: id,
    name: text(project.displayName) ?? id,
    unavailable:
      state === "ACTIVE"
        ? null
        : state === "DELETE_REQUESTED"
          ? { code: "project_delete_requested", message: "The project is scheduled for deletion (it can be restored within 30 days)." }
          : { code: "project_state_unknown", message: `The project's state is ${state ?? "unknown"}, not ACTIVE.` },
    details,
  };
}

/**
 * The projects under `root`, however deep: folders are followed from the root down (deleted folders'
 * projects stay out). `visible`: the identity sees anything of `root` at all (search returns only what
 * it may get, so missing roles show as an empty answer, not as a refusal).
 */
export function projectsUnder(root: string, folders: Folder[], projects: Project[]): { projects: Project[]; visible: boolean } {
  const children = new Map<string, string[]>();
  for (const folder of folders) {
    const name = text(folder.name);
    const parent = text(folder.parent);
    if (!name || !parent || folder.state === "DELETE_REQUESTED") continue;
    children.set(parent, [...(children.get(parent) ?? []), name]);
  }
  const inside = new Set<string>([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (!inside.has(child)) {
        inside.add(child);
        queue.push(child);
      }
    }
  }
  const under = projects.filter((project) => inside.has(text(project.parent) ?? ""));
  return { projects: under, visible: under.length > 0 || inside.size > 1 || folders.some((folder) => folder.name === root) };
}

export function createGcpOrganizationDiscovery(options: GcpAdapterOptions = {}): AccountDiscovery<"gcp"> {
  async function discoverAccounts(
    credentials: GcpCredentials | GcpWorkloadIdentityCredentials,
    scope: ScopeOf<"gcp">,
    context: AdapterContext,
  ) {
    if (!PARENT.test(scope.parent)) {
      throw new UpstreamError(
        providerFailure(
          "invalid_parent",
          `"${scope.parent}" is neither organizations/<number> nor folders/<number>.`,
          "Give the organization's or folder's numeric ID, e.g. organizations/123456789012.",
          422,
        ),
      );
    }
    const base = (context.apiEndpoint ?? RESOURCE_MANAGER_ENDPOINT).replace(/\/+$/, "");
    const list = async (get: <B>(url: string) => Promise<B>) => {
      const all = async <T>(path: string, field: string): Promise<T[]> => {
        const items: T[] = [];
        let pageToken: string | null = null;
        for (let page = 0; page < MAX_PAGES; page++) {
          const url = new URL(`${base}${path}`);
          if (pageToken) url.searchParams.set("pageToken", pageToken);
          const body = await get<Record<string, unknown>>(url.toString());
          const found = body?.[field];
          if (Array.isArray(found)) items.push(...(found as T[]));
          pageToken = text(body?.nextPageToken);
          if (!pageToken) return items;
        }
        throw new UpstreamError({ code: "too_many_pages", message: `${path} returned more than ${MAX_PAGES} pages.`, status: 502 });
      };
      const [folders, projects] = await Promise.all([
        all<Folder>("/v3/folders:search", "folders"),
        all<Project>("/v3/projects:search", "projects"),
      ]);
      const found = projectsUnder(scope.parent, folders, projects);
      if (!found.visible) {
        throw new UpstreamError(
          providerFailure(
            "organization_not_visible",
            `The identity sees no folder or project under ${scope.parent}: it has no role there, or ${scope.parent} does not exist.`,
            BROWSER_HINT(scope.parent),
            403,
          ),
        );
      }
      const accounts = found.projects.map(discoveredProject).filter((a): a is DiscoveredAccount => a !== null);
      return { accounts };
    };
    const secrets: string[] = [];
    const scrub = (message: string) => secrets.reduce((m, s) => (s ? m.split(s).join("[redacted]") : m), message);
    try {
      if (isGcpWorkloadIdentity(credentials)) {
        const { withWorkloadIdentity } = await import("./gcp-workload-identity.ts");
        return await withWorkloadIdentity(credentials, context, options, RESOURCE_MANAGER_SCOPE, (get, used) => {
          secrets.push(...used);
          return list(get);
        });
      }
      const key = credentials as GcpCredentials;
      secrets.push(key.private_key, key.private_key.replace(/\n/g, "\\n"));
      const fetch = safeFetch(context.outbound, { ca: options.ca });
      const request = {
        timeoutMs: context.timeoutMs ?? 10_000,
        signal: context.signal,
        retries: options.retries,
        backoffBaseMs: options.backoffBaseMs,
      };
      const withToken = async () => {
        const token = await gcpAccessToken(key, { fetch, request }, RESOURCE_MANAGER_SCOPE);
        secrets.push(token);
        return list(
          async <B>(url: string) => (await requestJson<B>(fetch, url, { headers: { authorization: `Bearer ${token}` } }, request)).body,
        );
      };
      // A cached token revoked before it expired: forgotten, and the listing starts over once with a new one.
      return await withToken().catch(async (error: unknown) => {
        if (!(error instanceof UpstreamError && error.upstreamStatus === 401)) throw error;
        await forgetGcpAccessToken(key, RESOURCE_MANAGER_SCOPE);
        return withToken();
      });
    } catch (error) {
      if (
        error instanceof UpstreamError &&
        error.code !== "organization_not_visible" &&
        (error.upstreamStatus === 403 || error.status === 403)
      ) {
        throw new UpstreamError(
          providerFailure(
            "resource_manager_forbidden",
            `Resource Manager refused to list the folders and projects under ${scope.parent}. ${scrub(error.message)}`,
            BROWSER_HINT(scope.parent),
            403,
          ),
        );
      }
      if (error instanceof UpstreamError) throw new UpstreamError({ ...error.toFailure(), message: scrub(error.message) });
      throw error;
    }
  }

  function childCredentials<C extends GcpCredentials | GcpWorkloadIdentityCredentials>(
    parent: C,
    _scope: ScopeOf<"gcp">,
    account: DiscoveredAccount,
  ): C {
    if (!PROJECT_ID.test(account.account)) {
      throw new UpstreamError(
        providerFailure(
          "invalid_account",
          `"${account.account}" is not a Google Cloud project ID.`,
          "Discover the organization's projects again.",
          422,
        ),
      );
    }
    return { ...parent, project_id: account.account };
  }

  return { kind: "gcp", discoverAccounts, childCredentials } as AccountDiscovery<"gcp">;
}

export const gcpOrganizationDiscovery = createGcpOrganizationDiscovery();
