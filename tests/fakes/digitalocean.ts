// A wire-level DigitalOcean API: /v2/account, /v2/droplets, /v2/volumes, /v2/kubernetes/clusters,
// /v2/databases and /v2/load_balancers with DigitalOcean's JSON shapes, its links.pages pagination
// (per_page up to 200; /v2/databases is one unpaginated answer, as databases_list_clusters defines it)
// and its error bodies. Like DigitalOcean, it lists GPU droplets only when asked with type=gpus
// (droplets_list, parameter `type`), and never otherwise.
import { bearerToken, cycle, pageSize, startFake, type Fake, type FakeSwitches, type StartFakeOptions } from "./server.ts";

export const DIGITALOCEAN_TEST_TOKEN = `dop_v1_${"a1b2c3d4".repeat(8)}`;
const REGIONS = ["nyc3", "sfo3", "ams3", "fra1"];
const STATUSES = ["active", "active", "off", "new"];

/** The resource types the fake serves besides droplets, by the listing each belongs to. */
export type DigitalOceanListing = "instance" | "volume" | "kubernetes_cluster" | "database" | "load_balancer";

/** DigitalOcean-specific switches; the shared ones (resourceCount: non-GPU droplets, …) live in `fake.switches`. */
export type DigitalOceanSwitches = {
  /** GPU droplets, served only under type=gpus. */
  gpuDroplets: number;
  volumes: number;
  kubernetesClusters: number;
  databases: number;
  loadBalancers: number;
  /** Listings that answer 403, as DigitalOcean does for a token without the listing's custom scope. */
  forbidden: DigitalOceanListing[];
  /** The password DigitalOcean puts in every database connection object and user (and inside each `uri`). */
  databasePassword: string;
};

const LISTING_OF_PATH: Record<string, DigitalOceanListing> = {
  "/v2/droplets": "instance",
  "/v2/volumes": "volume",
  "/v2/kubernetes/clusters": "kubernetes_cluster",
  "/v2/databases": "database",
  "/v2/load_balancers": "load_balancer",
};

