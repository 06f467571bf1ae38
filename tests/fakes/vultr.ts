// A wire-level Vultr API v2: /v2/account, /v2/instances, /v2/blocks, /v2/kubernetes/clusters,
// /v2/databases and /v2/load-balancers with Vultr's cursor pagination (meta.links.next, per_page up to
// 500) where the list operation defines it — list-kubernetes-clusters and list-databases define none and
// answer everything at once — and its { error, status } bodies.
import { bearerToken, cycle, pageSize, startFake, type Fake, type FakeRequest, type StartFakeOptions } from "./server.ts";

export const VULTR_TEST_TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const REGIONS = ["ewr", "ams", "nrt"];
/** The password the fake puts in every database it lists, unless a test plants another. */
export const VULTR_DATABASE_PASSWORD = "Xk2bQ9vR7tLm4wZp";

/** The listings the fake serves, by resource type. */
export type VultrListing = "instance" | "volume" | "kubernetes_cluster" | "database" | "load_balancer";

/** Vultr-specific switches; the shared ones (resourceCount: instances, …) live in `fake.switches`. */
export type VultrSwitches = {
  blocks: number;
  kubernetesClusters: number;
  databases: number;
  loadBalancers: number;
  /** Listings that answer 403, as Vultr does for a key whose user lacks the permission. */
  forbidden: VultrListing[];
  /** The password Vultr puts in every database of the list answer (and in ferretdb_credentials). */
  databasePassword: string;
};

export type VultrFake = Fake & { token: string; vultr: VultrSwitches };

const LISTING_OF_PATH: Record<string, VultrListing> = {
  "/v2/instances": "instance",
  "/v2/blocks": "volume",
  "/v2/kubernetes/clusters": "kubernetes_cluster",
  "/v2/databases": "database",
  "/v2/load-balancers": "load_balancer",
};

