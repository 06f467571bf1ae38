// A wire-level Linode API v4: /v4/profile, /v4/linode/instances, /v4/volumes, /v4/lke/clusters,
// /v4/databases/instances and /v4/nodebalancers with Linode's page/pages/results envelope (page_size
// 25–500; get-lke-clusters takes no page_size and answers 100 a page, Linode's default) and its
// { errors: [{ reason }] } bodies. Tokens carry OAuth scopes as Linode's do: /v4/profile answers any
// valid token, each listing only one with its area's scope (linodes, volumes, lke, databases,
// nodebalancers; :read_only, :read_write, or *); otherwise 401 "Your OAuth token is not authorized to use
// this endpoint."
import { bearerToken, cycle, startFake, type Fake, type StartFakeOptions } from "./server.ts";

export const LINODE_TEST_TOKEN = "0123456789abcdef".repeat(4);
const REGIONS = ["us-east", "eu-west", "ap-south"];
const STATUSES = ["running", "running", "offline", "provisioning", "busy"];

/** Linode-specific switches; the shared ones (resourceCount: Linodes, …) live in `fake.switches`. */
export type LinodeSwitches = {
  /** The token's OAuth scopes, space-separated as Linode writes them ("*" = every scope). */
  scopes: string;
  volumes: number;
  lkeClusters: number;
  databases: number;
  nodeBalancers: number;
};

const created = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().slice(0, 19);

/** A Block Storage volume: attached to a Linode at even indexes, detached at odd ones; every fifth still creating. */
export function fakeLinodeVolume(index: number) {
  const attached = index % 2 === 0;
  return {
    id: 70_000 + index,
    label: `volume-${index}`,
    status: index % 5 === 4 ? "creating" : "active",
    size: 20 + index,
    region: cycle(REGIONS, index),
    linode_id: attached ? 40_000_000 + index : null,
    linode_label: attached ? `linode-${index}` : null,
    filesystem_path: `/dev/disk/by-id/scsi-0Linode_Volume_volume-${index}`,
    hardware_type: "nvme",
    encryption: "enabled",
    tags: index % 2 === 0 ? ["env:prod"] : [],
    created: created(index),
    updated: created(index + 1),
  };
}

/** An LKE cluster (get-lke-clusters answers no status and no node pools). */
export function fakeLkeCluster(index: number) {
  return {
    id: 9_000 + index,
    label: `lke-${index}`,
    region: cycle(REGIONS, index),
    k8s_version: "1.31",
    control_plane: { high_availability: index % 2 === 1 },
    tags: ["team:platform"],
    created: created(index),
    updated: created(index + 1),
  };
}

const DATABASE_STATUSES = ["active", "provisioning", "active", "failed", "suspended"];

/** A managed database: the list answer has no credentials (they are /databases/{engine}/instances/{id}/credentials). */
export function fakeLinodeDatabase(index: number) {
  const engine = index % 2 === 0 ? "mysql" : "postgresql";
  return {
    id: 5_000 + index,
    label: `db-${index}`,
    engine,
    version: engine === "mysql" ? "8.0.30" : "16.4",
    type: "g6-dedicated-2",
    cluster_size: index % 2 === 0 ? 1 : 3,
    region: cycle(REGIONS, index),
    status: cycle(DATABASE_STATUSES, index),
    encrypted: false,
    allow_list: ["203.0.113.1/32"],
    hosts: { primary: `lin-${5_000 + index}-${index}-${engine}-primary.servers.linodedb.net`, secondary: null },
    instance_uri: `/v4/databases/${engine}/instances/${5_000 + index}`,
    updates: { frequency: "weekly", duration: 3, hour_of_day: 0, day_of_week: 1, week_of_month: null },
    created: created(index),
    updated: created(index + 1),
  };
}

/** A NodeBalancer (get-node-balancers answers no status). */
export function fakeNodeBalancer(index: number) {
  const ipv4 = `172.232.${(index >> 8) & 255}.${index & 255}`;
  return {
    id: 12_000 + index,
    label: `nb-${index}`,
    region: cycle(REGIONS, index),
    hostname: `${ipv4}.ip.linodeusercontent.com`,
    ipv4,
    ipv6: index % 2 === 0 ? `2600:3c03::f03c:95ff:fe${index.toString(16).padStart(2, "0")}:1` : null,
    client_conn_throttle: 0,
    transfer: { in: 28.9, out: 3.5, total: 32.4 },
    tags: index % 2 === 0 ? ["web"] : [],
    created: created(index),
    updated: created(index + 1),
  };
}