const uuid = (prefix: string, index: number) => `${prefix}-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
const created = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const regionObject = (slug: string) => ({
  name: slug.toUpperCase(),
  slug,
  features: ["backups", "ipv6"],
  available: true,
  sizes: ["s-1vcpu-1gb"],
});

export type DigitalOceanFake = Fake & { token: string; digitalocean: DigitalOceanSwitches };

export function fakeDroplet(index: number) {
  const region = cycle(REGIONS, index);
  return {
    id: 300_000_000 + index,
    name: `droplet-${index}`,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    locked: false,
    status: cycle(STATUSES, index),
    created_at: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    features: ["ipv6", "private_networking"],
    backup_ids: [],
    next_backup_window: null,
    snapshot_ids: [],
    volume_ids: [],
    size: {
      slug: "s-1vcpu-1gb",
      memory: 1024,
      vcpus: 1,
      disk: 25,
      transfer: 1,
      price_monthly: 6,
      price_hourly: 0.00893,
      regions: REGIONS,
      available: true,
      description: "Basic",
    },
    size_slug: "s-1vcpu-1gb",
    image: { id: 6918990, name: "24.04 (LTS) x64", distribution: "Ubuntu", slug: "ubuntu-24-04-x64", public: true },
    networks: {
      v4: [
        { ip_address: `10.110.${(index >> 8) & 255}.${index & 255}`, netmask: "255.255.0.0", gateway: "10.110.0.1", type: "private" },
        { ip_address: `45.55.${(index >> 8) & 255}.${index & 255}`, netmask: "255.255.240.0", gateway: "45.55.0.1", type: "public" },
      ],
      v6: [{ ip_address: `2604:a880:400:d1::${index.toString(16)}`, netmask: 64, gateway: "2604:a880:400:d1::1", type: "public" }],
    },
    region: { name: region.toUpperCase(), slug: region, features: ["backups", "ipv6"], available: true, sizes: [] },
    tags: index % 2 === 0 ? ["web", "env:prod"] : [],
    vpc_uuid: "5a4981aa-9653-4bd1-bef5-d6bff52042e4",
  };
}

/** A block storage volume (volume_full): attached to a droplet at even indexes, detached at odd ones. */
export function fakeVolume(index: number) {
  return {
    id: uuid("506f78a4", index),
    droplet_ids: index % 2 === 0 ? [300_000_000 + index] : [],
    name: `volume-${index}`,
    description: "Block store for examples",
    size_gigabytes: 100 + index,
    created_at: created(index),
    tags: index % 2 === 0 ? ["env:prod"] : [],
    region: regionObject(cycle(REGIONS, index)),
    filesystem_type: "ext4",
    filesystem_label: "data",
  };
}

const CLUSTER_STATES = ["running", "provisioning", "degraded", "running"];

/** A DOKS cluster (cluster_read) with two node pools. */
export function fakeKubernetesCluster(index: number) {
  const id = uuid("bd5f5959", index);
  const node = (pool: number, n: number) => ({
    id: uuid(`e78247f${pool}`, index * 10 + n),
    name: `pool-${pool}-node-${n}`,
    status: { state: "running" },
    droplet_id: String(500_000_000 + index * 10 + n),
    created_at: created(index),
    updated_at: created(index + 1),
  });
  const pool = (p: number, size: string, count: number) => ({
    id: uuid(`cdda885${p}`, index),
    name: `pool-${p}`,
    size,
    count,
    tags: ["k8s", `k8s:${id}`, "k8s-worker"],
    labels: null,
    taints: [],
    auto_scale: false,
    min_nodes: 0,
    max_nodes: 0,
    nodes: Array.from({ length: count }, (_, n) => node(p, n)),
  });
  return {
    id,
    name: `k8s-${index}`,
    region: cycle(REGIONS, index),
    version: "1.33.1-do.0",
    cluster_subnet: "10.244.0.0/16",
    service_subnet: "10.245.0.0/16",
    vpc_uuid: "c33931f2-a26a-4e61-b85c-4e95a2ec431b",
    ipv4: `68.183.${(index >> 8) & 255}.${index & 255}`,
    endpoint: `https://${id}.k8s.ondigitalocean.com`,
    tags: ["k8s", `k8s:${id}`, "env:prod"],
    node_pools: [pool(0, "s-2vcpu-4gb", 3), pool(1, "g-4vcpu-16gb", 1)],
    maintenance_policy: { start_time: "00:00", duration: "4h0m0s", day: "any" },
    auto_upgrade: false,
    status: { state: cycle(CLUSTER_STATES, index), message: "" },
    created_at: created(index),
    updated_at: created(index + 1),
    surge_upgrade: true,
    registry_enabled: false,
    ha: false,
  };
}

const DATABASE_STATUSES = ["online", "creating", "online", "resizing"];

/** A managed database cluster (database_cluster_read), with the credentials DigitalOcean puts in it. */
export function fakeDatabase(index: number, password: string) {
  const host = `db-${index}-do-user-19081923-0.db.ondigitalocean.com`;
  const connection = (prefix: string) => ({
    uri: `postgres://doadmin:${password}@${prefix}${host}:25060/defaultdb?sslmode=require`,
    database: "defaultdb",
    host: `${prefix}${host}`,
    port: 25060,
    user: "doadmin",
    password,
    ssl: true,
  });
  return {
    id: uuid("9cc10173", index),
    name: `db-${index}`,
    engine: "pg",
    version: "16",
    connection: connection(""),
    private_connection: connection("private-"),
    users: [{ name: "doadmin", role: "primary", password }],
    db_names: ["defaultdb"],
    num_nodes: 1 + (index % 3),
    region: cycle(REGIONS, index),
    status: cycle(DATABASE_STATUSES, index),
    created_at: created(index),
    maintenance_window: { day: "saturday", hour: "08:45:12", pending: false, description: [] },
    size: "db-s-2vcpu-4gb",
    tags: ["production"],
    private_network_uuid: "d455e75d-4858-4eec-8c95-da2f0a5f93a7",
    storage_size_mib: 61440,
  };
}

