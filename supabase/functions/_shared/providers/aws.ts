// The AWS adapter: STS GetCallerIdentity proves the key, EC2 DescribeRegions + DescribeInstances
// (every enabled region in parallel, every page) lists the instances. The official SDK v3 does the
// signing and retries; its sockets go through the outbound policy's agents.
//
// The SDK modules load on first use (dynamic import): a health check never pays for EC2's client.
import { setImmediate } from "node:timers";
import { NodeHttpHandler, streamCollector } from "@smithy/node-http-handler";
import type { EC2Client, Instance } from "@aws-sdk/client-ec2";
import { mapLimit } from "../concurrency.ts";
import { toProviderFailure, UpstreamError, providerFailure } from "../net/http.ts";
import { nodeAgents, type NodeAgentOptions } from "../net/outbound.ts";
import type { AwsCredentials, AwsKeyCredentials } from "../schemas/providers.ts";
import { describeAwsError, type AwsCallDescription } from "./aws-errors.ts";
import type {
  AdapterContext,
  HealthResult,
  ListResult,
  NormalizedResource,
  ProviderAdapter,
  ProviderFailure,
  ResourceStatus,
} from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_AWS_REGION = "us-east-1";
/** SDK attempts per call (1 + 2 retries with the SDK's standard backoff, honouring Retry-After). */
export const AWS_MAX_ATTEMPTS = 3;
/**
 * Regions listed at once. Each region is its own host on AWS, and an account has 17 regions enabled by
 * default, so every default region runs at once and a listing takes as long as its slowest region.
 */
export const REGION_CONCURRENCY = 20;
/** DescribeInstances page size (the API's maximum). */
const PAGE_SIZE = 1000;

// ---------------------------------------------------------------------------------------------------
// SDK plumbing shared with the S3-compatible adapter

type KeyPair = { access_key: string; secret_key: string; session_token?: string };

/** One adapter call's SDK runtime: a request handler on policy-checked agents, the time budget and the secrets to keep out of messages. */
export type AwsSession = {
  requestHandler: NodeHttpHandler;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  apiEndpoint: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
  secrets: string[];
  temporary: boolean;
  /** Frees the sockets of this call. */
  close(): void;
};

export function openAwsSession(keys: KeyPair, context: AdapterContext, agentOptions: NodeAgentOptions = {}): AwsSession {
  const timeoutMs = context.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { httpAgent, httpsAgent } = nodeAgents(context.outbound, agentOptions);
  const requestHandler = new NodeHttpHandler({
    httpAgent,
    httpsAgent,
    connectionTimeout: Math.min(timeoutMs, 5_000),
    requestTimeout: timeoutMs,
  });
  return {
    requestHandler,
    // Passed explicitly: these clients never read the environment's or the machine's credentials.
    credentials: {
      accessKeyId: keys.access_key,
      secretAccessKey: keys.secret_key,
      ...(keys.session_token ? { sessionToken: keys.session_token } : {}),
    },
    apiEndpoint: context.apiEndpoint,
    timeoutMs,
    signal: context.signal,
    secrets: [keys.secret_key, keys.session_token ?? ""].filter(Boolean),
    temporary: Boolean(keys.session_token),
    close: () => requestHandler.destroy(),
  };
}

/** The options every SDK client of a session gets. */
export function sdkClientConfig(session: AwsSession, region: string) {
  return {
    region,
    credentials: session.credentials,
    ...(session.apiEndpoint ? { endpoint: session.apiEndpoint } : {}),
    requestHandler: session.requestHandler,
    maxAttempts: AWS_MAX_ATTEMPTS,
    retryMode: "standard",
    // The endpoint is the provider's api_endpoint or AWS's; never AWS_ENDPOINT_URL or ~/.aws/config.
    ignoreConfiguredEndpointUrls: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
  } as const;
}

/**
 * Drops the SDK's logger middleware. It never logs here (no logger is configured), but it still builds
 * a redacted copy of every response for the no-op logger: about a tenth of the CPU of a big listing.
 */
export function withoutSdkLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove("loggerMiddleware");
  return client;
}

