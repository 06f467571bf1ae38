// A wire-level fake of an S3-compatible server (the S3 REST XML API, as MinIO and AWS S3 answer it):
// ListBuckets (paged and with BucketRegion only when asked to page, as AWS does), a few bucket-level
// calls, path-style and virtual-hosted addressing, every SigV4 signature verified against the secret it knows.
import { randomUUID } from "node:crypto";
import { signedRequest, verifySigV4, xmlEscape } from "./aws.ts";
import { startFake, type Fake, type FakeRequest, type FakeResponse, type FakeSwitches, type StartFakeOptions } from "./server.ts";

const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

export type S3FakeBucket = { name: string; createdAt: string; region?: string };

/**
 * S3-specific switches. The shared ones live in `fake.switches` (tests/fakes/server.ts): badCredentials,
 * delayMs, rateLimit (429 + Retry-After), serverErrors, malformedBody, resourceCount (buckets, when
 * `buckets` is null) and maxPageSize (buckets per ListBuckets page).
 */
export type S3Switches = {
  /** The buckets served (a region: where the bucket lives when not the server's); null: `switches.resourceCount` generated ones (bucket-000, bucket-001, …). */
  buckets: S3FakeBucket[] | null;
  /** The server's region; with strictRegion a signature for another region is refused (MinIO does this). */
  region: string;
  strictRegion: boolean;
  /** The domain under which `<bucket>.<domain>` names a bucket (MinIO's MINIO_DOMAIN); null: path-style only. */
  virtualHostDomain: string | null;
  /** Owner.DisplayName in ListBuckets (null: omitted, as AWS does since 2025). */
  ownerName: string | null;
  /** The next `times` requests answer S3's own 503 SlowDown XML (with an optional Retry-After). */
  slowDown: { times: number; retryAfter?: string } | null;
  /** Answer with truncated XML or an HTML page (a console UI instead of the API). */
  malformed: false | "truncated" | "html";
};

/** One request as the fake understood it. */
export type S3Call = {
  method: string;
  host: string;
  path: string;
  bucket: string | null;
  style: "path" | "virtual" | null;
  operation: string;
  region: string | null;
  status: number;
  code: string | null;
};

export type S3Fake = Fake & {
  key: typeof S3_FAKE_KEY;
  s3: S3Switches;
  calls: S3Call[];
};

export const S3_FAKE_KEY = { accessKeyId: "minio-cloudkeep", secretAccessKey: "fake-minio-secret-0001" };

export const DEFAULT_S3_BUCKETS: S3FakeBucket[] = [
  { name: "backups", createdAt: "2024-03-01T10:00:00.000Z" },
  { name: "logs-2025", createdAt: "2025-01-15T08:30:00.000Z", region: "eu-west-1" },
  { name: "media-assets", createdAt: "2023-11-20T17:45:12.000Z" },
];

export function defaultS3Switches(): S3Switches {
  return {
    buckets: DEFAULT_S3_BUCKETS,
    region: "us-east-1",
    strictRegion: true,
    virtualHostDomain: "localhost",
    ownerName: "minio",
    slowDown: null,
    malformed: false,
  };
}

function bucketsOf(s3: S3Switches, switches: FakeSwitches): S3FakeBucket[] {
  return (
    s3.buckets ??
    Array.from({ length: switches.resourceCount }, (_, i) => ({
      name: `bucket-${String(i).padStart(3, "0")}`,
      createdAt: new Date(Date.UTC(2024, 0, 1 + (i % 365))).toISOString(),
    }))
  );
}

export function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): FakeResponse {
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join("");
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": randomUUID() },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${fields}<RequestId>${randomUUID()}</RequestId></Error>`,
  };
}

/**
 * ListBuckets as AWS answers it: without a paging parameter (max-buckets, continuation-token) every bucket
 * in one answer with neither BucketRegion nor ContinuationToken; with one, pages of max-buckets (1–10,000,
 * clamped to switches.maxPageSize), each bucket's BucketRegion, and a ContinuationToken (the index of
 * the next bucket) while more remain.
 */