export type LinodeFake = Fake & { token: string; linode: LinodeSwitches };

/** Whether `scopes` lets a token read `area` (linodes:read_only, linodes:read_write and * all do). */
export function linodeScopeAllows(scopes: string, area: string): boolean {
  return scopes.split(/[\s,]+/).some((scope) => scope === "*" || scope === `${area}:read_only` || scope === `${area}:read_write`);
}

export function fakeLinode(index: number) {
  return {
    id: 40_000_000 + index,
    label: `linode-${index}`,
    group: "",
    status: cycle(STATUSES, index),
    created: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().slice(0, 19),
    updated: "2024-06-01T00:00:00",
    type: "g6-standard-1",
    ipv4: [`172.104.${(index >> 8) & 255}.${index & 255}`, `192.168.${(index >> 8) & 255}.${index & 255}`],
    ipv6: `2600:3c03::f03c:${index.toString(16)}/128`,
    image: "linode/debian12",
    region: cycle(REGIONS, index),
    specs: { disk: 51200, memory: 2048, vcpus: 1, gpus: 0, transfer: 2000 },
    hypervisor: "kvm",
    tags: index % 3 === 0 ? ["team:data"] : [],
    watchdog_enabled: true,
  };
}

function errors(status: number, reason: string) {
  return { status, body: { errors: [{ reason }] } };
}

export function startLinodeFake(
  options: StartFakeOptions & { token?: string; linode?: Partial<LinodeSwitches> } = {},
): Promise<LinodeFake> {
  const token = options.token ?? LINODE_TEST_TOKEN;
  return startFake(
    (request, fake) => {
      if (fake.switches.badCredentials || bearerToken(request) !== token) return errors(401, "Invalid Token");
      if (request.method === "GET" && request.path === "/v4/profile") {
        return {
          body: {
            uid: 1234,
            username: "example-user",
            email: "example-user@example.com",
            timezone: "US/Eastern",
            email_notifications: true,
            restricted: false,
            two_factor_auth: true,
            authentication_type: "password",
            authorized_keys: null,
            referrals: { code: "abc", url: "https://www.linode.com/?r=abc", total: 0, completed: 0, pending: 0, credit: 0 },
          },
        };
      }
      const switches = (fake as LinodeFake).linode;
      const listings: Record<string, [area: string, total: number, item: (i: number) => unknown]> = {
        "/v4/linode/instances": ["linodes", fake.switches.resourceCount, fakeLinode],
        "/v4/volumes": ["volumes", switches.volumes, fakeLinodeVolume],
        "/v4/lke/clusters": ["lke", switches.lkeClusters, fakeLkeCluster],
        "/v4/databases/instances": ["databases", switches.databases, fakeLinodeDatabase],
        "/v4/nodebalancers": ["nodebalancers", switches.nodeBalancers, fakeNodeBalancer],
      };
      const listed = listings[request.path];
      if (request.method === "GET" && listed) {
        const [area, total, item] = listed;
        if (!linodeScopeAllows(switches.scopes, area)) return errors(401, "Your OAuth token is not authorized to use this endpoint.");
        const asked = Number(request.url.searchParams.get("page_size") ?? 100);
        if (!Number.isInteger(asked) || asked < 25 || asked > 500) return errors(400, "page_size must be between 25 and 500");
        const size = Math.min(asked, fake.switches.maxPageSize);
        const pages = Math.max(1, Math.ceil(total / size));
        const page = Number(request.url.searchParams.get("page") ?? 1);
        if (!Number.isInteger(page) || page < 1 || page > pages) return errors(400, "page out of range");
        const data = [];
        for (let i = (page - 1) * size; i < Math.min(total, page * size); i++) data.push(item(i));
        return { headers: { "x-ratelimit-limit": "800" }, body: { data, page, pages, results: total } };
      }
      return errors(404, "Not found");
    },
    { ...options, switches: { maxPageSize: 500, ...options.switches } },
  ).then((base) => {
    const initial = (): LinodeSwitches => ({ scopes: "*", volumes: 0, lkeClusters: 0, databases: 0, nodeBalancers: 0, ...options.linode });
    const fake: LinodeFake = Object.assign(base, { token, linode: initial() });
    const baseReset = base.reset.bind(base);
    fake.reset = () => {
      baseReset();
      fake.linode = initial();
    };
    return fake;
  });
}
