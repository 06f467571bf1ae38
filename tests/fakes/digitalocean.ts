// A wire-level DigitalOcean API: /v2/account and /v2/droplets with DigitalOcean's JSON shapes, its
// links.pages pagination (per_page up to 200) and its error bodies. Like DigitalOcean, it lists GPU
// droplets only when asked with type=gpus (droplets_list, parameter `type`), and never otherwise.
import { bearerToken, pageSize, startFake, type Fake, type FakeSwitches, type StartFakeOptions } from "./server.ts";

export const DIGITALOCEAN_TEST_TOKEN = `dop_v1_${"a1b2c3d4".repeat(8)}`;
const REGIONS = ["nyc3", "sfo3", "ams3", "fra1"];
const STATUSES = ["active", "active", "off", "new"];

/** DigitalOcean-specific switches; the shared ones (resourceCount: non-GPU droplets, …) live in `fake.switches`. */
export type DigitalOceanSwitches = {
  /** GPU droplets, served only under type=gpus. */
  gpuDroplets: number;
};

export type DigitalOceanFake = Fake & { token: string; digitalocean: DigitalOceanSwitches };

export function fakeDroplet(index: number) {
  const region = REGIONS[index % REGIONS.length];
  return {
    id: 300_000_000 + index,
    name: `droplet-${index}`,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    locked: false,
    status: STATUSES[index % STATUSES.length],
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

export function startDigitalOceanFake(options: StartFakeOptions & { token?: string; digitalocean?: Partial<DigitalOceanSwitches> } = {}): Promise<DigitalOceanFake> {
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
        for (let i = (page - 1) * perPage; i < Math.min(total, page * perPage); i++) droplets.push(gpus ? fakeGpuDroplet(i) : fakeDroplet(i));
        const pages: Record<string, string> = {};
        if (page > 1) Object.assign(pages, { first: link(1), prev: link(page - 1) });
        if (page < last) Object.assign(pages, { next: link(page + 1), last: link(last) });
        return { headers: { "ratelimit-limit": "5000", "ratelimit-remaining": "4999" }, body: { droplets, links: { pages }, meta: { total } } };
      }
      return { status: 404, body: { id: "not_found", message: "The resource you were accessing could not be found." } };
    },
    { ...options, switches: { maxPageSize: 200, ...options.switches } satisfies Partial<FakeSwitches> },
  ).then((base) => {
    const initial = (): DigitalOceanSwitches => ({ gpuDroplets: 0, ...options.digitalocean });
    const fake: DigitalOceanFake = Object.assign(base, { token, digitalocean: initial() });
    const baseReset = base.reset.bind(base);
    fake.reset = () => {
      baseReset();
      fake.digitalocean = initial();
    };
    return fake;
  });
}