export function listBuckets(s3: S3Switches, switches: FakeSwitches, query: URLSearchParams): FakeResponse {
  const sorted = [...bucketsOf(s3, switches)].sort((a, b) => (a.name < b.name ? -1 : 1));
  const paged = query.has("max-buckets") || query.has("continuation-token");
  const start = query.get("continuation-token") ? Number(Buffer.from(query.get("continuation-token")!, "base64").toString("utf8")) : 0;
  if (!Number.isInteger(start) || start < 0 || start > sorted.length)
    return s3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
  const asked = query.has("max-buckets") ? Number(query.get("max-buckets")) : 10_000;
  if (!Number.isInteger(asked) || asked < 1 || asked > 10_000)
    return s3Error(400, "InvalidArgument", "max-buckets must be between 1 and 10000");
  const page = paged ? sorted.slice(start, start + Math.min(asked, switches.maxPageSize)) : sorted;
  const end = start + page.length;
  const items = page
    .map(
      (b) =>
        `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${b.createdAt}</CreationDate>${paged ? `<BucketRegion>${b.region ?? s3.region}</BucketRegion>` : ""}</Bucket>`,
    )
    .join("");
  const owner = `<Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4</ID>${s3.ownerName ? `<DisplayName>${xmlEscape(s3.ownerName)}</DisplayName>` : ""}</Owner>`;
  const next = paged && end < sorted.length ? `<ContinuationToken>${Buffer.from(String(end)).toString("base64")}</ContinuationToken>` : "";
  return {
    status: 200,
    headers: { "content-type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${S3_NS}">${owner}<Buckets>${items}</Buckets>${next}</ListAllMyBucketsResult>`,
  };
}

/** Starts the fake on a free 127.0.0.1 port; buckets are addressed path-style or as `<bucket>.localhost`. */
export async function startS3Fake(options: { s3?: Partial<S3Switches> } & StartFakeOptions = {}): Promise<S3Fake> {
  const calls: S3Call[] = [];
  const initialS3 = () => ({ ...defaultS3Switches(), ...options.s3 });

  async function handle(request: FakeRequest, base: Fake): Promise<FakeResponse> {
    const s3 = (base as S3Fake).s3;
    const host = request.headers.host ?? "";
    const hostname = host.replace(/:\d+$/, "");
    const domain = s3.virtualHostDomain;
    const virtualBucket = domain && hostname.endsWith(`.${domain}`) ? hostname.slice(0, -(domain.length + 1)) : null;
    const pathBucket = decodeURIComponent(request.path.split("/")[1] ?? "") || null;
    const bucket = virtualBucket ?? pathBucket;
    const call: S3Call = {
      method: request.method,
      host,
      path: request.url.pathname + request.url.search,
      bucket,
      style: virtualBucket ? "virtual" : pathBucket ? "path" : null,
      operation: "",
      region: /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? null,
      status: 0,
      code: null,
    };
    calls.push(call);
    const response = await answer(request, bucket, call, s3, base.switches);
    call.status = response.status ?? 200;
    if (call.status >= 400) call.code = /<Code>([^<]+)<\/Code>/.exec(String(response.body ?? ""))?.[1] ?? null;
    return response;
  }

  async function answer(
    request: FakeRequest,
    bucket: string | null,
    call: S3Call,
    s3: S3Switches,
    switches: FakeSwitches,
  ): Promise<FakeResponse> {
    const verified = verifySigV4(
      signedRequest(request),
      (id) => (!switches.badCredentials && id === S3_FAKE_KEY.accessKeyId ? S3_FAKE_KEY : undefined),
      { s3: true },
    );
    if (!verified.ok) {
      // Real S3 echoes the string it signed and the signature it got; the adapter must not pass them on.
      const extra: Record<string, string> =
        verified.code === "SignatureDoesNotMatch"
          ? {
              AWSAccessKeyId: S3_FAKE_KEY.accessKeyId,
              StringToSign: verified.stringToSign ?? "",
              SignatureProvided: verified.signatureProvided ?? "",
            }
          : {};
      return s3Error(verified.status, verified.code, verified.message, extra);
    }
    if (s3.strictRegion && verified.region !== s3.region) {
      return s3Error(
        400,
        "AuthorizationHeaderMalformed",
        `The authorization header is malformed; the region '${verified.region}' is wrong; expecting '${s3.region}'`,
        { Region: s3.region },
      );
    }
    if (s3.slowDown && s3.slowDown.times > 0) {
      s3.slowDown.times -= 1;
      const response = s3Error(503, "SlowDown", "Please reduce your request rate.");
      if (s3.slowDown.retryAfter) response.headers = { ...response.headers, "retry-after": s3.slowDown.retryAfter };
      return response;
    }
    if (s3.malformed) {
      return s3.malformed === "html"
        ? { status: 200, headers: { "content-type": "text/html" }, body: "<!doctype html><html><body><h1>MinIO Console</h1><script>" }
        : {
            status: 200,
            headers: { "content-type": "application/xml" },
            body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${S3_NS}"><Buckets><Bucket><Name>trunc`,
          };
    }

    if (!bucket) {
      if (request.method !== "GET") return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
      call.operation = "ListBuckets";
      return listBuckets(s3, switches, request.url.searchParams);
    }
    const known = bucketsOf(s3, switches).find((b) => b.name === bucket);
    const region = known?.region ?? s3.region;
    if (request.method === "HEAD") {
      call.operation = "HeadBucket";
      return known ? { status: 200, headers: { "x-amz-bucket-region": region } } : { status: 404 };
    }
    if (!known) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });
    if (request.method === "GET" && request.url.searchParams.has("location")) {
      call.operation = "GetBucketLocation";
      return {
        status: 200,
        headers: { "content-type": "application/xml" },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NS}">${region === "us-east-1" ? "" : region}</LocationConstraint>`,
      };
    }
    if (request.method === "GET" && request.url.searchParams.get("list-type") === "2") {
      call.operation = "ListObjectsV2";
      return {
        status: 200,
        headers: { "content-type": "application/xml" },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${S3_NS}"><Name>${xmlEscape(bucket)}</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`,
      };
    }
    return s3Error(501, "NotImplemented", "A header you provided implies functionality that is not implemented");
  }

  const base = await startFake(handle, options);
  const baseReset = base.reset.bind(base);
  const fake: S3Fake = Object.assign(base, { key: S3_FAKE_KEY, s3: initialS3(), calls });
  fake.reset = () => {
    baseReset();
    fake.s3 = initialS3();
    calls.length = 0;
  };
  return fake;
}
