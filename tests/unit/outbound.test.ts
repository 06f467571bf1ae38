import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkDestination,
  cidrContains,
  classifyAddress,
  isAddressAllowed,
  nodeAgents,
  OutboundRefusedError,
  parseCidr,
  RedirectLimitError,
  safeFetch,
  validateCidr,
  parseTrustedCidrs,
  type OutboundPolicy,
  type Resolver,
} from "../../supabase/functions/_shared/net/outbound.ts";
import { startFake, type Fake } from "../fakes/server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const strict: OutboundPolicy = { allowHttp: false, allowedCidrs: [] };
const httpOk: OutboundPolicy = { allowHttp: true, allowedCidrs: [] };
const resolveTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

async function refusal(promise: Promise<unknown>): Promise<OutboundRefusedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRefusedError);
  return error as OutboundRefusedError;
}

describe("checkDestination with literal addresses", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.254", "shared"],
    ["169.254.10.20", "link_local"],
    ["169.254.169.254", "metadata"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "multicast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
  ])("refuses the IPv4 address %s by the %s rule", async (address, rule) => {
    const error = await refusal(checkDestination(new URL(`https://${address}/v3`), strict));
    expect(error.rule).toBe(rule);
    expect(error.address).toBe(address);
    expect(error.message).toContain(`[rule: ${rule}]`);
  });

  it.each([
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link_local"],
    ["febf:ffff::1", "link_local"],
    ["fc00::1", "unique_local"],
    ["fd12:3456:789a::1", "unique_local"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["fec0::1", "reserved"],
    ["100::1", "reserved"],
  ])("refuses the IPv6 address %s by the %s rule", async (address, rule) => {
    const error = await refusal(checkDestination(new URL(`https://[${address}]/`), strict));
    expect(error.rule).toBe(rule);
  });

  it.each([
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["64:ff9b::a00:1", "private"],
    ["2002:c0a8:101::1", "private"],
  ])("judges the IPv4 address embedded in %s (%s)", async (address, rule) => {
    const error = await refusal(checkDestination(new URL(`https://[${address}]/`), strict));
    expect(error.rule).toBe(rule);
    expect(error.message).toMatch(/carrying/);
  });

  it("names the cloud metadata service when refusing 169.254.169.254 and fd00:ec2::254", async () => {
    expect((await refusal(checkDestination(new URL("https://169.254.169.254/latest/meta-data"), strict))).message).toMatch(
      /instance metadata service/,
    );
    expect((await refusal(checkDestination(new URL("https://[fd00:ec2::254]/"), strict))).message).toMatch(
      /AWS instance metadata service over IPv6/,
    );
  });

  it("sees through the integer and hex spellings of 127.0.0.1 that URL parsing normalises", async () => {
    expect((await refusal(checkDestination(new URL("https://2130706433/"), strict))).rule).toBe("loopback");
    expect((await refusal(checkDestination(new URL("https://0x7f.1/"), strict))).rule).toBe("loopback");
  });

  it("lets public IPv4 and IPv6 addresses through", async () => {
    await expect(checkDestination(new URL("https://93.184.216.34/"), strict)).resolves.toMatchObject({
      address: "93.184.216.34",
      family: 4,
    });
    await expect(checkDestination(new URL("https://[2606:2800:220:1:248:1893:25c8:1946]/"), strict)).resolves.toMatchObject({ family: 6 });
    await expect(checkDestination(new URL("https://172.32.0.1/"), strict)).resolves.toMatchObject({ address: "172.32.0.1" });
  });
});

