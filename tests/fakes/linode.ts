// A wire-level Linode API v4: /v4/profile and /v4/linode/instances with Linode's page/pages/results
// envelope (page_size 25–500) and its { errors: [{ reason }] } bodies. Tokens carry OAuth scopes as
// Linode's do: /v4/profile answers any valid token, /v4/linode/instances only one with linodes:read_only
// (or read_write, or *); otherwise 401 "Your OAuth token is not authorized to use this endpoint."
import { bearerToken, startFake, type Fake, type StartFakeOptions } from "./server.ts";

export const LINODE_TEST_TOKEN = "0123456789abcdef".repeat(4);
const REGIONS = ["us-east", "eu-west", "ap-south"];
const STATUSES = ["running", "running", "offline", "provisioning", "busy"];

/** Linode-specific switches; the shared ones live in `fake.switches`. */
export type LinodeSwitches = {
  /** The token's OAuth scopes, space-separated as Linode writes them ("*" = every scope). */
  scopes: string;
};

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
    status: STATUSES[index % STATUSES.length],
    created: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().slice(0, 19),
    updated: "2024-06-01T00:00:00",
    type: "g6-standard-1",
    ipv4: [`172.104.${(index >> 8) & 255}.${index & 255}`, `192.168.${(index >> 8) & 255}.${index & 255}`],
    ipv6: `2600:3c03::f03c:${index.toString(16)}/128`,
    image: "linode/debian12",
    region: REGIONS[index % REGIONS.length],
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
      if (request.method === "GET" && request.path === "/v4/linode/instances") {
        if (!linodeScopeAllows((fake as LinodeFake).linode.scopes, "linodes"))
          return errors(401, "Your OAuth token is not authorized to use this endpoint.");
        const asked = Number(request.url.searchParams.get("page_size") ?? 100);
        if (!Number.isInteger(asked) || asked < 25 || asked > 500) return errors(400, "page_size must be between 25 and 500");
        const size = Math.min(asked, fake.switches.maxPageSize);
        const total = fake.switches.resourceCount;
        const pages = Math.max(1, Math.ceil(total / size));
        const page = Number(request.url.searchParams.get("page") ?? 1);
        if (!Number.isInteger(page) || page < 1 || page > pages) return errors(400, "page out of range");
        const data = [];
        for (let i = (page - 1) * size; i < Math.min(total, page * size); i++) data.push(fakeLinode(i));
        return { headers: { "x-ratelimit-limit": "800" }, body: { data, page, pages, results: total } };
      }
      return errors(404, "Not found");
    },
    { ...options, switches: { maxPageSize: 500, ...options.switches } },
  ).then((base) => {
    const initial = (): LinodeSwitches => ({ scopes: "*", ...options.linode });
    const fake: LinodeFake = Object.assign(base, { token, linode: initial() });
    const baseReset = base.reset.bind(base);
    fake.reset = () => {
      baseReset();
      fake.linode = initial();
    };
    return fake;
  });
}