const LB_STATUSES = ["active", "new", "active", "errored"];

/** A regional load balancer (load_balancer). */
export function fakeLoadBalancer(index: number) {
  return {
    id: uuid("4de7ac8b", index),
    name: `lb-${index}`,
    project_id: "4de7ac8b-495b-4884-9a69-1050c6793cd6",
    ip: `104.131.${(index >> 8) & 255}.${index & 255}`,
    ipv6: `2604:a880:800:14::${index.toString(16)}:c000`,
    size_unit: 1 + (index % 3),
    status: cycle(LB_STATUSES, index),
    created_at: created(index),
    forwarding_rules: [
      { entry_protocol: "http", entry_port: 80, target_protocol: "http", target_port: 80, certificate_id: "", tls_passthrough: false },
    ],
    health_check: {
      protocol: "http",
      port: 80,
      path: "/",
      check_interval_seconds: 10,
      response_timeout_seconds: 5,
      unhealthy_threshold: 5,
      healthy_threshold: 3,
    },
    sticky_sessions: { type: "none" },
    redirect_http_to_https: false,
    enable_proxy_protocol: false,
    enable_backend_keepalive: false,
    http_idle_timeout_seconds: 60,
    vpc_uuid: "c33931f2-a26a-4e61-b85c-4e95a2ec431b",
    disable_lets_encrypt_dns_records: false,
    network: "EXTERNAL",
    network_stack: "DUALSTACK",
    type: "REGIONAL",
    tls_cipher_policy: "DEFAULT",
    region: regionObject(cycle(REGIONS, index)),
    droplet_ids: [300_000_000 + index],
  };
}

/** A GPU droplet: its own id range, a GPU size and the gpu_info DigitalOcean adds for them. */
export function fakeGpuDroplet(index: number) {
  return {
    ...fakeDroplet(index),
    id: 400_000_000 + index,
    name: `gpu-droplet-${index}`,
    memory: 245_760,
    vcpus: 20,
    disk: 720,
    size: {
      slug: "gpu-h100x1-80gb",
      memory: 245_760,
      vcpus: 20,
      disk: 720,
      transfer: 15,
      price_monthly: 2_522.7,
      price_hourly: 3.39,
      regions: ["tor1"],
      available: true,
      description: "H100 GPU - 1X",
      gpu_info: { count: 1, model: "nvidia_h100", vram: { amount: 80, unit: "gib" } },
    },
    size_slug: "gpu-h100x1-80gb",
    status: "active",
    region: { name: "TOR1", slug: "tor1", features: ["backups", "ipv6"], available: true, sizes: [] },
    gpu_info: { count: 1, model: "nvidia_h100", vram: { amount: 80, unit: "gib" } },
  };
}