describe("checkDestination with host names", () => {
  it("refuses a name that resolves to a private address and says which host and address", async () => {
    const error = await refusal(
      checkDestination(new URL("https://keystone.corp.example/v3"), strict, { resolve: resolveTo("10.20.30.40") }),
    );
    expect(error).toMatchObject({
      rule: "private",
      host: "keystone.corp.example",
      address: "10.20.30.40",
      status: 422,
      code: "refused_endpoint",
    });
    expect(error.message).toContain("keystone.corp.example (10.20.30.40)");
  });

  it("refuses a name whose answers mix a public and a private address", async () => {
    const error = await refusal(
      checkDestination(new URL("https://api.example.com/"), strict, { resolve: resolveTo("93.184.216.34", "169.254.169.254") }),
    );
    expect(error.rule).toBe("metadata");
  });

  it("refuses a name that resolves to an IPv4-mapped loopback address", async () => {
    const error = await refusal(checkDestination(new URL("https://sneaky.example/"), strict, { resolve: resolveTo("::ffff:127.0.0.1") }));
    expect(error.rule).toBe("loopback");
  });

  it("returns the checked addresses of a public name", async () => {
    const checked = await checkDestination(new URL("https://api.example.com/"), strict, {
      resolve: resolveTo("93.184.216.34", "2606:2800:220:1::1"),
    });
    expect(checked).toMatchObject({ address: "93.184.216.34", family: 4, hostname: "api.example.com" });
    expect(checked.addresses).toHaveLength(2);
  });
});

describe("policy options", () => {
  it("refuses plain http unless the organization allows it", async () => {
    const error = await refusal(checkDestination(new URL("http://93.184.216.34/"), strict));
    expect(error.rule).toBe("scheme");
    expect(error.message).toMatch(/plain http is not allowed/);
    await expect(checkDestination(new URL("http://93.184.216.34/"), httpOk)).resolves.toMatchObject({ address: "93.184.216.34" });
  });

  it("refuses schemes other than http and https even when http is allowed", async () => {
    expect((await refusal(checkDestination(new URL("ftp://93.184.216.34/"), httpOk))).rule).toBe("scheme");
  });

  it("lets an allow-listed private CIDR through, including its IPv4-mapped form", async () => {
    const onPrem: OutboundPolicy = { allowHttp: false, allowedCidrs: ["10.20.0.0/16", "fd00:1234::/32"] };
    await expect(checkDestination(new URL("https://10.20.30.40/"), onPrem)).resolves.toMatchObject({ address: "10.20.30.40" });
    await expect(checkDestination(new URL("https://[::ffff:10.20.1.1]/"), onPrem)).resolves.toMatchObject({ family: 6 });
    await expect(checkDestination(new URL("https://[fd00:1234::5]/"), onPrem)).resolves.toMatchObject({ family: 6 });
    expect((await refusal(checkDestination(new URL("https://10.21.0.1/"), onPrem))).rule).toBe("private");
    expect((await refusal(checkDestination(new URL("https://[fd00:1235::5]/"), onPrem))).rule).toBe("unique_local");
  });

  it("matches CIDRs bit by bit and rejects malformed ones by name", () => {
    expect(cidrContains("172.16.0.0/12", "172.31.255.255")).toBe(true);
    expect(cidrContains("172.16.0.0/12", "172.32.0.0")).toBe(false);
    expect(cidrContains("127.0.0.1/32", "127.0.0.1")).toBe(true);
    expect(cidrContains("127.0.0.1/32", "127.0.0.2")).toBe(false);
    expect(cidrContains("fe80::/10", "febf::1")).toBe(true);
    expect(cidrContains("fe80::/10", "fec0::1")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "8.8.8.8")).toBe(true);
    expect(cidrContains("not a cidr", "8.8.8.8")).toBe(false);
    expect(() => parseCidr("10.0.0.0/33")).toThrow(/"10\.0\.0\.0\/33" is not a CIDR/);
    expect(validateCidr("10.0.0.0/8")).toBeNull();
    expect(validateCidr("300.0.0.0/8")).toMatch(/not a CIDR/);
  });

  it("never lets an organization allow-list loopback, metadata, link-local, 0.0.0.0/8 or anything wider than /8", () => {
    for (const cidr of [
      "169.254.169.254/32",
      "169.254.0.0/16",
      "127.0.0.0/8",
      "127.0.0.1/32",
      "0.0.0.0/0",
      "0.0.0.0/8",
      "8.0.0.0/7",
      "::/0",
      "::1/128",
      "fe80::/10",
      "fe80::1/128",
      "fd00:ec2::254/128",
      "fd00::/8",
      "::ffff:127.0.0.1/128",
      "::ffff:169.254.169.254/128",
      "64:ff9b::7f00:1/128",
      "2002:7f00:1::/48",
      "100.100.100.200/32",
      "192.0.0.192/32",
    ]) {
      expect({ cidr, problem: validateCidr(cidr) }).toEqual({
        cidr,
        problem: expect.stringMatching(/can never be allow-listed|wider than \/8/),
      });
    }
    for (const cidr of ["10.0.0.0/8", "10.20.0.0/16", "192.168.1.0/24", "172.16.0.0/12", "fd00:1234::/32", "100.64.0.0/16"]) {
      expect(validateCidr(cidr)).toBeNull();
    }
  });

  it("refuses loopback and metadata addresses even when a policy's allow-list holds them", async () => {
    const smuggled: OutboundPolicy = {
      allowHttp: true,
      allowedCidrs: ["169.254.169.254/32", "127.0.0.0/8", "0.0.0.0/0", "fd00:ec2::254/128"],
    };
    expect((await refusal(checkDestination(new URL("http://169.254.169.254/latest/meta-data/"), smuggled))).rule).toBe("metadata");
    expect((await refusal(checkDestination(new URL("http://127.0.0.1:8080/"), smuggled))).rule).toBe("loopback");
    expect((await refusal(checkDestination(new URL("http://[fd00:ec2::254]/"), smuggled))).rule).toBe("metadata");
    // 0.0.0.0/0 is ignored as a whole, so it opens no private address either.
    expect((await refusal(checkDestination(new URL("http://10.1.2.3/"), smuggled))).rule).toBe("private");
    // What the operator trusts (CLOUDKEEP_TRUSTED_CIDRS) is another matter: not an organization's to set.
    await expect(
      checkDestination(new URL("http://127.0.0.1:8080/"), { ...strict, allowHttp: true, trustedCidrs: ["127.0.0.1/32"] }),
    ).resolves.toMatchObject({ address: "127.0.0.1" });
  });

  it("reads the operator's trusted networks from the environment and names the variable when one is malformed", () => {
    expect(parseTrustedCidrs(undefined)).toEqual([]);
    expect(parseTrustedCidrs(" 127.0.0.1/32, ::1/128 ")).toEqual(["127.0.0.1/32", "::1/128"]);
    expect(() => parseTrustedCidrs("127.0.0.1/33")).toThrow(/^CLOUDKEEP_TRUSTED_CIDRS: /);
  });

  it("answers isAddressAllowed for public, refused and allow-listed addresses", () => {
    expect(isAddressAllowed("8.8.8.8", strict)).toBe(true);
    expect(isAddressAllowed("192.168.0.10", strict)).toBe(false);
    expect(isAddressAllowed("192.168.0.10", { allowHttp: false, allowedCidrs: ["192.168.0.0/24"] })).toBe(true);
    expect(isAddressAllowed("not-an-ip", strict)).toBe(false);
    expect(classifyAddress("1.1.1.1")).toBeNull();
  });
});