/**
 * Reads each answer whole, then lets the event loop turn once before the SDK parses it. Under Deno, sockets
 * are read and written only between turns of the event loop: when the pages of many regions arrive
 * together, their XML was parsed back to back and every region's next request waited for all of them
 * (17 regions took 1.8× their slowest chain of pages instead of 1.2×; bench/resources.ts). Node, which
 * writes to a socket at once, is unaffected.
 */
export function withEventLoopTurns(client: EC2Client): EC2Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { body?: unknown };
      if (response?.body && !(response.body instanceof Uint8Array)) response.body = await streamCollector(response.body as never);
      await new Promise<void>((resolve) => setImmediate(resolve));
      return result;
    },
    // Inside the SDK's deserializer (same step, lower priority): between the raw answer and its parsing.
    { step: "deserialize", priority: "low", name: "cloudkeepEventLoopTurn" },
  );
  return client;
}

/** The host named in messages: the override's, or the AWS endpoint the SDK will use. */
export function endpointHost(session: Pick<AwsSession, "apiEndpoint">, service: string, region: string): string {
  if (session.apiEndpoint) {
    try {
      return new URL(session.apiEndpoint).host;
    } catch {
      return session.apiEndpoint;
    }
  }
  return `${service}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/**
 * Runs one SDK call (with its retries) inside the time budget and turns any failure into an
 * UpstreamError (no cause attached: SDK errors carry the raw response). The budget covers every
 * attempt and every backoff, so a call never outlives it.
 */
export async function awsCall<T>(
  session: Pick<AwsSession, "apiEndpoint" | "timeoutMs" | "signal" | "secrets" | "temporary">,
  call: Pick<AwsCallDescription, "service" | "action" | "region">,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = AbortSignal.timeout(session.timeoutMs);
  const abortSignal = session.signal ? AbortSignal.any([deadline, session.signal]) : deadline;
  try {
    return await send(abortSignal);
  } catch (error) {
    const failure = describeAwsError(error, {
      ...call,
      host: endpointHost(session, call.service, call.region),
      timedOut: deadline.aborted,
      cancelled: !deadline.aborted && Boolean(session.signal?.aborted),
      timeoutMs: session.timeoutMs,
      secrets: session.secrets,
      temporary: session.temporary,
    });
    const upstreamStatus = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    throw new UpstreamError({ ...failure, ...(upstreamStatus ? { upstreamStatus } : {}) });
  }
}

/** The failure to report for anything an adapter call threw. */
export function failureOf(error: unknown): ProviderFailure {
  return toProviderFailure(error);
}

/** A guard against an endpoint that never stops handing out tokens. */
const MAX_PAGES = 1000;

/**
 * Every item of a paginated AWS call: `page` is asked with each `next` token until none comes back. A
 * token handed out twice, or more than a thousand pages, is the endpoint's fault and says so; `where`
 * names the call ("DescribeVolumes in eu-west-1"), `tooMany` what to do about too many pages.
 */
export async function followPages<T>(
  where: string,
  page: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
  tooMany = "Limit the provider to fewer regions.",
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const { items, next } = await page(token);
    out.push(...items);
    if (!next) return out;
    if (seen.has(next)) {
      throw new UpstreamError(
        providerFailure(
          "malformed_response",
          `${where} handed out the same page token twice.`,
          "The endpoint's pagination is broken; report it to its operator.",
          502,
        ),
      );
    }
    seen.add(next);
    token = next;
  }
  throw new UpstreamError(providerFailure("too_many_pages", `${where} returned more than ${MAX_PAGES} pages.`, tooMany, 502));
}

/** AWS's [{Key, Value}] tags as a record. */
export function awsTags(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key) out[tag.Key] = tag.Value ?? "";
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Normalization and console links

const EC2_STATUS: Record<string, ResourceStatus> = {
  pending: "pending",
  running: "running",
  stopping: "stopped",
  stopped: "stopped",
  "shutting-down": "terminated",
  terminated: "terminated",
};

/** A page of the AWS console in the region's partition (`ec2/home?region=…#…`); null in isolated regions, which have no public console. */
export function awsConsoleUrl(region: string, page: string): string | null {
  if (region.startsWith("us-gov-")) return `https://console.amazonaws-us-gov.com/${page}`;
  if (region.startsWith("cn-")) return `https://console.amazonaws.cn/${page}`;
  if (/^[a-z]{2}-iso/.test(region)) return null;
  return `https://${region}.console.aws.amazon.com/${page}`;
}

/** The EC2 console page of one instance, in its partition's console. */
export function ec2ConsoleUrl(region: string, instanceId: string): string | null {
  return awsConsoleUrl(
    region,
    `ec2/home?region=${encodeURIComponent(region)}#InstanceDetails:instanceId=${encodeURIComponent(instanceId)}`,
  );
}

const iso = (value: Date | string | undefined) => (value ? new Date(value).toISOString() : null);

export function normalizeInstance(instance: Instance, region: string): NormalizedResource {
  const id = instance.InstanceId ?? "";
  const tags = awsTags(instance.Tags);
  const publicIps = new Set<string>();
  const privateIps = new Set<string>();
  if (instance.PublicIpAddress) publicIps.add(instance.PublicIpAddress);
  if (instance.PrivateIpAddress) privateIps.add(instance.PrivateIpAddress);
  if (instance.Ipv6Address) publicIps.add(instance.Ipv6Address);
  for (const nic of instance.NetworkInterfaces ?? []) {
    if (nic.Association?.PublicIp) publicIps.add(nic.Association.PublicIp);
    for (const address of nic.PrivateIpAddresses ?? []) {
      if (address.PrivateIpAddress) privateIps.add(address.PrivateIpAddress);
      if (address.Association?.PublicIp) publicIps.add(address.Association.PublicIp);
    }
    for (const address of nic.Ipv6Addresses ?? []) if (address.Ipv6Address) publicIps.add(address.Ipv6Address);
  }
  // LaunchTime moves on every start; the primary interface is attached once, when the instance is created.
  const primary = instance.NetworkInterfaces?.find((nic) => nic.Attachment?.DeviceIndex === 0);
  const rawStatus = instance.State?.Name ?? null;
  return {
    id,
    name: tags.Name || id,
    type: "instance",
    region,
    zone: instance.Placement?.AvailabilityZone ?? null,
    status: (rawStatus && EC2_STATUS[rawStatus]) || "unknown",
    raw_status: rawStatus,
    size: instance.InstanceType ?? null,
    public_ips: [...publicIps],
    private_ips: [...privateIps],
    tags,
    created_at: iso(primary?.Attachment?.AttachTime) ?? iso(instance.LaunchTime),
    console_url: id ? ec2ConsoleUrl(region, id) : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// The adapter

export const homeRegion = (credentials: AwsCredentials) => credentials.region ?? DEFAULT_AWS_REGION;

/** A role (by external ID or by web identity) is assumed first (aws-assume-role.ts, loaded only for roles); keys are used as they are. */
async function checkHealth(credentials: AwsCredentials, context: AdapterContext): Promise<HealthResult> {
  if ("role_arn" in credentials) return (await import("./aws-assume-role.ts")).checkRoleHealth(credentials, context);
  return checkKeyHealth(credentials, context);
}

/** Runs `work` with access keys: the credential's own, or a role's session keys (assumed, or cached). */
export async function withAwsKeys<T>(
  credentials: AwsCredentials,
  context: AdapterContext,
  work: (keys: AwsKeyCredentials) => Promise<T>,
): Promise<T> {
  if (!("role_arn" in credentials)) return work(credentials);
  const { withRoleSession } = await import("./aws-assume-role.ts");
  return withRoleSession(credentials, context, work);
}

function listResources(credentials: AwsCredentials, context: AdapterContext & { type?: string }): Promise<ListResult> {
  return withAwsKeys(credentials, context, (keys) => listWithKeys(keys, context));
}

/** sts:GetCallerIdentity with an access key: proves the key and names its account. */
export async function checkKeyHealth(credentials: AwsKeyCredentials, context: AdapterContext): Promise<HealthResult> {
  const checkedAt = new Date().toISOString();
  const region = homeRegion(credentials);
  const session = openAwsSession(credentials, context);
  let started = performance.now();
  try {
    const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const sts = withoutSdkLogging(new STSClient(sdkClientConfig(session, region)));
    started = performance.now();
    const identity = await awsCall(session, { service: "sts", action: "sts:GetCallerIdentity", region }, (abortSignal) =>
      sts.send(new GetCallerIdentityCommand({}), { abortSignal }),
    );
    const latencyMs = Math.round(performance.now() - started);
    if (!identity.Account) {
      return {
        ok: false,
        error: {
          code: "malformed_response",
          message: "GetCallerIdentity answered without an account id.",
          hint: "Check the API endpoint is an AWS-compatible STS endpoint.",
          status: 502,
          retryable: false,
        },
        latencyMs,
        checkedAt,
      };
    }
    // The key's own age and last use, where IAM tells (never for temporary keys; never fails the check).
    const { awsKeyUsage, keyUsageDetails } = await import("./aws-key-usage.ts");
    const usage = keyUsageDetails(await awsKeyUsage(credentials, session, region));
    return {
      ok: true,
      identity: {
        account: identity.Account,
        label: identity.Arn,
        details: { arn: identity.Arn ?? "", userId: identity.UserId ?? "", ...usage },
      },
      latencyMs,
      checkedAt,
    };
  } catch (error) {
    return { ok: false, error: failureOf(error), latencyMs: Math.round(performance.now() - started), checkedAt };
  } finally {
    session.close();
  }
}

function listRegion(
  session: AwsSession,
  client: EC2Client,
  region: string,
  DescribeInstancesCommand: typeof import("@aws-sdk/client-ec2").DescribeInstancesCommand,
): Promise<NormalizedResource[]> {
  return followPages(`DescribeInstances in ${region}`, async (token) => {
    const output = await awsCall(session, { service: "ec2", action: "ec2:DescribeInstances", region }, (abortSignal) =>
      client.send(new DescribeInstancesCommand({ MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }), { abortSignal }),
    );
    const items = (output.Reservations ?? []).flatMap((reservation) =>
      (reservation.Instances ?? []).map((instance) => normalizeInstance(instance, region)),
    );
    return { items, next: output.NextToken || undefined };
  });
}

/** The types an AWS listing asks for, each per region: EC2 instances here, the others in aws-resources.ts. */
const AWS_TYPES = ["instance", "volume", "database", "kubernetes_cluster", "load_balancer"] as const;
type AwsType = (typeof AWS_TYPES)[number];

/** S3 buckets: one global ListBuckets (through the S3 adapter's listing, which names each bucket's region on AWS). */
async function listAwsBuckets(credentials: AwsKeyCredentials, context: AdapterContext): Promise<ListResult> {
  const { listBucketResources } = await import("./s3-compatible.ts");
  const keys = { ...credentials, region: homeRegion(credentials), force_path_style: false };
  return listBucketResources(keys, { ...context, type: "bucket" });
}

async function listWithKeys(credentials: AwsKeyCredentials, context: AdapterContext & { type?: string }): Promise<ListResult> {
  if (context.type === "bucket") return listAwsBuckets(credentials, context);
  const wanted = AWS_TYPES.filter((type) => !context.type || context.type === type);
  if (wanted.length === 0) return { resources: [], partialFailures: [] };
  // Buckets are listed beside the regional types; their failure is partial like any other type's.
  const buckets = context.type ? null : listAwsBuckets(credentials, context).catch((error: unknown) => ({ failure: failureOf(error) }));
  const session = openAwsSession(credentials, context);
  try {
    const { EC2Client, DescribeRegionsCommand, DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
    const clients = new Map<string, EC2Client>();
    const clientFor = (region: string) => {
      let client = clients.get(region);
      if (!client) clients.set(region, (client = withEventLoopTurns(withoutSdkLogging(new EC2Client(sdkClientConfig(session, region))))));
      return client;
    };
    const home = homeRegion(credentials);
    const partialFailures: ListResult["partialFailures"] = [];

    let regions: string[];
    try {
      const output = await awsCall(session, { service: "ec2", action: "ec2:DescribeRegions", region: home }, (abortSignal) =>
        clientFor(home).send(new DescribeRegionsCommand({}), { abortSignal }),
      );
      const enabled = (output.Regions ?? []).map((r) => r.RegionName).filter((name): name is string => Boolean(name));
      if (context.regions.length > 0) {
        regions = context.regions.filter((region) => enabled.includes(region));
        for (const region of context.regions.filter((r) => !enabled.includes(r))) {
          partialFailures.push({
            scope: region,
            code: "region_not_enabled",
            message: `${region} is not enabled for this account. Enable it (Account → AWS Regions) or remove it from the provider's regions.`,
          });
        }
      } else {
        regions = enabled;
      }
    } catch (error) {
      // Without ec2:DescribeRegions a provider limited to named regions can still be listed.
      if (context.regions.length > 0 && error instanceof UpstreamError && error.status === 403) regions = [...context.regions];
      else throw error;
    }

    // Volumes, databases, clusters and load balancers load their code (and RDS, EKS and ELB their SDKs) only when listed.
    const more = wanted.some((type) => type !== "instance") ? await import("./aws-resources.ts") : null;
    const rdsFor = more && wanted.includes("database") ? await more.rdsClients(session) : null;
    const eksFor = more && wanted.includes("kubernetes_cluster") ? await more.eksClients(session) : null;
    const elbFor = more && wanted.includes("load_balancer") ? await more.elbClients(session) : null;
    const listers: Record<AwsType, (region: string) => Promise<NormalizedResource[]>> = {
      instance: (region) => listRegion(session, clientFor(region), region, DescribeInstancesCommand),
      volume: (region) => more!.listVolumes(session, clientFor(region), region),
      database: (region) => more!.listDatabases(session, rdsFor!(region), region),
      kubernetes_cluster: (region) => more!.listClusters(session, eksFor!(region), region),
      load_balancer: (region) => more!.listLoadBalancers(session, elbFor!(region), region),
    };
    const jobs = wanted.flatMap((type) => regions.map((region) => ({ type, region })));
    // Each region is its own host, and each service too: every region of every type at once.
    const results = await mapLimit(jobs, REGION_CONCURRENCY * wanted.length, async ({ type, region }) => {
      try {
        return { type, region, resources: await listers[type](region) };
      } catch (error) {
        return { type, region, failure: failureOf(error) };
      }
    });

    const resources: NormalizedResource[] = [];
    for (const result of results) if ("resources" in result && result.resources) resources.push(...result.resources);
    for (const type of wanted) {
      const failed = results
        .filter((r) => r.type === type && "failure" in r && r.failure)
        .map((r) => ({ region: r.region, failure: r.failure! }));
      const [first] = failed;
      if (!first) continue;
      // Every region failing is not partial for the type asked alone, nor for instances (the key, its
      // permissions or the endpoint are wrong); for another type it is that type's failure.
      if (failed.length === regions.length && (type === "instance" || wanted.length === 1)) throw new UpstreamError(first.failure);
      const note = (failure: ProviderFailure) => `${failure.message} ${failure.hint}`;
      if (type !== "instance" && failed.length === regions.length && failed.every((f) => f.failure.code === first.failure.code)) {
        partialFailures.push({ scope: type, code: first.failure.code, message: note(first.failure) });
        continue;
      }
      // Instances keep their failures scoped to the region alone, as before there were other types.
      for (const { region, failure } of failed)
        partialFailures.push({ scope: type === "instance" ? region : `${type}/${region}`, code: failure.code, message: note(failure) });
    }
    const listed = await buckets;
    if (listed && "failure" in listed) {
      partialFailures.push({ scope: "bucket", code: listed.failure.code, message: `${listed.failure.message} ${listed.failure.hint}` });
    } else if (listed) {
      resources.push(...listed.resources);
    }
    return { resources, partialFailures };
  } finally {
    session.close();
  }
}

export const awsAdapter: ProviderAdapter<"aws"> = { kind: "aws", checkHealth, listResources };
