// What DigitalOcean, Linode and Vultr adapters share: one bearer token, an identity call, paginated
// listings (one per resource type). Each kind supplies only its paths, its pagination step, its shapes
// and its hints.
import { safeFetch } from "../net/outbound.ts";
import { requestJson, toProviderFailure, UpstreamError, type FetchLike } from "../net/http.ts";
import { idOf, isRecord, MalformedShape, str } from "./json-fields.ts";
import type { TokenCredentials } from "../schemas/providers.ts";
import type { AdapterContext, ListResult, NormalizedResource, ProviderAdapter, ProviderIdentity, ResourceStatus } from "./types.ts";

export type TokenCloudKind = "digitalocean" | "linode" | "vultr";

/** One page of a listing: the items on it and the URL of the next page (null at the end). */
export type TokenCloudPage = { items: unknown[]; next: URL | null };

/** How one resource type is listed: where its pages start, how a page reads, how an item normalises. */
export type TokenCloudListing = {
  /** The first page of each listing of this type, each followed to its end (DigitalOcean lists GPU droplets apart). */
  firstPages(base: URL): URL[];
  /** The items of a page and where the next one is; `base` is the API root the adapter calls. */
  readPage(body: Record<string, unknown>, url: URL, base: URL): TokenCloudPage;
  toResource(item: Record<string, unknown>): NormalizedResource;
  /** For a 403 on this type alone: the scope the token lacks (reported with the type's partial failure). */
  forbiddenHint?: string;
};

type TokenCloudBase<K extends TokenCloudKind> = {
  kind: K;
  /** The provider's public API origin, used when the provider has no api_endpoint. */
  defaultEndpoint: string;
  identityPath: string;
  /** Builds the identity from the body; throws MalformedShape when the body is not what the API returns. */
  toIdentity(body: Record<string, unknown>): ProviderIdentity;
  /**
   * Calls the health check makes after the identity to prove the token may also list instances: the
   * identity call works with any scope on some clouds, and a listing would then fail on the first refresh.
   */
  healthProbes?(base: URL): URL[];
  /** For a 401: what happened and what to do. */
  unauthorized: { message: string; hint: string };
  /** For a 403: what scope the token lacks. */
  forbiddenHint: string;
  /**
   * A 401 that means "valid token, missing scope" (Linode), told apart by its body: the failure to report
   * for the resource type whose call was refused (`instance` for the health check), or null for a plain 401.
   */
  missingScope?(body: unknown, type: string): { message: string; hint: string } | null;
};

/**
 * A token cloud lists either one type, instances (its listing given inline), or several, as DigitalOcean,
 * Linode and Vultr do: `listings` maps each resource type to its listing, listed in that order.
 */
export type TokenCloudSpec<K extends TokenCloudKind> = TokenCloudBase<K> &
  ((TokenCloudListing & { listings?: never }) | { listings: Record<string, TokenCloudListing> });

function listingsOf(spec: TokenCloudSpec<TokenCloudKind>): [type: string, listing: TokenCloudListing][] {
  return spec.listings ? Object.entries(spec.listings) : [["instance", spec as TokenCloudListing]];
}

// A runaway guard: an endpoint that always answers "there is another page" must not loop forever.
const MAX_PAGES = 2_000;

export function apiBase(context: AdapterContext, defaultEndpoint: string): URL {
  const base = new URL(context.apiEndpoint ?? defaultEndpoint);
  if (!base.pathname.endsWith("/")) base.pathname = `${base.pathname}/`;
  return base;
}

/** `path` ("v2/account" or "/v2/account") under the API root, keeping a path prefix the root may have. */
export function apiUrl(base: URL, path: string): URL {
  return new URL(path.replace(/^\/+/, ""), base);
}

export function mapStatus(raw: string | null, table: Record<string, ResourceStatus>): ResourceStatus {
  return (raw && table[raw.toLowerCase()]) || "unknown";
}

/** A status table written by status, for where many of a cloud's words mean one: { pending: ["creating", "resizing"] }. */
export function statusTable(words: Partial<Record<ResourceStatus, string[]>>): Record<string, ResourceStatus> {
  return Object.fromEntries(Object.entries(words).flatMap(([status, list]) => list.map((word) => [word, status as ResourceStatus])));
}

function malformed(where: string, detail: string): UpstreamError {
  return new UpstreamError({
    code: "malformed_response",
    message: `${where} answered with JSON that is not the provider's API shape: ${detail}.`,
  });
}