export function startDigitalOceanFake(
  options: StartFakeOptions & { token?: string; digitalocean?: Partial<DigitalOceanSwitches> } = {},
): Promise<DigitalOceanFake> {
  const token = options.token ?? DIGITALOCEAN_TEST_TOKEN;
  return startFake(
    (request, fake) => {
      if (fake.switches.badCredentials || bearerToken(request) !== token) {
        return { status: 401, body: { id: "unauthorized", message: "Unable to authenticate you" } };
      }
      if (request.method === "GET" && request.path === "/v2/account") {
        return {
          body: {
            account: {
              droplet_limit: 25,
              floating_ip_limit: 5,
              email: "sammy@example.com",
              name: "Sammy the Shark",
              uuid: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
              email_verified: true,
              status: "active",
              status_message: "",
              team: { uuid: "5df3e3004a17e242b7c20ca6c9fc25b701a47ece", name: "Shark Team" },
            },
          },
        };
      }
      const listing = LISTING_OF_PATH[request.path];
      const switches = (fake as DigitalOceanFake).digitalocean;
      if (request.method === "GET" && listing && switches.forbidden.includes(listing)) {
        return { status: 403, body: { id: "forbidden", message: "You are not authorized to perform this operation" } };
      }
      if (request.method === "GET" && request.path === "/v2/databases") {
        // databases_list_clusters: no page parameters, no links, no meta; every cluster in one answer.
        return { body: { databases: Array.from({ length: switches.databases }, (_, i) => fakeDatabase(i, switches.databasePassword)) } };
      }
      const paged: Record<string, [key: string, total: number, item: (i: number) => unknown]> = {
        "/v2/volumes": ["volumes", switches.volumes, fakeVolume],
        "/v2/kubernetes/clusters": ["kubernetes_clusters", switches.kubernetesClusters, fakeKubernetesCluster],
        "/v2/load_balancers": ["load_balancers", switches.loadBalancers, fakeLoadBalancer],
      };
      const listed = paged[request.path];
      if (request.method === "GET" && listed) {
        const [key, total, item] = listed;
        const perPage = pageSize(request, "per_page", 20, fake);
        const page = Math.max(1, Number(request.url.searchParams.get("page") ?? 1) || 1);
        const last = Math.max(1, Math.ceil(total / perPage));
        const link = (n: number) => `${fake.url}${request.path}?page=${n}&per_page=${perPage}`;
        const items = [];
        for (let i = (page - 1) * perPage; i < Math.min(total, page * perPage); i++) items.push(item(i));
        const pages: Record<string, string> = {};
        if (page > 1) Object.assign(pages, { first: link(1), prev: link(page - 1) });
        if (page < last) Object.assign(pages, { next: link(page + 1), last: link(last) });
        return {
          headers: { "ratelimit-limit": "5000", "ratelimit-remaining": "4999" },
          body: { [key]: items, links: { pages }, meta: { total } },
        };
      }
      if (request.method === "GET" && request.path === "/v2/droplets") {
        const type = request.url.searchParams.get("type");
        if (type !== null && type !== "droplets" && type !== "gpus") {
          return { status: 400, body: { id: "bad_request", message: "type must be one of: droplets, gpus" } };
        }
        const gpus = type === "gpus";
        const perPage = pageSize(request, "per_page", 20, fake);
        const page = Math.max(1, Number(request.url.searchParams.get("page") ?? 1) || 1);
        const total = gpus ? (fake as DigitalOceanFake).digitalocean.gpuDroplets : fake.switches.resourceCount;
        const last = Math.max(1, Math.ceil(total / perPage));
        const link = (n: number) => `${fake.url}/v2/droplets?${type ? `type=${type}&` : ""}page=${n}&per_page=${perPage}`;
        const droplets = [];
        for (let i = (page - 1) * perPage; i < Math.min(total, page * perPage); i++)
          droplets.push(gpus ? fakeGpuDroplet(i) : fakeDroplet(i));
        const pages: Record<string, string> = {};
        if (page > 1) Object.assign(pages, { first: link(1), prev: link(page - 1) });
        if (page < last) Object.assign(pages, { next: link(page + 1), last: link(last) });
        return {
          headers: { "ratelimit-limit": "5000", "ratelimit-remaining": "4999" },
          body: { droplets, links: { pages }, meta: { total } },
        };
      }
      return { status: 404, body: { id: "not_found", message: "The resource you were accessing could not be found." } };
    },
    { ...options, switches: { maxPageSize: 200, ...options.switches } satisfies Partial<FakeSwitches> },
  ).then((base) => {
    const initial = (): DigitalOceanSwitches => ({
      gpuDroplets: 0,
      volumes: 0,
      kubernetesClusters: 0,
      databases: 0,
      loadBalancers: 0,
      forbidden: [],
      databasePassword: "wv78n3zpz42xezdk",
      ...options.digitalocean,
    });
    const fake: DigitalOceanFake = Object.assign(base, { token, digitalocean: initial() });
    const baseReset = base.reset.bind(base);
    fake.reset = () => {
      baseReset();
      fake.digitalocean = initial();
    };
    return fake;
  });
}
