// The S3-compatible adapter (MinIO, Ceph RGW, Wasabi, R2, AWS S3 itself): ListBuckets against the
// provider's endpoint proves the key, and the buckets are its resources. Official @aws-sdk/client-s3,
// path-style addressing as the credential says, sockets through the outbound policy's agents.
import type { S3Client } from "@aws-sdk/client-s3";
import type { NodeAgentOptions } from "../net/outbound.ts";
import { headTailHint } from "../schemas/providers/common.ts";
import type { S3CompatibleCredentials } from "../schemas/providers.ts";
import { awsCall, failureOf, openAwsSession, sdkClientConfig, withoutSdkLogging, type AwsSession } from "./aws.ts";
import { UpstreamError, providerFailure } from "../net/http.ts";
import { digitaloceanSpacesUrl } from "./console-links.ts";
import type { AdapterContext, HealthResult, ListResult, NormalizedResource, ProviderAdapter } from "./types.ts";

const MAX_PAGES = 1000;

/**
 * An S3 client for this credential and endpoint, on the session's policy-checked sockets. Exported so
 * tests can prove the addressing style reaches the wire (`agentOptions.resolve` stubs DNS there).
 */
export async function openS3Client(
  credentials: S3CompatibleCredentials,
  context: AdapterContext,
  agentOptions: NodeAgentOptions = {},
): Promise<{ client: S3Client; session: AwsSession }> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const session = openAwsSession(credentials, context, agentOptions);
  const client = withoutSdkLogging(
    new S3Client({
      ...sdkClientConfig(session, credentials.region),
      // MinIO and most self-hosted servers have no per-bucket DNS names: https://host/bucket.
      forcePathStyle: credentials.force_path_style,
      followRegionRedirects: false,
      // Only the checksums a request requires: several S3-compatible servers reject the newer ones.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      disableS3ExpressSessionAuth: true,
    }),
  );
  return { client, session };
}

/** `https://s3.console.aws.amazon.com/…` for buckets on AWS S3 itself; null for other servers (MinIO's console runs on another port and path we cannot know). */
export function s3ConsoleUrl(apiEndpoint: string | null, bucket: string, region: string): string | null {
  let host: string;
  try {
    host = apiEndpoint ? new URL(apiEndpoint).hostname : "s3.amazonaws.com";
  } catch {
    return null;
  }
  if (!/(^|\.)s3([.-][a-z0-9-]+)*\.amazonaws\.com$/.test(host)) return null;
  const path = `s3/buckets/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}`;
  return region.startsWith("us-gov-") ? `https://console.amazonaws-us-gov.com/${path}` : `https://s3.console.aws.amazon.com/${path}`;
}

/**
 * DigitalOcean Spaces: its S3 API answers at `https://<region>.digitaloceanspaces.com` and lists the
 * Spaces (buckets) of that one region, so the endpoint names every bucket's region (the key's signing
 * region is any, conventionally us-east-1). Null for any other endpoint.
 */
export function spacesRegionOf(apiEndpoint: string | null): string | null {
  if (!apiEndpoint) return null;
  try {
    return /^([a-z]{3}\d)\.digitaloceanspaces\.com$/.exec(new URL(apiEndpoint).hostname)?.[1] ?? null;
  } catch {
    return null;
  }
}

type Bucket = { Name?: string; CreationDate?: Date; BucketRegion?: string };

/** Buckets per ListBuckets page on AWS (the API's maximum, MaxBuckets 1–10,000). */
const AWS_MAX_BUCKETS = 10_000;

