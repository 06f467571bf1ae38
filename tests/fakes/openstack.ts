// A wire-level OpenStack: Keystone v3 (password and application-credential auth, X-Subject-Token,
// a service catalog with compute per region) and Nova v2.1 (servers/detail with limit/marker and
// servers_links, flavors/detail), on one port: /identity/v3/... and /compute/v2.1/<region>/...
import { randomBytes } from "node:crypto";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import { cycle, startFake, type Fake, type FakeRequest, type StartFakeOptions } from "./server.ts";

export type OpenStackFakeUser = { username: string; password: string; project: string; domain: string };
export type OpenStackFakeOptions = StartFakeOptions & {
  user?: OpenStackFakeUser;
  applicationCredential?: { id: string; secret: string };
  /** Regions with a public compute endpoint, in catalog order. */
  regions?: string[];
  /** How long issued tokens live; default one hour. Nova's max_limit is switches.maxPageSize (default 1000). */
  tokenTtlMs?: number;
};

export const OPENSTACK_TEST_USER: OpenStackFakeUser = {
  username: "demo",
  password: "s3cret pass",
  project: "demo-project",
  domain: "Default",
};
export const OPENSTACK_TEST_APP_CREDENTIAL = { id: "4b7c9a1e2f3d4c5b6a7e8f9012345678", secret: "app-cred-secret" };
const PROJECT_ID = "8f2c4e6a0b1d3f5e7a9c1e3b5d7f9a1c";
const USER_ID = "1e3b5d7f9a1c8f2c4e6a0b1d3f5e7a9c";
const STATUSES = ["ACTIVE", "ACTIVE", "SHUTOFF", "BUILD", "ERROR"];
const FLAVORS = [
  { id: "1", name: "m1.tiny" },
  { id: "2", name: "m1.small" },
  { id: "3", name: "m1.medium" },
];

export type OpenStackFake = Fake & {
  user: OpenStackFakeUser;
  applicationCredential: { id: string; secret: string };
  keystoneUrl: string;
  /** Tokens Keystone issued so far. */
  issuedTokens(): number;
  /** Invalidates every issued token (Nova answers 401 to them from now on). */
  revokeTokens(): void;
};