function mapError<K extends TokenCloudKind>(spec: TokenCloudSpec<K>, error: unknown, type = "instance"): unknown {
  const scope = error instanceof UpstreamError && error.upstreamStatus === 401 ? spec.missingScope?.(error.body, type) : null;
  if (scope) {
    return new UpstreamError({
      code: "missing_scope",
      status: 403,
      upstreamStatus: 401,
      message: scope.message,
      hint: scope.hint,
      retryable: false,
    });
  }
  if (error instanceof UpstreamError && error.upstreamStatus === 401) {
    return new UpstreamError({
      code: "unauthorized",
      status: 401,
      upstreamStatus: 401,
      message: spec.unauthorized.message,
      hint: spec.unauthorized.hint,
    });
  }
  if (error instanceof UpstreamError && error.upstreamStatus === 403) {
    return new UpstreamError({
      code: "forbidden",
      status: 403,
      upstreamStatus: 403,
      message: `${error.message} The token lacks a permission.`,
      hint: spec.forbiddenHint,
    });
  }
  return error;
}

type Session = { fetch: FetchLike & { close(): void }; base: URL; init: RequestInit; context: AdapterContext };

function openSession(spec: TokenCloudSpec<TokenCloudKind>, credentials: TokenCredentials, context: AdapterContext): Session {
  return {
    fetch: safeFetch(context.outbound),
    base: apiBase(context, spec.defaultEndpoint),
    init: { headers: { authorization: `Bearer ${credentials.access_key}`, "user-agent": "Cloudkeep" } },
    context,
  };
}

async function getObject(session: Session, url: URL): Promise<Record<string, unknown>> {
  const { body } = await requestJson(session.fetch, url, session.init, {
    timeoutMs: session.context.timeoutMs,
    signal: session.context.signal,
  });
  if (!isRecord(body)) throw malformed(`GET ${url.host}${url.pathname}`, "expected an object");
  return body;
}

/** Builds the ProviderAdapter for one token cloud from its spec. */
export function tokenCloudAdapter<K extends TokenCloudKind>(spec: TokenCloudSpec<K>): ProviderAdapter<K> {
  const generic = spec as unknown as TokenCloudSpec<TokenCloudKind>;
  return {
    kind: spec.kind,

    async checkHealth(credentials, context) {
      const started = performance.now();
      const session = openSession(generic, credentials as TokenCredentials, context);
      try {
        const url = apiUrl(session.base, spec.identityPath);
        const body = await getObject(session, url);
        let identity: ProviderIdentity;
        try {
          identity = spec.toIdentity(body);
        } catch (error) {
          if (error instanceof MalformedShape) throw malformed(`GET ${url.host}${url.pathname}`, error.message);
          throw error;
        }
        for (const probe of spec.healthProbes?.(session.base) ?? []) await getObject(session, probe);
        return { ok: true, identity, latencyMs: Math.round(performance.now() - started), checkedAt: new Date().toISOString() };
      } catch (error) {
        return {
          ok: false,
          error: toProviderFailure(mapError(spec, error)),
          latencyMs: Math.round(performance.now() - started),
          checkedAt: new Date().toISOString(),
        };
      } finally {
        session.fetch.close();
      }
    },

    async listResources(credentials, context) {
      const listings = listingsOf(generic).filter(([type]) => !context.type || context.type === type);
      if (listings.length === 0) return { resources: [], partialFailures: [] };
      const session = openSession(generic, credentials as TokenCredentials, context);
      const regions = new Set(context.regions);
      const resources: NormalizedResource[] = [];
      const partialFailures: ListResult["partialFailures"] = [];
      // A resource listed twice (it moved between pages, or into another listing) is kept once.
      const ids = new Set<string>();
      let firstError: unknown = null;
      try {
        for (const [type, listing] of listings) {
          try {
            for (const resource of await listAll(session, listing)) {
              if (ids.has(resource.id)) continue;
              ids.add(resource.id);
              if (regions.size === 0 || (resource.region !== null && regions.has(resource.region))) resources.push(resource);
            }
          } catch (caught) {
            const error = mapError(spec, caught, type);
            const failure = toProviderFailure(error);
            // A revoked token, a refused endpoint or a cancelled call fails every type alike: no partial listing.
            if (FATAL.has(failure.code) || listings.length === 1) throw error;
            firstError ??= error;
            // What to do travels with the type's failure: the scope it lacks (a 403, or Linode's 401 for a scope).
            const hint =
              failure.code === "forbidden" && listing.forbiddenHint
                ? ` ${listing.forbiddenHint}`
                : failure.code === "missing_scope" && failure.hint
                  ? ` ${failure.hint}`
                  : "";
            partialFailures.push({ scope: type, code: failure.code, message: `${failure.message}${hint}` });
          }
        }
        // Only when every type failed is the listing a failure (the first type's, as with one listing).
        if (partialFailures.length === listings.length) throw firstError;
        return { resources, partialFailures };
      } finally {
        session.fetch.close();
      }
    },
  };
}