/** AWS S3 itself: no api_endpoint, or one of its own hosts (s3.amazonaws.com, s3.<region>.amazonaws.com[.cn], dual-stack, FIPS). */
export function isAwsS3Endpoint(apiEndpoint: string | null): boolean {
  if (!apiEndpoint) return true;
  try {
    return /(^|\.)s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/.test(new URL(apiEndpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * Every bucket. On AWS, ListBuckets is asked for pages (MaxBuckets, then ContinuationToken): only then does
 * AWS name each bucket's BucketRegion, and an account allowed more than 10,000 buckets must page. Other
 * servers get the plain call they all understand; a ContinuationToken they hand out anyway is followed.
 */
async function listAllBuckets(credentials: S3CompatibleCredentials, client: S3Client, session: AwsSession, paged: boolean) {
  const { ListBucketsCommand } = await import("@aws-sdk/client-s3");
  const buckets: Bucket[] = [];
  let owner: string | undefined;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const input = { ...(paged ? { MaxBuckets: AWS_MAX_BUCKETS } : {}), ...(token ? { ContinuationToken: token } : {}) };
    const output = await awsCall(session, { service: "s3", action: "s3:ListAllMyBuckets", region: credentials.region }, (abortSignal) =>
      client.send(new ListBucketsCommand(input), { abortSignal }),
    );
    owner ??= output.Owner?.DisplayName || undefined;
    buckets.push(...(output.Buckets ?? []));
    const next = output.ContinuationToken || undefined;
    if (!next) return { buckets, owner };
    if (next === token) {
      throw new UpstreamError(
        providerFailure(
          "malformed_response",
          "ListBuckets handed out the same continuation token twice.",
          "The server's pagination is broken; report it to its operator.",
          502,
        ),
      );
    }
    token = next;
  }
  throw new UpstreamError(
    providerFailure("too_many_pages", `ListBuckets returned more than ${MAX_PAGES} pages.`, "Report this to the server's operator.", 502),
  );
}

function endpointHostOf(apiEndpoint: string | null): string {
  if (!apiEndpoint) return "s3.amazonaws.com";
  try {
    return new URL(apiEndpoint).host;
  } catch {
    return apiEndpoint;
  }
}

async function checkHealth(credentials: S3CompatibleCredentials, context: AdapterContext): Promise<HealthResult> {
  const checkedAt = new Date().toISOString();
  let started = performance.now();
  let session: AwsSession | undefined;
  try {
    const opened = await openS3Client(credentials, context);
    session = opened.session;
    started = performance.now();
    const { buckets, owner } = await listAllBuckets(credentials, opened.client, session, isAwsS3Endpoint(context.apiEndpoint));
    return {
      ok: true,
      identity: {
        account: endpointHostOf(context.apiEndpoint),
        label: owner ?? headTailHint(credentials.access_key),
        details: { buckets: String(buckets.length) },
      },
      latencyMs: Math.round(performance.now() - started),
      checkedAt,
    };
  } catch (error) {
    return { ok: false, error: failureOf(error), latencyMs: Math.round(performance.now() - started), checkedAt };
  } finally {
    session?.close();
  }
}

function listResources(credentials: S3CompatibleCredentials, context: AdapterContext & { type?: string }): Promise<ListResult> {
  return listBucketResources(credentials, context);
}

/** The listing, with the socket options tests need to reach an AWS host name on loopback (`agentOptions.resolve`). */
export async function listBucketResources(
  credentials: S3CompatibleCredentials,
  context: AdapterContext & { type?: string },
  agentOptions: NodeAgentOptions = {},
): Promise<ListResult> {
  if (context.type && context.type !== "bucket") return { resources: [], partialFailures: [] };
  const { client, session } = await openS3Client(credentials, context, agentOptions);
  try {
    const { buckets } = await listAllBuckets(credentials, client, session, isAwsS3Endpoint(context.apiEndpoint));
    const spacesRegion = spacesRegionOf(context.apiEndpoint);
    // Where a bucket is managed: the S3 console on AWS; on Spaces the control panel's Spaces list (a
    // Space's own page needs an id the S3 API does not give, so the link does not guess one); null for
    // other servers (MinIO's console runs on another port and path we cannot know).
    const consoleUrl = (bucket: string, region: string) =>
      spacesRegion ? digitaloceanSpacesUrl() : s3ConsoleUrl(context.apiEndpoint, bucket, region);
    const resources = buckets
      .filter((bucket): bucket is Bucket & { Name: string } => Boolean(bucket.Name))
      .map((bucket): NormalizedResource => {
        // AWS names the region only in paged answers; other servers keep every bucket in their one region
        // (Spaces: the endpoint's, whatever region the key signs for).
        const region = bucket.BucketRegion || spacesRegion || credentials.region;
        return {
          id: bucket.Name,
          name: bucket.Name,
          type: "bucket",
          region,
          zone: null,
          // A listed bucket exists and serves requests; S3 has no other state to report.
          status: "running",
          raw_status: null,
          size: null,
          public_ips: [],
          private_ips: [],
          tags: {},
          created_at: bucket.CreationDate ? new Date(bucket.CreationDate).toISOString() : null,
          console_url: consoleUrl(bucket.Name, region),
        };
      });
    const wanted = context.regions.length > 0 ? resources.filter((r) => context.regions.includes(r.region ?? "")) : resources;
    return { resources: wanted, partialFailures: [] };
  } finally {
    session.close();
  }
}

export const s3CompatibleAdapter: ProviderAdapter<"s3_compatible"> = { kind: "s3_compatible", checkHealth, listResources };
