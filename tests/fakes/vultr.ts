// A wire-level Vultr API v2: /v2/account and /v2/instances with Vultr's cursor pagination
// (meta.links.next, per_page up to 500) and its { error, status } bodies.
import { bearerToken, pageSize, startFake, type Fake, type StartFakeOptions } from "./server.ts";

export const VULTR_TEST_TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const REGIONS = ["ewr", "ams", "nrt"];

export type VultrFake = Fake & { token: string };

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
    region: REGIONS[index % REGIONS.length],
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

export function startVultrFake(options: StartFakeOptions & { token?: string } = {}): Promise<VultrFake> {
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
      if (request.method === "GET" && request.path === "/v2/instances") {
        const perPage = pageSize(request, "per_page", 100, fake);
        const cursor = request.url.searchParams.get("cursor");
        let offset = 0;
        if (cursor) {
          const decoded = /^next__(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
          if (!decoded) return { status: 400, body: { error: "Invalid cursor.", status: 400 } };
          offset = Number(decoded[1]);
        }
        const total = fake.switches.resourceCount;
        const instances = [];
        for (let i = offset; i < Math.min(total, offset + perPage); i++) instances.push(fakeVultrInstance(i));
        const nextOffset = offset + perPage;
        return {
          body: {
            instances,
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
      return { status: 404, body: { error: "Not found.", status: 404 } };
    },
    { ...options, switches: { maxPageSize: 500, ...options.switches } },
  ).then((fake) => Object.assign(fake, { token }));
}