export function fakeServer(index: number, region: string) {
  const id = `${region.toLowerCase().padEnd(8, "0").slice(0, 8)}-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
  const flavor = cycle(FLAVORS, index);
  return {
    id,
    name: `server-${index}`,
    status: cycle(STATUSES, index),
    tenant_id: PROJECT_ID,
    user_id: USER_ID,
    metadata: index % 2 === 0 ? { role: "web" } : {},
    hostId: "e4b9f1a0c3d2",
    image: { id: "70a599e0-31e7-49b7-b260-868f441e862b", links: [] },
    flavor: { id: flavor.id, links: [] },
    created: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    updated: "2024-06-01T00:00:00Z",
    addresses: {
      private: [
        {
          version: 4,
          addr: `10.0.${(index >> 8) & 255}.${index & 255}`,
          "OS-EXT-IPS:type": "fixed",
          "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01",
        },
        ...(index % 2 === 0
          ? [
              {
                version: 4,
                addr: `198.100.${(index >> 8) & 255}.${index & 255}`,
                "OS-EXT-IPS:type": "floating",
                "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01",
              },
            ]
          : []),
      ],
    },
    accessIPv4: "",
    accessIPv6: "",
    "OS-EXT-AZ:availability_zone": "nova",
    "OS-EXT-STS:power_state": 1,
    "OS-EXT-STS:task_state": null,
    "OS-EXT-STS:vm_state": "active",
    key_name: null,
    security_groups: [{ name: "default" }],
    links: [],
  };
}

function keystoneError(status: number, title: string, message: string) {
  return { status, body: { error: { code: status, title, message } } };
}

export async function startOpenStackFake(options: OpenStackFakeOptions = {}): Promise<OpenStackFake> {
  const user = options.user ?? OPENSTACK_TEST_USER;
  const appCredential = options.applicationCredential ?? OPENSTACK_TEST_APP_CREDENTIAL;
  const regions = options.regions ?? ["RegionOne", "RegionTwo"];
  const ttl = options.tokenTtlMs ?? 3_600_000;
  const tokens = new Map<string, number>();
  let issued = 0;

  const authenticate = (request: FakeRequest, fake: Fake) => {
    let body: {
      auth?: {
        identity?: Record<string, unknown>;
        scope?: { project?: { name?: string; id?: string; domain?: { name?: string; id?: string } } };
      };
    };
    try {
      body = JSON.parse(request.body);
    } catch {
      return keystoneError(400, "Bad Request", "Malformed request body.");
    }
    const identity = body.auth?.identity ?? {};
    const methods = identity.methods as string[] | undefined;
    let ok = false;
    if (methods?.[0] === "password") {
      const u = (identity.password as { user?: { name?: string; password?: string; domain?: { name?: string; id?: string } } })?.user;
      const scope = body.auth?.scope?.project;
      const domainOk = (d?: { name?: string; id?: string }) =>
        d?.name === user.domain || (d?.id === "default" && user.domain === "Default");
      ok =
        u?.name === user.username &&
        u?.password === user.password &&
        domainOk(u?.domain) &&
        (scope?.name === user.project || scope?.id === PROJECT_ID) &&
        domainOk(scope?.domain);
    } else if (methods?.[0] === "application_credential") {
      const c = identity.application_credential as { id?: string; secret?: string } | undefined;
      ok = c?.id === appCredential.id && c?.secret === appCredential.secret;
    }
    if (!ok || fake.switches.badCredentials)
      return keystoneError(401, "Unauthorized", "The request you have made requires authentication.");
    const token = `gAAAAA${randomBytes(24).toString("hex")}`;
    const expires = Date.now() + ttl;
    tokens.set(token, expires);
    issued++;
    return {
      status: 201,
      headers: { "x-subject-token": token },
      body: {
        token: {
          methods: [methods?.[0]],
          user: { domain: { id: "default", name: user.domain }, id: USER_ID, name: user.username, password_expires_at: null },
          audit_ids: ["3T2dc1CGQxyJsHdDu1xkcw"],
          expires_at: new Date(expires).toISOString().replace("Z", "000Z"),
          issued_at: new Date().toISOString(),
          project: { domain: { id: "default", name: user.domain }, id: PROJECT_ID, name: user.project },
          is_domain: false,
          roles: [{ id: "51cc68287d524c759f47c811e6463340", name: "reader" }],
          catalog: [
            {
              type: "identity",
              name: "keystone",
              id: "keystone-id",
              endpoints: regions.map((region) => ({
                id: `id-${region}`,
                interface: "public",
                region,
                region_id: region,
                url: `${fake.url}/identity/v3`,
              })),
            },
            {
              type: "compute",
              name: "nova",
              id: "nova-id",
              endpoints: regions.flatMap((region) => [
                { id: `nova-internal-${region}`, interface: "internal", region, region_id: region, url: `http://nova.internal:8774/v2.1` },
                { id: `nova-public-${region}`, interface: "public", region, region_id: region, url: `${fake.url}/compute/v2.1/${region}` },
              ]),
            },
          ],
        },
      },
    };
  };

  const nova = (request: FakeRequest, fake: Fake, region: string, rest: string) => {
    const token = request.headers["x-auth-token"];
    const expiry = token ? tokens.get(token) : undefined;
    if (!expiry || expiry < Date.now())
      return {
        status: 401,
        body: { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } },
      };
    if (rest === "/flavors/detail") {
      return { body: { flavors: FLAVORS.map((f) => ({ ...f, ram: 512, vcpus: 1, disk: 1, links: [] })) } };
    }
    if (rest !== "/servers/detail") return { status: 404, body: { itemNotFound: { code: 404, message: "Not found" } } };
    const maxLimit = fake.switches.maxPageSize;
    const limit = Math.min(Number(request.url.searchParams.get("limit") ?? maxLimit) || maxLimit, maxLimit);
    const all = Array.from({ length: fake.switches.resourceCount }, (_, i) => fakeServer(i, region));
    const marker = request.url.searchParams.get("marker");
    let start = 0;
    if (marker) {
      const at = all.findIndex((s) => s.id === marker);
      if (at === -1) return { status: 400, body: { badRequest: { code: 400, message: `marker [${marker}] not found` } } };
      start = at + 1;
    }
    const servers = all.slice(start, start + limit);
    const last = servers.at(-1);
    const links =
      // Like Nova: a full page always carries a next link, even when it happens to be the last one.
      servers.length === limit && last
        ? [{ rel: "next", href: `http://nova.internal:8774/v2.1/servers/detail?limit=${limit}&marker=${last.id}` }]
        : [];
    return { body: { servers, ...(links.length ? { servers_links: links } : {}) } };
  };

  const fake = await startFake(
    (request, fake) => {
      if (request.method === "POST" && request.path === "/identity/v3/auth/tokens") return authenticate(request, fake);
      const compute = /^\/compute\/v2\.1\/([^/]+)(\/.*)$/.exec(request.path);
      if (compute && request.method === "GET") {
        const [project, path] = captures(compute, 2);
        return nova(request, fake, decodeURIComponent(project), path);
      }
      return { status: 404, body: { error: { code: 404, title: "Not Found", message: "The resource could not be found." } } };
    },
    { ...options, switches: { maxPageSize: 1000, ...options.switches } },
  );
  return Object.assign(fake, {
    user,
    applicationCredential: appCredential,
    keystoneUrl: `${fake.url}/identity/v3`,
    issuedTokens: () => issued,
    revokeTokens: () => tokens.clear(),
  });
}