describe("safeFetch", () => {
  // Two fakes on different loopback addresses: 127.0.0.1 is allow-listed (the test's "endpoint"),
  // 127.0.0.2 plays an internal service that must never be reached.
  let entry: Fake;
  let internal: Fake;
  let other: Fake;
  const tests: OutboundPolicy = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };

  beforeAll(async () => {
    internal = await startFake(() => ({ body: { secret: "internal" } }), { host: "127.0.0.2" });
    other = await startFake(() => ({ body: { ok: true } }), { host: "127.0.0.3" });
    entry = await startFake((request) => {
      const to = request.url.searchParams.get("to");
      if (request.path === "/redirect" && to) return { status: 302, headers: { location: to } };
      if (request.path === "/loop") return { status: 307, headers: { location: "/loop" } };
      return { body: { host: request.headers.host, authorization: request.headers.authorization ?? null } };
    });
  });
  afterAll(async () => {
    await Promise.all([entry.close(), internal.close(), other.close()]);
  });

  it("reaches an allow-listed address", async () => {
    const response = await safeFetch(tests)(`${entry.url}/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ host: `127.0.0.1:${entry.port}` });
  });

  it("refuses a redirect to a private address without sending it a single request", async () => {
    internal.reset();
    const error = await refusal(safeFetch(tests)(`${entry.url}/redirect?to=${encodeURIComponent(`${internal.url}/`)}`));
    expect(error.rule).toBe("loopback");
    expect(error.address).toBe("127.0.0.2");
    expect(internal.requests).toHaveLength(0);
  });

  it("refuses a redirect to a name that resolves to a private address, with no request reaching it", async () => {
    internal.reset();
    const fetchChecked = safeFetch(tests, {
      resolve: async (host) =>
        host === "metadata.internal" ? [{ address: "127.0.0.2", family: 4 }] : [{ address: "127.0.0.1", family: 4 }],
    });
    const error = await refusal(
      fetchChecked(`${entry.url}/redirect?to=${encodeURIComponent(`http://metadata.internal:${internal.port}/`)}`),
    );
    expect(error.host).toBe("metadata.internal");
    expect(internal.requests).toHaveLength(0);
  });

  it("refuses plain http before connecting when the organization does not allow it", async () => {
    entry.reset();
    const error = await refusal(safeFetch({ allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] })(`${entry.url}/hello`));
    expect(error.rule).toBe("scheme");
    expect(entry.requests).toHaveLength(0);
  });

  it("connects to the address it checked instead of asking DNS again", async () => {
    // "api.pinned.test" exists in no DNS: only the pinned, checked address can carry this request.
    let lookups = 0;
    const fetchChecked = safeFetch(tests, {
      resolve: async () => {
        lookups++;
        return [{ address: "127.0.0.1", family: 4 }];
      },
    });
    const response = await fetchChecked(`http://api.pinned.test:${entry.port}/hello`);
    expect(await response.json()).toMatchObject({ host: `api.pinned.test:${entry.port}` });
    expect(lookups).toBe(1);
  });

  it("keeps the host name for TLS (SNI and certificate check) while connecting to the pinned address", async () => {
    const tls = {
      key: readFileSync(path.join(root, "tests/fakes/certs/server-key.pem")),
      cert: readFileSync(path.join(root, "tests/fakes/certs/server.pem")),
    };
    const ca = readFileSync(path.join(root, "tests/fakes/certs/ca.pem"), "utf8");
    const secure = await startFake((request) => ({ body: { host: request.headers.host } }), { https: tls });
    try {
      const pinned = { resolve: resolveTo("127.0.0.1"), ca };
      const ok = await safeFetch(
        { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
        pinned,
      )(`https://localhost:${secure.port}/`);
      expect(await ok.json()).toEqual({ host: `localhost:${secure.port}` });
      // The certificate names localhost, not this host: the check still runs against the name in the URL.
      const wrong = await safeFetch(
        { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
        pinned,
      )(`https://wrong-name.test:${secure.port}/`).catch((e: unknown) => e);
      expect((wrong as { code?: string }).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    } finally {
      await secure.close();
    }
  });

  it("drops the Authorization header when a redirect leaves the origin", async () => {
    other.reset();
    const both: OutboundPolicy = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32", "127.0.0.3/32"] };
    const response = await safeFetch(both)(`${entry.url}/redirect?to=${encodeURIComponent(`${other.url}/landing`)}`, {
      headers: { authorization: "Bearer do-not-forward" },
    });
    expect(response.status).toBe(200);
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${other.url}/landing`);
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("stops after five redirects", async () => {
    entry.reset();
    await expect(safeFetch(tests)(`${entry.url}/loop`)).rejects.toBeInstanceOf(RedirectLimitError);
    expect(entry.hits("/loop")).toHaveLength(6);
  });

  it("pins the checked address and refuses private redirects under Deno too", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cloudkeep-deno-outbound-"));
    const script = path.join(dir, "check.ts");
    const outbound = pathToFileURL(path.join(root, "supabase/functions/_shared/net/outbound.ts")).href;
    await writeFile(
      script,
      `import http from "node:http";
import https from "node:https";
import { nodeAgents, safeFetch } from ${JSON.stringify(outbound)};
const policy = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
const resolve = async () => [{ address: "127.0.0.1", family: 4 }];
const pinned = safeFetch(policy, { resolve });
const body = await (await pinned("http://api.pinned.test:${entry.port}/hello")).json();
let refused = "none";
try { await safeFetch(policy)(${JSON.stringify(`${entry.url}/redirect?to=${encodeURIComponent(`${internal.url}/`)}`)}); } catch (e) { refused = e.rule; }
const { httpAgent } = nodeAgents(policy, { resolve });
const get = (url) => new Promise((ok, fail) => http.get(url, { agent: httpAgent }, (r) => { r.resume(); ok(r.statusCode); }).on("error", fail));
const agentStatus = await get("http://sdk.pinned.test:${entry.port}/hello");
const agentRefused = await get(${JSON.stringify(`${internal.url}/`)}).then(() => "none", (e) => e.rule);
httpAgent.destroy();
console.log(JSON.stringify({ host: body.host, refused, agentStatus, agentRefused }));
`,
    );
    internal.reset();
    try {
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          path.join(root, "node_modules/.bin/deno"),
          [
            "run",
            "--quiet",
            "--allow-net",
            "--allow-read",
            "--allow-env",
            "--allow-sys",
            "--config",
            path.join(root, "supabase/functions/deno.json"),
            script,
          ],
          { cwd: root, timeout: 60_000 },
          (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
        ),
      );
      expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({
        host: `api.pinned.test:${entry.port}`,
        refused: "loopback",
        agentStatus: 200,
        agentRefused: "loopback",
      });
      expect(internal.requests).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("nodeAgents for SDK clients", () => {
  let internal: Fake;
  let allowed: Fake;
  beforeAll(async () => {
    internal = await startFake(() => ({ body: {} }), { host: "127.0.0.2" });
    allowed = await startFake(() => ({ body: { ok: true } }));
  });
  afterAll(async () => {
    await Promise.all([internal.close(), allowed.close()]);
  });

  function get(agent: http.Agent, url: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { agent }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
    });
  }

  it("refuses a host name that resolves to a private address, before connecting", async () => {
    const { httpAgent } = nodeAgents(httpOk, { resolve: resolveTo("127.0.0.2") });
    const error = await get(httpAgent, `http://internal.example:${internal.port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect(internal.requests).toHaveLength(0);
  });

  it("refuses a literal private address, which Node never passes to lookup", async () => {
    const { httpAgent } = nodeAgents(httpOk);
    const error = await get(httpAgent, `${internal.url}/`).catch((e: unknown) => e);
    expect(error).toMatchObject({ rule: "loopback", address: "127.0.0.2" });
    expect(internal.requests).toHaveLength(0);
  });

  it("refuses every plain-http connection when the organization does not allow http", async () => {
    const { httpAgent } = nodeAgents({ allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] });
    expect(await get(httpAgent, `${allowed.url}/`).catch((e: unknown) => e)).toMatchObject({ rule: "scheme" });
  });

  it("connects to allow-listed addresses through the checked lookup", async () => {
    const { httpAgent } = nodeAgents(
      { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
      { resolve: resolveTo("127.0.0.1") },
    );
    expect(await get(httpAgent, `http://sdk.example:${allowed.port}/`)).toBe(200);
    expect(allowed.requests.at(-1)?.headers.host).toBe(`sdk.example:${allowed.port}`);
    httpAgent.destroy();
  });

  it("keeps TLS verification on the host name in the https agent, and refuses literal private addresses there too", async () => {
    const tls = {
      key: readFileSync(path.join(root, "tests/fakes/certs/server-key.pem")),
      cert: readFileSync(path.join(root, "tests/fakes/certs/server.pem")),
    };
    const ca = readFileSync(path.join(root, "tests/fakes/certs/ca.pem"), "utf8");
    const secure = await startFake(() => ({ body: { ok: true } }), { https: tls });
    try {
      const { httpsAgent } = nodeAgents(
        { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
        { resolve: resolveTo("127.0.0.1"), ca },
      );
      const status = await new Promise<number>((resolve, reject) =>
        https
          .get(`https://localhost:${secure.port}/`, { agent: httpsAgent }, (r) => (r.resume(), resolve(r.statusCode ?? 0)))
          .on("error", reject),
      );
      expect(status).toBe(200);
      const refused = await new Promise((resolve) =>
        https.get(`https://127.0.0.2:${secure.port}/`, { agent: httpsAgent }, () => resolve("connected")).on("error", resolve),
      );
      expect(refused).toMatchObject({ rule: "loopback" });
      httpsAgent.destroy();
    } finally {
      await secure.close();
    }
  });
});