const uuid = (prefix: string, index: number) => `${prefix}-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
const created = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().replace(/\.\d{3}Z$/, "+00:00");

/** Block storage: attached to an instance at even indexes, detached at odd ones; every fourth still pending. */
export function fakeVultrBlock(index: number) {
  return {
    id: uuid("b1c2d3e4", index),
    date_created: created(index),
    cost: 5,
    status: index % 4 === 3 ? "pending" : "active",
    size_gb: 50 + index,
    region: cycle(REGIONS, index),
    attached_to_instance: index % 2 === 0 ? `cb676a46-66fd-4dfb-b839-${index.toString(16).padStart(12, "0")}` : "",
    label: `block-${index}`,
    mount_id: `${cycle(REGIONS, index)}-block${index}`,
  };
}

/** A VKE cluster with two node pools. */
export function fakeVkeCluster(index: number) {
  const id = uuid("c907e832", index);
  const pool = (p: number, plan: string, count: number) => ({
    id: uuid(`74de191${p}`, index),
    date_created: created(index),
    date_updated: created(index + 1),
    label: `pool-${p}`,
    tag: "",
    plan,
    status: "active",
    node_quantity: count,
    min_nodes: count,
    max_nodes: count,
    auto_scaler: false,
    nodes: Array.from({ length: count }, (_, n) => ({
      id: uuid(`cafd467${p}`, index * 10 + n),
      label: `pool-${p}-${n}`,
      date_created: created(index),
    })),
  });
  return {
    id,
    label: `vke-${index}`,
    date_created: created(index),
    cluster_subnet: "10.244.0.0/16",
    service_subnet: "10.96.0.0/12",
    ip: `8.9.${(index >> 8) & 255}.${index & 255}`,
    endpoint: `${id}.vultr-k8s.com`,
    version: "v1.31.2+1",
    region: cycle(REGIONS, index),
    status: index % 3 === 1 ? "pending" : "active",
    ha_controlplanes: false,
    firewall_group_id: "",
    node_pools: [pool(0, "vc2-2c-4gb", 3), pool(1, "vc2-4c-8gb", 1)],
  };
}

const DATABASE_STATUSES = ["Running", "Rebuilding", "Running", "Configuring"];

/** A managed database as list-databases answers it: with the admin user's password and the hosts around it. */
export function fakeVultrDatabase(index: number, password: string) {
  return {
    id: uuid("999c4ed0", index),
    date_created: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().slice(0, 19).replace("T", " "),
    plan: "vultr-dbaas-startup-cc-1-55-2",
    plan_disk: 55,
    plan_ram: 2048,
    plan_vcpus: 1,
    plan_replicas: 0,
    region: cycle(REGIONS, index).toUpperCase(),
    database_engine: "pg",
    database_engine_version: "16",
    vpc_id: "",
    status: cycle(DATABASE_STATUSES, index),
    label: `db-${index}`,
    tag: index % 2 === 0 ? "env:prod" : "",
    dbname: "defaultdb",
    host: `vultr-prod-${index}.vultrdb.com`,
    public_host: `public-vultr-prod-${index}.vultrdb.com`,
    user: "vultradmin",
    password,
    port: "16751",
    maintenance_dow: "sunday",
    maintenance_time: "06:00:00",
    latest_backup: "2024-06-01 12:58:18",
    trusted_ips: [],
    pg_available_extensions: [],
    cluster_time_zone: "UTC",
    read_replicas: [],
    ferretdb_credentials: { host: `ferret-${index}.vultrdb.com`, port: 27017, username: "vultradmin", password },
  };
}

const LB_STATUSES = ["active", "pending", "active"];

export function fakeVultrLoadBalancer(index: number) {
  return {
    id: uuid("4a1b2c3d", index),
    date_created: created(index),
    region: cycle(REGIONS, index),
    label: `lb-${index}`,
    status: cycle(LB_STATUSES, index),
    ipv4: `192.248.${(index >> 8) & 255}.${index & 255}`,
    ipv6: `2001:19f0:5:4973::${index.toString(16)}`,
    generic_info: {
      balancing_algorithm: "roundrobin",
      ssl_redirect: false,
      sticky_sessions: { cookie_name: "" },
      proxy_protocol: false,
      vpc: "",
    },
    health_check: {
      protocol: "http",
      port: 80,
      path: "/health",
      check_interval: 15,
      response_timeout: 5,
      unhealthy_threshold: 5,
      healthy_threshold: 5,
    },
    has_ssl: false,
    http2: false,
    nodes: 1 + (index % 3),
    forward_rules: [{ id: "73d85156c2c3129d", frontend_protocol: "http", frontend_port: 80, backend_protocol: "http", backend_port: 80 }],
    instances: [],
    firewall_rules: [],
  };
}

export function fakeVultrInstance(index: number) {
  const hex = index.toString(16).padStart(12, "0");
  const stopped = index % 4 === 2;
  return {
    id: `cb676a46-66fd-4dfb-b839-${hex}`,
    os: "Ubuntu 24.04 LTS x64",
    ram: 2048,
    disk: 55,
    main_ip: `45.76.${(index >> 8) & 255}.${index & 255}`,
    vcpu_count: 1,
    region: cycle(REGIONS, index),
    plan: "vc2-1c-2gb",
    date_created: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().replace(/\.\d{3}Z$/, "+00:00"),
    status: index % 4 === 3 ? "pending" : "active",
    allowed_bandwidth: 2000,
    netmask_v4: "255.255.254.0",
    gateway_v4: "45.76.0.1",
    power_status: stopped ? "stopped" : "running",
    server_status: "ok",
    v6_network: "2001:19f0:5:1234::",
    v6_main_ip: `2001:19f0:5:1234:5400:4ff:fe${hex.slice(-2)}:${hex.slice(-4)}`,
    v6_network_size: 64,
    v6_networks: [
      { network: "2001:19f0:5:1234::", main_ip: `2001:19f0:5:1234:5400:4ff:fe${hex.slice(-2)}:${hex.slice(-4)}`, network_size: 64 },
    ],
    label: `vultr-${index}`,
    internal_ip: index % 2 === 0 ? `10.1.96.${index & 255}` : "",
    kvm: "",
    hostname: `vultr-${index}`,
    tag: "",
    tags: index % 2 === 0 ? ["env:staging"] : [],
    os_id: 2284,
    app_id: 0,
    image_id: "",
    firewall_group_id: "",
    features: ["ipv6"],
    user_scheme: "root",
  };
}

function cursorFor(offset: number): string {
  return Buffer.from(`next__${offset}`).toString("base64");
}

export function startVultrFake(options: StartFakeOptions & { token?: string; vultr?: Partial<VultrSwitches> } = {}): Promise<VultrFake> {
  const token = options.token ?? VULTR_TEST_TOKEN;
  return startFake(
    (request, fake) => {
      if (fake.switches.badCredentials || bearerToken(request) !== token)
        return { status: 401, body: { error: "Invalid API token.", status: 401 } };
      if (request.method === "GET" && request.path === "/v2/account") {
        return {
          body: {
            account: {
              name: "Example Account",
              email: "admin@example.com",
              acls: ["manage_users", "subscriptions_view", "billing"],
              balance: -25.5,
              pending_charges: 3.14,
              last_payment_date: "2024-05-01T00:00:00+00:00",
              last_payment_amount: -20,
            },
          },
        };
      }
      const switches = (fake as VultrFake).vultr;
      const listing = LISTING_OF_PATH[request.path];
      if (request.method === "GET" && listing && switches.forbidden.includes(listing)) {
        return { status: 403, body: { error: "Unauthorized access.", status: 403 } };
      }
      if (request.method === "GET" && request.path === "/v2/kubernetes/clusters") {
        // list-kubernetes-clusters: no query parameters, no meta; every cluster in one answer.
        return { body: { vke_clusters: Array.from({ length: switches.kubernetesClusters }, (_, i) => fakeVkeCluster(i)) } };
      }
      if (request.method === "GET" && request.path === "/v2/databases") {
        // list-databases: filters only, and a meta with a total alone.
        const databases = Array.from({ length: switches.databases }, (_, i) => fakeVultrDatabase(i, switches.databasePassword));
        return { body: { databases, meta: { total: databases.length } } };
      }
      const paged: Record<string, [key: string, total: number, item: (i: number) => unknown]> = {
        "/v2/instances": ["instances", fake.switches.resourceCount, fakeVultrInstance],
        "/v2/blocks": ["blocks", switches.blocks, fakeVultrBlock],
        "/v2/load-balancers": ["load_balancers", switches.loadBalancers, fakeVultrLoadBalancer],
      };
      const listed = paged[request.path];
      if (request.method === "GET" && listed) {
        const [key, total, item] = listed;
        return cursorPage(request, fake, key, total, item);
      }
      return { status: 404, body: { error: "Not found.", status: 404 } };
    },
    { ...options, switches: { maxPageSize: 500, ...options.switches } },
  ).then((base) => {
    const initial = (): VultrSwitches => ({
      blocks: 0,
      kubernetesClusters: 0,
      databases: 0,
      loadBalancers: 0,
      forbidden: [],
      databasePassword: VULTR_DATABASE_PASSWORD,
      ...options.vultr,
    });
    const fake: VultrFake = Object.assign(base, { token, vultr: initial() });
    const baseReset = base.reset.bind(base);
    fake.reset = () => {
      baseReset();
      fake.vultr = initial();
    };
    return fake;
  });
}

/** One page of a cursor listing: `per_page` items from the cursor's offset, and the cursors either side. */
function cursorPage(request: FakeRequest, fake: Fake, key: string, total: number, item: (i: number) => unknown) {
  const perPage = pageSize(request, "per_page", 100, fake);
  const cursor = request.url.searchParams.get("cursor");
  let offset = 0;
  if (cursor) {
    const decoded = /^next__(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!decoded) return { status: 400, body: { error: "Invalid cursor.", status: 400 } };
    offset = Number(decoded[1]);
  }
  const items = [];
  for (let i = offset; i < Math.min(total, offset + perPage); i++) items.push(item(i));
  const nextOffset = offset + perPage;
  return {
    body: {
      [key]: items,
      meta: {
        total,
        links: {
          next: nextOffset < total ? cursorFor(nextOffset) : "",
          prev: offset > 0 ? cursorFor(Math.max(0, offset - perPage)) : "",
        },
      },
    },
  };
}