/** Failures that are not about one resource type, so end the whole listing. */
const FATAL = new Set(["unauthorized", "refused_endpoint", "aborted"]);

/** Every resource of one listing: each of its first pages followed to its end. */
async function listAll(session: Session, listing: TokenCloudListing): Promise<NormalizedResource[]> {
  const out: NormalizedResource[] = [];
  const seen = new Set<string>();
  for (const first of listing.firstPages(session.base)) {
    let url: URL | null = first;
    for (let pages = 0; url; pages++) {
      if (pages >= MAX_PAGES) throw malformed(`GET ${url.host}${url.pathname}`, `pagination did not end after ${MAX_PAGES} pages`);
      if (seen.has(url.href)) throw malformed(`GET ${url.host}${url.pathname}`, "pagination points back at a page already read");
      seen.add(url.href);
      const body = await getObject(session, url);
      let page: TokenCloudPage;
      try {
        page = listing.readPage(body, url, session.base);
        for (const item of page.items) {
          if (!isRecord(item)) throw new MalformedShape("a listed item is not an object");
          out.push(listing.toResource(item));
        }
      } catch (error) {
        if (error instanceof MalformedShape) throw malformed(`GET ${url.host}${url.pathname}`, error.message);
        throw error;
      }
      url = page.next;
    }
  }
  return out;
}

/** Where one cloud writes what all its listed items have. */
export type SharedFields = {
  /** The field holding an item's name; the id stands in for an empty one. */
  name: string;
  region(item: Record<string, unknown>): string | null;
  created(item: Record<string, unknown>): string | null;
};

/**
 * How one type's items map: its type, the table its `status` maps through (kept as raw_status; without
 * one the API answers no status: unknown), its console link, and every field it reads its own way.
 * Left out: no zone, size, addresses or tags.
 */
export type ItemFields = Partial<Omit<NormalizedResource, "id" | "name" | "type" | "console_url">> & {
  type: string;
  /** A name found elsewhere than the cloud's name field (that field, then the id, stand in when it is null). */
  name?: string | null;
  statuses?: Record<string, ResourceStatus>;
  consoleUrl(id: string): string | null;
};

/** The normaliser every type of one cloud builds on: the shared fields read the cloud's way, each type's own on top. */
export function resourceBuilder(shared: SharedFields) {
  // `what` names the item where its shape is wrong: "a volume".
  return (item: Record<string, unknown>, what: string, { type, name, statuses, consoleUrl, ...own }: ItemFields): NormalizedResource => {
    const id = idOf(item, what);
    const raw = statuses ? str(item.status) : null;
    // The defaults come first: the key order these resources have always had.
    return {
      zone: null,
      public_ips: [],
      private_ips: [],
      tags: {},
      id,
      name: name ?? str(item[shared.name]) ?? id,
      type,
      region: shared.region(item),
      status: statuses ? mapStatus(raw, statuses) : "unknown",
      raw_status: raw,
      size: null,
      created_at: shared.created(item),
      console_url: consoleUrl(id),
      ...own,
    };
  };
}

/**
 * An active volume attached to a machine is in use ("running"), an active detached one exists but serves
 * nothing ("stopped"); raw_status keeps the cloud's word and says which. Other states map through `table`.
 */
export function volumeStatus(
  raw: string | null,
  attached: boolean,
  table: Record<string, ResourceStatus>,
): Pick<NormalizedResource, "status" | "raw_status"> {
  if (raw !== "active") return { status: mapStatus(raw, table), raw_status: raw };
  return { status: attached ? "running" : "stopped", raw_status: `${raw}/${attached ? "attached" : "detached"}` };
}

/** "1 node", "3 nodes"; null when the count is not a number. */
export function nodeCount(count: unknown): string | null {
  return typeof count === "number" ? `${count} ${count === 1 ? "node" : "nodes"}` : null;
}

/** "s-2vcpu-4gb ×3, g-4vcpu-16gb ×1": each node pool's machine size and node count, under the cloud's field names. */
export function poolSizes(pools: unknown, sizeField: string, countField: string): string | null {
  if (!Array.isArray(pools)) return null;
  const sizes = pools.filter(isRecord).map((pool) => {
    const size = str(pool[sizeField]);
    const count = typeof pool[countField] === "number" ? pool[countField] : null;
    return size && count !== null ? `${size} ×${count}` : size;
  });
  return sizes.filter(Boolean).join(", ") || null;
}
