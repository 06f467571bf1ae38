// A wire-level fake of AWS STS and EC2 (Query protocol, XML answers) that verifies every
// SigV4 signature against the secret it knows, so a passing test proves the official SDK
// really signed with the right key. One server answers both services: with an endpoint
// override the SDK sends every region to the same host, so the service and the region are
// read from the credential scope (`…/<region>/<service>/aws4_request`).
//
// Roles: STS AssumeRole checks the caller against each role's trust (its principal, and its external
// ID when the trust policy enforces one) and mints temporary keys that the fake then accepts, with
// the role's account, ARN and denied actions. Like AWS, it answers AccessDenied alike for a role that
// does not exist, one that does not trust the caller, and a wrong external ID. IAM answers
// GetAccessKeyLastUsed and ListAccessKeys for long-term keys (switches iamKeys, iamDenied). CloudTrail
// LookupEvents (JSON 1.1) lives in ./aws-cloudtrail.ts.
import { defaultS3Switches, listBuckets, s3Error, type S3FakeBucket } from "./s3.ts";
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import { answerLookupEvents, cloudtrailError, cloudtrailOperation, type FakeTrailEvent } from "./aws-cloudtrail.ts";
import { answerElb } from "./aws-elb.ts";
import { answerOrganizations } from "./aws-organizations.ts";
import { cycle, group, startFake, type Fake, type FakeRequest, type FakeResponse, type StartFakeOptions } from "./server.ts";

// ---------------------------------------------------------------------------------------------
// SigV4 verification (shared with the S3 fake)

/** What SigV4 covers: the method, the path and query as sent, the headers and the body. */
export type SignedRequest = { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer | string };

/** The signed parts of a request the shared fake server received. */
export function signedRequest(request: FakeRequest): SignedRequest {
  return { method: request.method, url: request.url.pathname + request.url.search, headers: request.headers, body: request.body };
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string; amzDate: string; sessionToken: string | null }
  | { ok: false; code: string; message: string; status: number; stringToSign?: string; signatureProvided?: string };

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

/** RFC 3986 encoding as SigV4 wants it: everything but A–Z a–z 0–9 - _ . ~ is %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return "";
  return rawQuery
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf("=");
      const key = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      const value = at < 0 ? "" : decodeURIComponent(pair.slice(at + 1));
      return [uriEncode(key), uriEncode(value)] as const;
    })
    .filter(([key]) => key !== "X-Amz-Signature")
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

/**
 * Rebuilds the canonical request from what actually arrived and compares signatures.
 * `lookup` returns the secret (and session token, when the key is temporary) for a key id.
 * S3 signs the path as sent; other services sign it encoded once more.
 */
export function verifySigV4(
  req: SignedRequest,
  lookup: (accessKeyId: string) => { secretAccessKey: string } | undefined,
  options: { s3?: boolean; now?: Date; maxSkewMs?: number } = {},
): SigV4Result {
  const authorization = header(req.headers, "authorization");
  if (!authorization) {
    return { ok: false, status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" };
  }
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization.trim(),
    );
  if (!match) {
    return {
      ok: false,
      status: 400,
      code: "IncompleteSignature",
      message: "Authorization header requires Credential, SignedHeaders and Signature.",
    };
  }
  const [accessKeyId, scopeDate, region, service, signedHeaderList, signature] = captures(match, 6);
  const key = lookup(accessKeyId);
  if (!key) {
    return options.s3
      ? { ok: false, status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records." }
      : { ok: false, status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid." };
  }
  const amzDate = header(req.headers, "x-amz-date") ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== scopeDate) {
    return {
      ok: false,
      status: 400,
      code: "IncompleteSignature",
      message: "Date in Credential scope does not match YYYYMMDD from X-Amz-Date.",
    };
  }
  const signedAt = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const now = (options.now ?? new Date()).getTime();
  if (Math.abs(now - signedAt) > (options.maxSkewMs ?? 15 * 60_000)) {
    return options.s3
      ? {
          ok: false,
          status: 403,
          code: "RequestTimeTooSkewed",
          message: "The difference between the request time and the current time is too large.",
        }
      : { ok: false, status: 400, code: "RequestExpired", message: `Request has expired. Timestamp date is ${amzDate}.` };
  }

  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) {
    return { ok: false, status: 400, code: "IncompleteSignature", message: "The host header must be signed." };
  }
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(header(req.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");

  const bodyHash = sha256(req.body);
  const declared = header(req.headers, "x-amz-content-sha256");
  if (declared && declared !== "UNSIGNED-PAYLOAD" && !declared.startsWith("STREAMING-") && declared !== bodyHash) {
    return {
      ok: false,
      status: 400,
      code: "XAmzContentSHA256Mismatch",
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  }
  const payloadHash = declared ?? (req.body.length ? bodyHash : EMPTY_SHA256);

  const queryAt = req.url.indexOf("?");
  const rawPath = queryAt < 0 ? req.url : req.url.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? "" : req.url.slice(queryAt + 1);
  const canonicalPath = options.s3 ? rawPath || "/" : rawPath.split("/").map(uriEncode).join("/") || "/";

  const canonicalRequest = [req.method, canonicalPath, canonicalQuery(rawQuery), canonicalHeaders, signedHeaderList, payloadHash].join(
    "\n",
  );
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, scopeDate), region), service), "aws4_request");
  const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    return {
      ok: false,
      status: 403,
      code: "SignatureDoesNotMatch",
      message: options.s3
        ? "The request signature we calculated does not match the signature you provided. Check your key and signing method."
        : "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      stringToSign,
      signatureProvided: signature,
    };
  }
  return { ok: true, accessKeyId, region, service, amzDate, sessionToken: header(req.headers, "x-amz-security-token") ?? null };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}

// ---------------------------------------------------------------------------------------------
// The AWS fake

/** The 17 regions enabled by default in every AWS account. */
export const DEFAULT_AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "sa-east-1",
];

export type AwsFakeKey = {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary (ASIA…) keys must send this token. */
  sessionToken?: string;
  account?: string;
  arn?: string;
  userId?: string;
  /** The session token has expired: every call answers ExpiredToken. */
  expired?: boolean;
  /** IAM actions this key may not call, e.g. ["ec2:DescribeRegions"]. */
  denied?: string[];
  /** Keys minted by AssumeRole: the role whose permissions (denied actions, read live) they carry. */
  role?: AwsFakeRole;
  /** Keys minted by AssumeRole stop working at this epoch ms. */
  expiresAt?: number;
};

/** A role in some account that callers may assume. */
export type AwsFakeRole = {
  arn: string;
  /** The principal ARN its trust policy allows (the caller key's `arn`). */
  trusts: string;
  /** The sts:ExternalId its trust policy's condition names. */
  externalId: string;
  /** The switch: whether the trust policy has the sts:ExternalId condition at all. */
  enforceExternalId: boolean;
  /** Actions its permissions policy lacks, e.g. ["ec2:DescribeInstances"] (changes apply to sessions already issued). */
  denied?: string[];
  /**
   * A role that trusts an IAM OIDC identity provider (sts:AssumeRoleWithWebIdentity): the provider's
   * URL (issuer without https://) and the StringEquals conditions on `<url>:aud` and `<url>:sub`
   * (a condition left out is not checked). See aws-web-identity.ts.
   */
  webIdentity?: { providerUrl: string; audience?: string; subject?: string };
};

/**
 * AWS-specific switches. The shared ones live in `fake.switches` (tests/fakes/server.ts): badCredentials,
 * delayMs, rateLimit (429 + Retry-After), serverErrors, malformedBody, resourceCount (instances per
 * region) and maxPageSize (the largest DescribeInstances page, whatever MaxResults asks).
 */
export type AwsSwitches = {
  /** Enabled regions, the answer of DescribeRegions. */
  regions: string[];
  /** Instances per region where it differs from `switches.resourceCount` (listed regions only). */
  instancesByRegion: Record<string, number> | null;
  /** Delay before every DescribeInstances page (the benchmark's "100 ms per page"). */
  pageDelayMs: number;
  /** Extra delay for every call signed for these regions. */
  slowRegions: Record<string, number>;
  /** Regions whose EC2 calls fail: a 500 InternalError, or 403 UnauthorizedOperation (an SCP denying the region). */
  failingRegions: Record<string, "server_error" | "unauthorized">;
  /**
   * Throttle the next `times` matching requests with AWS's own error XML: 503 RequestLimitExceeded
   * (EC2's real answer), 400 Throttling (STS's), or 429 (a proxy or compatible endpoint), with an
   * optional Retry-After.
   */
  throttle: { times: number; status: 429 | 503 | 400; retryAfter?: string; actions?: string[] } | null;
  /** Answer these actions (all when no list) with broken XML (truncated) or an HTML page. */
  malformed: false | { kind: "truncated" | "html"; actions?: string[] };
  /** CloudTrail's management events per region (see fakeTrailEvents), any order. */
  trail: Record<string, FakeTrailEvent[]>;
  /**
   * IAM's record of long-term keys by access key id: when each was created (otherwise when the fake
   * started: a fresh key) and last used (otherwise never: IAM's "N/A").
   */
  iamKeys: Record<string, FakeIamKeyRecord>;
  /** Every IAM call answers 403 AccessDenied (a key without iam:GetAccessKeyLastUsed / iam:ListAccessKeys). */
  iamDenied: boolean;
  /** EBS volumes per listed region (DescribeVolumes); none by default. A key or role denied ec2:DescribeVolumes gets 403. */
  volumes: number;
  /** RDS DB instances per listed region (DescribeDBInstances); none by default. */
  databases: number;
  /** Planted in each DB instance's MasterUserSecret: it must never reach what Cloudkeep keeps. */
  databaseSecretCanary: string | null;
  /** The account's S3 buckets (ListBuckets, with each one's region); none by default. */
  buckets: S3FakeBucket[];
  /** EKS clusters per listed region (ListClusters + DescribeCluster); none by default. */
  clusters: number;
  /** Elastic Load Balancing v2 load balancers per listed region (DescribeLoadBalancers + DescribeTags); none by default. */
  loadBalancers: number;
};

export type FakeIamKeyRecord = { createdAt?: string; lastUsed?: { at: string; service: string; region: string } };

/** One call as the fake understood it. */
export type AwsCall = {
  action: string | null;
  service: string | null;
  region: string | null;
  accessKeyId: string | null;
  status: number;
  code: string | null;
  /** AssumeRole: the ExternalId sent, or null without one. */
  externalId?: string | null;
};

export type AwsFake = Fake & {
  /** The key the fake knows by default (AKIA…, account 123456789012). */
  key: typeof AWS_FAKE_KEY;
  keys: AwsFakeKey[];
  aws: AwsSwitches;
  /** Roles AssumeRole knows; reset() restores the ones given at start. */
  roles: AwsFakeRole[];
  /** Every call answered by the AWS handler, in order (switch-answered 429/5xx are in `requests` only). */
  calls: AwsCall[];
  /** Calls of one action, optionally in one region. */
  callsOf(action: string, region?: string): AwsCall[];
  /** sts:AssumeRoleWithWebIdentity, when enabled (aws-web-identity.ts); unsigned, so it comes before SigV4. */
  webIdentity: ((form: URLSearchParams, call: AwsCall) => Promise<FakeResponse>) | null;
};

export const AWS_FAKE_KEY = {
  accessKeyId: "AKIAFAKEEXAMPLE00001",
  secretAccessKey: "fAkEsEcReT/K7MDENG/bPxRfiCYEXAMPLEKEY001",
  account: "123456789012",
  arn: "arn:aws:iam::123456789012:user/cloudkeep-reader",
  userId: "AIDAFAKEEXAMPLEUSER01",
};

/** Cloudkeep's own identity in tests: the environment's key, allowed to assume customers' roles. */
export const CLOUDKEEP_KEY = {
  accessKeyId: "AKIACLOUDKEEP0000001",
  secretAccessKey: "cloudkeepOwnSecret/K7MDENG/bPxRfiCY00001",
  arn: "arn:aws:iam::111122223333:role/cloudkeep-production",
  account: "111122223333",
  userId: "AROACLOUDKEEP",
};

function defaultAwsSwitches(): AwsSwitches {
  return {
    regions: [...DEFAULT_AWS_REGIONS],
    instancesByRegion: null,
    pageDelayMs: 0,
    slowRegions: {},
    failingRegions: {},
    throttle: null,
    malformed: false,
    trail: {},
    iamKeys: {},
    iamDenied: false,
    volumes: 0,
    databases: 0,
    databaseSecretCanary: null,
    buckets: [],
    clusters: 0,
    loadBalancers: 0,
  };
}

export const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const RDS_NS = "http://rds.amazonaws.com/doc/2014-10-31/";
const STATES: [number, string][] = [
  [16, "running"],
  [16, "running"],
  [80, "stopped"],
  [16, "running"],
  [0, "pending"],
  [64, "stopping"],
  [16, "running"],
  [48, "terminated"],
];
const TYPES = ["t3.micro", "t3.small", "m5.large", "c6g.xlarge", "r6i.2xlarge"];

/** The instance the fake lists at `index` in `region`: deterministic, so tests can assert on it. */
export function fakeInstance(region: string, index: number) {
  const regionIndex = Math.max(0, DEFAULT_AWS_REGIONS.indexOf(region));
  const id = `i-${regionIndex.toString(16).padStart(2, "0")}${index.toString(16).padStart(15, "0")}`;
  const [code, state] = cycle(STATES, index);
  const running = state === "running";
  return {
    id,
    name: index % 5 === 4 ? null : `${region}-web-${index}`,
    state,
    code,
    type: TYPES[index % TYPES.length],
    zone: `${region}${"abc"[index % 3]}`,
    privateIp: `10.${regionIndex}.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    secondaryPrivateIp: index % 7 === 0 ? `10.${regionIndex}.200.${(index % 250) + 1}` : null,
    publicIp: running ? `203.0.${regionIndex}.${(index % 250) + 1}` : null,
    launchTime: new Date(Date.UTC(2025, 0, 1 + (index % 28), 12, 0, 0)).toISOString(),
    createdTime: new Date(Date.UTC(2024, 5, 1 + (index % 28), 8, 30, 0)).toISOString(),
    tags: { ...(index % 5 === 4 ? {} : { Name: `${region}-web-${index}` }), env: index % 2 ? "staging" : "production" },
  };
}

/** A page token naming its region and where the next page starts, as EC2's and RDS's are opaque. */
export const pageToken = (region: string, at: number) => Buffer.from(`page:${region}:${at}`).toString("base64");
export function pageStart(token: string | null, region: string): number | null {
  if (!token) return 0;
  const decoded = /^page:([a-z0-9-]+):(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  return decoded && decoded[1] === region ? Number(decoded[2]) : null;
}

const VOLUME_TYPES = ["gp3", "gp2", "io2", "st1"];

/** One EBS volume as DescribeVolumes writes it: every other one attached to an instance of the region. */
function volumeXml(region: string, index: number) {
  // Unique across regions, as AWS's are.
  const id = `vol-${Buffer.from(region).toString("hex")}${index.toString(16).padStart(6, "0")}`;
  const attached = index % 2 === 0;
  const created = new Date(Date.UTC(2025, 0, 1) + index * 3_600_000).toISOString();
  const attachment = attached
    ? `<attachmentSet><item><volumeId>${id}</volumeId><instanceId>i-${String(index).padStart(17, "0")}</instanceId><device>/dev/xvda</device><status>attached</status><attachTime>${created}</attachTime><deleteOnTermination>true</deleteOnTermination></item></attachmentSet>`
    : "<attachmentSet/>";
  return `<item><volumeId>${id}</volumeId><size>${(index % 4) * 50 + 8}</size><snapshotId/><availabilityZone>${region}a</availabilityZone><status>${attached ? "in-use" : "available"}</status><createTime>${created}</createTime>${attachment}<volumeType>${VOLUME_TYPES[index % VOLUME_TYPES.length]}</volumeType><iops>3000</iops><encrypted>true</encrypted><tagSet><item><key>Name</key><value>data-${index}</value></item><item><key>env</key><value>prod</value></item></tagSet></item>`;
}

const EKS_STATUS = ["ACTIVE", "ACTIVE", "UPDATING", "CREATING"];

/** One EKS cluster as DescribeCluster writes it (createdAt in epoch seconds, as REST-JSON does). */
function eksClusterJson(region: string, index: number, name: string, account: string) {
  return {
    name,
    arn: `arn:aws:eks:${region}:${account}:cluster/${name}`,
    createdAt: Date.UTC(2025, 2, 1) / 1000 + index * 86_400,
    version: index % 2 === 0 ? "1.31" : "1.30",
    endpoint: `https://${index.toString(16).padStart(8, "0").toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${account}:role/eks-cluster`,
    status: EKS_STATUS[index % EKS_STATUS.length],
    platformVersion: "eks.8",
    certificateAuthority: { data: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" },
    tags: { env: "prod", team: `team-${index % 3}` },
  };
}

const DB_ENGINES: [string, string][] = [
  ["postgres", "16.4"],
  ["mysql", "8.0.39"],
  ["aurora-postgresql", "15.8"],
];

/** One RDS DB instance as DescribeDBInstances writes it; `canary` is planted where its master password's secret is named. */
function dbInstanceXml(region: string, index: number, account: string, canary: string | null) {
  const name = `db-${index}`;
  const [engine, version] = cycle(DB_ENGINES, index);
  const status = index % 5 === 4 ? "stopped" : "available";
  const secret = canary
    ? `<MasterUserSecret><SecretArn>arn:aws:secretsmanager:${region}:${account}:secret:${xmlEscape(canary)}</SecretArn><SecretStatus>active</SecretStatus></MasterUserSecret>`
    : "";
  return `<DBInstance><DBInstanceIdentifier>${name}</DBInstanceIdentifier><DBInstanceClass>db.t4g.medium</DBInstanceClass><Engine>${engine}</Engine><EngineVersion>${version}</EngineVersion><DBInstanceStatus>${status}</DBInstanceStatus><MasterUsername>admin</MasterUsername><Endpoint><Address>${name}.c9akciq32.${region}.rds.amazonaws.com</Address><Port>5432</Port><HostedZoneId>Z2R2ITUGPM61AM</HostedZoneId></Endpoint><AllocatedStorage>${20 + index}</AllocatedStorage><InstanceCreateTime>${new Date(Date.UTC(2025, 1, 1) + index * 86_400_000).toISOString()}</InstanceCreateTime><AvailabilityZone>${region}b</AvailabilityZone><MultiAZ>${index % 2 === 0}</MultiAZ><StorageType>gp3</StorageType><DBInstanceArn>arn:aws:rds:${region}:${account}:db:${name}</DBInstanceArn>${secret}<TagList><Tag><Key>env</Key><Value>prod</Value></Tag></TagList></DBInstance>`;
}

function instanceXml(region: string, index: number, owner: string) {
  const i = fakeInstance(region, index);
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `<item><key>${xmlEscape(k)}</key><value>${xmlEscape(v)}</value></item>`)
    .join("");
  const privateIps = [
    `<item><privateIpAddress>${i.privateIp}</privateIpAddress><primary>true</primary>${i.publicIp ? `<association><publicIp>${i.publicIp}</publicIp><ipOwnerId>amazon</ipOwnerId></association>` : ""}</item>`,
  ];
  if (i.secondaryPrivateIp)
    privateIps.push(`<item><privateIpAddress>${i.secondaryPrivateIp}</privateIpAddress><primary>false</primary></item>`);
  return `<item><reservationId>r-${i.id.slice(2)}</reservationId><ownerId>${owner}</ownerId><groupSet/><instancesSet><item>
<instanceId>${i.id}</instanceId><imageId>ami-0abcdef1234567890</imageId>
<instanceState><code>${i.code}</code><name>${i.state}</name></instanceState>
<privateDnsName>ip-${i.privateIp.replace(/\./g, "-")}.${region}.compute.internal</privateDnsName><dnsName/>
<amiLaunchIndex>0</amiLaunchIndex><instanceType>${i.type}</instanceType><launchTime>${i.launchTime}</launchTime>
<placement><availabilityZone>${i.zone}</availabilityZone><groupName/><tenancy>default</tenancy></placement>
<monitoring><state>disabled</state></monitoring><subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId>
<privateIpAddress>${i.privateIp}</privateIpAddress>${i.publicIp ? `<ipAddress>${i.publicIp}</ipAddress>` : ""}
<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>
<networkInterfaceSet><item><networkInterfaceId>eni-${i.id.slice(2)}</networkInterfaceId><subnetId>subnet-0123456789abcdef0</subnetId>
<attachment><attachmentId>eni-attach-${i.id.slice(2)}</attachmentId><deviceIndex>0</deviceIndex><status>attached</status><attachTime>${i.createdTime}</attachTime><deleteOnTermination>true</deleteOnTermination></attachment>
<privateIpAddress>${i.privateIp}</privateIpAddress><privateIpAddressesSet>${privateIps.join("")}</privateIpAddressesSet></item></networkInterfaceSet>
<tagSet>${tags}</tagSet></item></instancesSet></item>`;
}

export function stsError(status: number, code: string, message: string, type = "Sender", ns = STS_NS): FakeResponse {
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": randomUUID() },
    body: `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

function ec2Error(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    headers: { "content-type": "text/xml;charset=UTF-8" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
  };
}

/** The IAM user a long-term key belongs to: the last part of its `…:user/<path>/<name>` ARN. */
const iamUserName = (key: AwsFakeKey) => /:user\/(?:.*\/)?([^/]+)$/.exec(key.arn ?? "")?.[1] ?? "fake";

/** Temporary keys of a role's session, carrying the role's permissions (read live). The caller adds them to `fake.keys`. */
export function mintRoleSession(role: AwsFakeRole, sessionName: string, durationSeconds: number): AwsFakeKey {
  const [, account, roleName] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(role.arn) ?? [];
  return {
    accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    sessionToken: randomBytes(48).toString("base64"),
    account,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    userId: `AROA${account}:${sessionName}`,
    role,
    expiresAt: Date.now() + durationSeconds * 1000,
  };
}

/** `<AssumedRoleUser>` and `<Credentials>` of an AssumeRole* result. */
export function assumedRoleXml(minted: AwsFakeKey): string {
  return `<AssumedRoleUser><AssumedRoleId>${xmlEscape(minted.userId!)}</AssumedRoleId><Arn>${xmlEscape(minted.arn!)}</Arn></AssumedRoleUser><Credentials><AccessKeyId>${minted.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(minted.secretAccessKey)}</SecretAccessKey><SessionToken>${xmlEscape(minted.sessionToken!)}</SessionToken><Expiration>${new Date(minted.expiresAt!).toISOString()}</Expiration></Credentials>`;
}

export const xml = (body: string): FakeResponse => ({ status: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body });

/** One call to a regional Query-protocol service (RDS, ELB) as the fake's router hands it on. */
export type QueryServiceCall = {
  form: URLSearchParams;
  action: string | null;
  region: string;
  caller: AwsFakeKey;
  aws: AwsSwitches;
  pageSize: number;
  deny: (iamAction: string) => boolean;
};

/**
 * What such a service answers before looking at the call's parameters: an unknown version or action,
 * a region switched to fail, or an action the caller may not call (AccessDenied, naming the IAM
 * action and, where the service does, the resource). Null: go on.
 */
export function queryServiceRefusal(
  { form, action, region, caller, aws, deny }: QueryServiceCall,
  service: { ns: string; version: string; actions: string[]; iamPrefix: string; resource?: string },
): FakeResponse | null {
  const refuse = (status: number, code: string, message: string) => stsError(status, code, message, "Sender", service.ns);
  if (form.get("Version") !== service.version) return refuse(400, "InvalidAction", "Unsupported version.");
  if (!action || !service.actions.includes(action))
    return refuse(400, "InvalidAction", `Could not find operation ${action} for version ${service.version}`);
  if (aws.failingRegions[region] === "server_error")
    return stsError(500, "InternalFailure", "An internal error has occurred", "Receiver", service.ns);
  const iamAction = `${service.iamPrefix}:${action}`;
  if (aws.failingRegions[region] !== "unauthorized" && !deny(iamAction)) return null;
  const on = service.resource ? ` on resource: ${service.resource}` : "";
  return refuse(
    403,
    "AccessDenied",
    `User: ${caller.arn ?? "unknown"} is not authorized to perform: ${iamAction}${on} because no identity-based policy allows the ${iamAction} action`,
  );
}

/** A Query-protocol success: <XResponse xmlns><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>. */
export const queryAnswer = (ns: string, action: string, result: string) =>
  xml(
    `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  );

/**
 * Starts the fake on a free 127.0.0.1 port (https with `options.https`). The benchmark's shape:
 * `startAwsFake({ switches: { resourceCount: 500, maxPageSize: 100 }, aws: { pageDelayMs: 100 } })`.
 */
export async function startAwsFake(
  options: { keys?: AwsFakeKey[]; aws?: Partial<AwsSwitches>; roles?: AwsFakeRole[] } & StartFakeOptions = {},
): Promise<AwsFake> {
  const keys: AwsFakeKey[] = [AWS_FAKE_KEY, ...(options.keys ?? [])];
  const calls: AwsCall[] = [];
  // The CreateDate of keys without an IAM record of their own: created when the fake started.
  const startedAt = new Date().toISOString();
  const initialAws = () => ({ ...defaultAwsSwitches(), ...options.aws });
  const initialRoles = () => (options.roles ?? []).map((role) => ({ ...role, denied: role.denied ? [...role.denied] : undefined }));
  async function handle(request: FakeRequest, base: Fake): Promise<FakeResponse> {
    const target = request.headers["x-amz-target"];
    const form = new URLSearchParams(request.method === "POST" && !target ? request.body : request.url.search);
    // JSON 1.1 names the operation in X-Amz-Target; a target of another service stays unknown.
    const action = target ? (cloudtrailOperation(target) ?? target) : form.get("Action");
    const call: AwsCall = { action, service: null, region: null, accessKeyId: null, status: 0, code: null };
    calls.push(call);
    const response = await answer(request, form, action, call, base);
    call.status = response.status ?? 200;
    if (call.status >= 400) {
      const text = String(response.body ?? "");
      call.code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? /"__type":"([^"]+)"/.exec(text)?.[1] ?? null;
    }
    return response;
  }

  async function answer(
    request: FakeRequest,
    form: URLSearchParams,
    action: string | null,
    call: AwsCall,
    base: Fake,
  ): Promise<FakeResponse> {
    // startFake hands the handler the object this function returns, AWS switches included.
    const aws = (base as AwsFake).aws;
    const credentialScope = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(request.headers.authorization ?? "");
    call.accessKeyId = credentialScope?.[1] ?? null;
    call.region = credentialScope?.[2] ?? null;
    call.service = credentialScope?.[3] ?? null;
    const ec2 = call.service === "ec2";
    // JSON 1.1 services (CloudTrail, Organizations) share the JSON error bodies.
    const trail = call.service === "cloudtrail" || call.service === "organizations";
    const fail = ec2 ? ec2Error : trail ? cloudtrailError : call.service === "s3" ? s3Error : stsError;

    if (action === "AssumeRoleWithWebIdentity" && (call.service === null || call.service === "sts")) {
      const webIdentity = (base as AwsFake).webIdentity;
      if (!webIdentity) return stsError(400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account.");
      if (form.get("Version") !== "2011-06-15") return stsError(400, "InvalidAction", "Unsupported version.");
      call.service = "sts";
      return webIdentity(form, call);
    }

    const slow = call.region ? aws.slowRegions[call.region] : undefined;
    if (slow) await sleep(slow);

    const key = base.switches.badCredentials ? undefined : keys.find((k) => k.accessKeyId === call.accessKeyId);
    const verified = verifySigV4(signedRequest(request), () => key, call.service === "s3" ? { s3: true } : {});
    if (!verified.ok) {
      // EC2 answers an unknown key or a wrong secret with AuthFailure; STS names the cause.
      if (ec2 && (verified.code === "InvalidClientTokenId" || verified.code === "SignatureDoesNotMatch")) {
        return ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
      }
      if (trail) {
        return verified.code === "SignatureDoesNotMatch"
          ? cloudtrailError(403, "InvalidSignatureException", verified.message)
          : cloudtrailError(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
      }
      return fail(verified.status, verified.code, verified.message);
    }
    if (key!.sessionToken !== undefined || verified.sessionToken !== null) {
      if (key!.sessionToken !== verified.sessionToken) {
        return ec2
          ? ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
          : trail
            ? cloudtrailError(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
            : fail(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
      }
      if (key!.expired || (key!.expiresAt !== undefined && Date.now() > key!.expiresAt)) {
        return ec2
          ? ec2Error(400, "RequestExpired", "Request has expired.")
          : trail
            ? cloudtrailError(400, "ExpiredTokenException", "The security token included in the request is expired")
            : fail(400, "ExpiredToken", "The security token included in the request is expired");
      }
    }

    const throttle = aws.throttle;
    if (throttle && throttle.times > 0 && (!throttle.actions || (action && throttle.actions.includes(action)))) {
      throttle.times -= 1;
      const response = trail
        ? cloudtrailError(400, "ThrottlingException", "Rate exceeded")
        : throttle.status === 503
          ? ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.")
          : throttle.status === 400
            ? stsError(400, "Throttling", "Rate exceeded")
            : fail(429, ec2 ? "RequestLimitExceeded" : "Throttling", "Rate exceeded");
      if (throttle.retryAfter) response.headers = { ...response.headers, "retry-after": throttle.retryAfter };
      return response;
    }

    if (aws.malformed && (!aws.malformed.actions || (action && aws.malformed.actions.includes(action)))) {
      return aws.malformed.kind === "html"
        ? {
            status: 200,
            headers: { "content-type": "text/html" },
            body: "<!doctype html><html><head><title>Welcome to nginx!</title></head><body><h1>It works",
          }
        : xml(`<${action}Response xmlns="${ec2 ? EC2_NS : STS_NS}"><${action}Result><Arn>arn:aws:iam::`);
    }

    const owner = key!.account ?? AWS_FAKE_KEY.account;
    const deny = (iamAction: string) => Boolean(key!.denied?.includes(iamAction) || key!.role?.denied?.includes(iamAction));

    if (call.service === "organizations") return answerOrganizations(request, base, key!, deny);
    if (trail) {
      if (action !== "LookupEvents") return cloudtrailError(400, "UnknownOperationException", `Unknown operation ${action}.`);
      if (deny("cloudtrail:LookupEvents")) {
        return cloudtrailError(
          400,
          "AccessDeniedException",
          `User: ${key!.arn ?? owner} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
        );
      }
      return answerLookupEvents(request.body, aws.trail[call.region!] ?? [], call.region!, call.accessKeyId!, base.switches.maxPageSize);
    }

    if (call.service === "iam") return answerIam(form, action, key!, aws, deny);
    if (call.service === "s3") {
      // The account's buckets: ListBuckets only (GET / on the service endpoint), as the S3 fake answers it.
      if (request.method !== "GET" || request.path !== "/")
        return s3Error(400, "InvalidRequest", "This fake's AWS account answers ListBuckets only.");
      call.action = "ListBuckets";
      if (deny("s3:ListAllMyBuckets")) return s3Error(403, "AccessDenied", "Access Denied");
      return listBuckets({ ...defaultS3Switches(), buckets: aws.buckets, ownerName: null }, base.switches, request.url.searchParams);
    }
    if (call.service === "eks") return answerEks(request, call, key!, aws, base.switches.maxPageSize, deny);
    if (call.service === "elasticloadbalancing" || call.service === "rds") {
      const queryCall = { form, action, region: call.region!, caller: key!, aws, pageSize: base.switches.maxPageSize, deny };
      return call.service === "rds" ? answerRds(queryCall) : answerElb(queryCall);
    }

    if (call.service === "sts" && action === "AssumeRole") return assumeRole(form, key!, call, (base as AwsFake).roles);

    if (call.service === "sts") {
      if (action !== "GetCallerIdentity")
        return stsError(400, "InvalidAction", `Could not find operation ${action} for version ${form.get("Version")}`);
      if (form.get("Version") !== "2011-06-15") return stsError(400, "InvalidAction", "Unsupported version.");
      const arn = key!.arn ?? `arn:aws:iam::${owner}:user/fake`;
      return xml(
        `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>${xmlEscape(arn)}</Arn><UserId>${xmlEscape(key!.userId ?? "AIDAFAKE")}</UserId><Account>${owner}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    }

    if (ec2) {
      if (form.get("Version") !== "2016-11-15") return ec2Error(400, "InvalidParameterValue", "Unsupported API version.");
      const region = call.region!;
      const notAuthorized = (iamAction: string) =>
        ec2Error(
          403,
          "UnauthorizedOperation",
          `You are not authorized to perform this operation. User: ${key!.arn ?? owner} is not authorized to perform: ${iamAction} because no identity-based policy allows the ${iamAction} action`,
        );
      if (action === "DescribeRegions") {
        if (deny("ec2:DescribeRegions")) return notAuthorized("ec2:DescribeRegions");
        const items = aws.regions
          .map(
            (name) =>
              `<item><regionName>${name}</regionName><regionEndpoint>ec2.${name}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`,
          )
          .join("");
        return xml(
          `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="${EC2_NS}"><requestId>${randomUUID()}</requestId><regionInfo>${items}</regionInfo></DescribeRegionsResponse>`,
        );
      }
      if (action === "DescribeInstances") {
        // A region the account has not enabled answers like a bad key, as AWS does.
        if (!aws.regions.includes(region))
          return ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
        const failing = aws.failingRegions[region];
        if (failing === "server_error") return ec2Error(500, "InternalError", "An internal error has occurred");
        if (failing === "unauthorized" || deny("ec2:DescribeInstances")) return notAuthorized("ec2:DescribeInstances");
        if (aws.pageDelayMs) await sleep(aws.pageDelayMs);
        const total = aws.instancesByRegion?.[region] ?? base.switches.resourceCount;
        const maxResults = form.has("MaxResults") ? Number(form.get("MaxResults")) : Math.max(total, 5);
        if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000) {
          return ec2Error(400, "InvalidParameterValue", "Value for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        }
        const token = form.get("NextToken");
        let start = 0;
        if (token) {
          const decoded = /^page:([a-z0-9-]+):(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
          if (!decoded || decoded[1] !== region) return ec2Error(400, "InvalidParameterValue", "The token is invalid.");
          start = Number(decoded[2]);
        }
        const end = Math.min(total, start + Math.min(maxResults, base.switches.maxPageSize));
        const items = Array.from({ length: end - start }, (_, n) => instanceXml(region, start + n, owner)).join("");
        const next = end < total ? `<nextToken>${Buffer.from(`page:${region}:${end}`).toString("base64")}</nextToken>` : "";
        return xml(
          `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="${EC2_NS}"><requestId>${randomUUID()}</requestId><reservationSet>${items}</reservationSet>${next}</DescribeInstancesResponse>`,
        );
      }
      if (action === "DescribeVolumes") {
        if (!aws.regions.includes(region))
          return ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
        if (aws.failingRegions[region] === "server_error") return ec2Error(500, "InternalError", "An internal error has occurred");
        if (aws.failingRegions[region] === "unauthorized" || deny("ec2:DescribeVolumes")) return notAuthorized("ec2:DescribeVolumes");
        const maxResults = form.has("MaxResults") ? Number(form.get("MaxResults")) : Math.max(aws.volumes, 5);
        if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 500) {
          return ec2Error(400, "InvalidParameterValue", "Value for parameter maxResults is invalid. Expecting a value between 5 and 500.");
        }
        const start = pageStart(form.get("NextToken"), region);
        if (start === null) return ec2Error(400, "InvalidParameterValue", "The token is invalid.");
        const end = Math.min(aws.volumes, start + Math.min(maxResults, base.switches.maxPageSize));
        const items = Array.from({ length: end - start }, (_, n) => volumeXml(region, start + n)).join("");
        const next = end < aws.volumes ? `<nextToken>${pageToken(region, end)}</nextToken>` : "";
        return xml(
          `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVolumesResponse xmlns="${EC2_NS}"><requestId>${randomUUID()}</requestId><volumeSet>${items}</volumeSet>${next}</DescribeVolumesResponse>`,
        );
      }
      return ec2Error(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
    }
    return stsError(400, "InvalidAction", "This fake speaks STS, EC2, RDS, EKS, ELB, IAM, CloudTrail and Organizations only.");
  }

  /**
   * IAM (a global service, Query protocol): GetAccessKeyLastUsed and ListAccessKeys over the long-term
   * keys the fake knows. A key's user is the last part of its user ARN.
   */
  function answerIam(form: URLSearchParams, action: string | null, caller: AwsFakeKey, aws: AwsSwitches, deny: (a: string) => boolean) {
    if (form.get("Version") !== "2010-05-08") return stsError(400, "InvalidAction", "Unsupported version.", "Sender", IAM_NS);
    const iamAction = `iam:${action}`;
    if (aws.iamDenied || deny(iamAction)) {
      return stsError(
        403,
        "AccessDenied",
        `User: ${caller.arn ?? "unknown"} is not authorized to perform: ${iamAction} because no identity-based policy allows the ${iamAction} action`,
        "Sender",
        IAM_NS,
      );
    }
    const account = caller.account ?? AWS_FAKE_KEY.account;
    const longTerm = keys.filter((k) => !k.sessionToken && (k.account ?? AWS_FAKE_KEY.account) === account);
    const record = (k: AwsFakeKey) => aws.iamKeys[k.accessKeyId] ?? {};
    const answer = (result: string) =>
      xml(
        `<${action}Response xmlns="${IAM_NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    if (action === "GetAccessKeyLastUsed") {
      const key = longTerm.find((k) => k.accessKeyId === form.get("AccessKeyId"));
      if (!key) return stsError(403, "AccessDenied", "The access key does not belong to this account.", "Sender", IAM_NS);
      const used = record(key).lastUsed;
      const lastUsed = used
        ? `<LastUsedDate>${used.at}</LastUsedDate><ServiceName>${xmlEscape(used.service)}</ServiceName><Region>${xmlEscape(used.region)}</Region>`
        : "<ServiceName>N/A</ServiceName><Region>N/A</Region>";
      return answer(`<UserName>${xmlEscape(iamUserName(key))}</UserName><AccessKeyLastUsed>${lastUsed}</AccessKeyLastUsed>`);
    }
    if (action === "ListAccessKeys") {
      // Without a UserName IAM lists the keys of the user who signs.
      const userName = form.get("UserName") ?? iamUserName(caller);
      const members = longTerm
        .filter((k) => iamUserName(k) === userName)
        .map(
          (k) =>
            `<member><UserName>${xmlEscape(userName)}</UserName><AccessKeyId>${k.accessKeyId}</AccessKeyId><Status>Active</Status><CreateDate>${record(k).createdAt ?? startedAt}</CreateDate></member>`,
        );
      if (members.length === 0) return stsError(404, "NoSuchEntity", `The user with name ${userName} cannot be found.`, "Sender", IAM_NS);
      return answer(`<AccessKeyMetadata>${members.join("")}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
    }
    return stsError(400, "InvalidAction", `Could not find operation ${action} for version 2010-05-08`, "Sender", IAM_NS);
  }

  /** EKS (REST-JSON): ListClusters (GET /clusters, maxResults 1–100, nextToken) and DescribeCluster (GET /clusters/{name}). */
  function answerEks(
    request: FakeRequest,
    call: AwsCall,
    caller: AwsFakeKey,
    aws: AwsSwitches,
    pageSize: number,
    deny: (a: string) => boolean,
  ): FakeResponse {
    const region = call.region!;
    const account = caller.account ?? AWS_FAKE_KEY.account;
    const eksError = (status: number, type: string, message: string): FakeResponse => ({
      status,
      headers: { "content-type": "application/json", "x-amzn-errortype": type },
      body: { message },
    });
    const denied = (action: string) =>
      eksError(
        403,
        "AccessDeniedException",
        `User: ${caller.arn ?? "unknown"} is not authorized to perform: ${action} on resource: arn:aws:eks:${region}:${account}:cluster/*`,
      );
    const total = aws.regions.includes(region) ? aws.clusters : 0;
    const names = Array.from({ length: total }, (_, i) => `cluster-${region}-${i}`);
    if (request.method === "GET" && request.path === "/clusters") {
      call.action = "ListClusters";
      if (aws.failingRegions[region] === "server_error") return eksError(500, "ServerException", "An internal error has occurred");
      if (aws.failingRegions[region] === "unauthorized" || deny("eks:ListClusters")) return denied("eks:ListClusters");
      const asked = Number(request.url.searchParams.get("maxResults") ?? 100);
      if (!Number.isInteger(asked) || asked < 1 || asked > 100)
        return eksError(400, "InvalidParameterException", "maxResults must be between 1 and 100");
      const start = pageStart(request.url.searchParams.get("nextToken"), region);
      if (start === null) return eksError(400, "InvalidParameterException", "The nextToken is invalid.");
      const end = Math.min(total, start + Math.min(asked, pageSize));
      return {
        headers: { "content-type": "application/json" },
        body: { clusters: names.slice(start, end), ...(end < total ? { nextToken: pageToken(region, end) } : {}) },
      };
    }
    const describe = /^\/clusters\/([^/]+)$/.exec(request.path);
    if (request.method === "GET" && describe) {
      call.action = "DescribeCluster";
      if (deny("eks:DescribeCluster")) return denied("eks:DescribeCluster");
      const name = decodeURIComponent(group(describe, 1));
      const index = names.indexOf(name);
      if (index < 0) return eksError(404, "ResourceNotFoundException", `No cluster found for name: ${name}.`);
      return { headers: { "content-type": "application/json" }, body: { cluster: eksClusterJson(region, index, name, account) } };
    }
    return eksError(404, "NotFoundException", "This fake's EKS answers ListClusters and DescribeCluster only.");
  }

  /** RDS (Query protocol, 2014-10-31): DescribeDBInstances of one region, MaxRecords 20–100 with a Marker. */
  function answerRds(call: QueryServiceCall): FakeResponse {
    const { form, region, caller, aws } = call;
    const refused = queryServiceRefusal(call, {
      ns: RDS_NS,
      version: "2014-10-31",
      actions: ["DescribeDBInstances"],
      iamPrefix: "rds",
      resource: `arn:aws:rds:${region}:${caller.account ?? AWS_FAKE_KEY.account}:db:*`,
    });
    if (refused) return refused;
    const rdsError = (code: string, message: string) => stsError(400, code, message, "Sender", RDS_NS);
    const total = aws.regions.includes(region) ? aws.databases : 0;
    const asked = form.has("MaxRecords") ? Number(form.get("MaxRecords")) : 100;
    if (!Number.isInteger(asked) || asked < 20 || asked > 100)
      return rdsError("InvalidParameterValue", "Invalid value for MaxRecords. Must be between 20 and 100");
    const start = pageStart(form.get("Marker"), region);
    if (start === null) return rdsError("InvalidParameterValue", "The marker is invalid.");
    const end = Math.min(total, start + Math.min(asked, call.pageSize));
    const account = caller.account ?? AWS_FAKE_KEY.account;
    const items = Array.from({ length: end - start }, (_, n) => dbInstanceXml(region, start + n, account, aws.databaseSecretCanary)).join(
      "",
    );
    const marker = end < total ? `<Marker>${pageToken(region, end)}</Marker>` : "";
    return queryAnswer(RDS_NS, "DescribeDBInstances", `<DBInstances>${items}</DBInstances>${marker}`);
  }

  /** sts:AssumeRole: the caller must be trusted and, when the role enforces it, send the right ExternalId. */
  function assumeRole(form: URLSearchParams, caller: AwsFakeKey, call: AwsCall, roles: AwsFakeRole[]): FakeResponse {
    if (form.get("Version") !== "2011-06-15") return stsError(400, "InvalidAction", "Unsupported version.");
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    const duration = Number(form.get("DurationSeconds") ?? "3600");
    call.externalId = form.get("ExternalId");
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return stsError(400, "ValidationError", "Invalid RoleSessionName.");
    if (!Number.isInteger(duration) || duration < 900 || duration > 3600) {
      return stsError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    const role = roles.find((r) => r.arn === roleArn);
    const allowed =
      role &&
      // A trust policy names a role by its ARN; AWS matches any session of that role.
      (caller.arn === role.trusts || caller.role?.arn === role.trusts) &&
      !caller.denied?.includes("sts:AssumeRole") &&
      (!role.enforceExternalId || call.externalId === role.externalId);
    if (!role || !allowed) {
      return stsError(
        403,
        "AccessDenied",
        `User: ${caller.arn ?? "unknown"} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const minted = mintRoleSession(role, sessionName, duration);
    keys.push(minted);
    return xml(
      `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult>${assumedRoleXml(minted)}</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  const base = await startFake(handle, options);
  const baseReset = base.reset.bind(base);
  const fake: AwsFake = Object.assign(base, {
    key: AWS_FAKE_KEY,
    keys,
    aws: initialAws(),
    roles: initialRoles(),
    calls,
    callsOf: (action: string, region?: string) => calls.filter((c) => c.action === action && (!region || c.region === region)),
    webIdentity: null,
  });
  const givenKeys = keys.length;
  fake.reset = () => {
    baseReset();
    fake.aws = initialAws();
    fake.roles = initialRoles();
    calls.length = 0;
    // Sessions AssumeRole issued are forgotten, so no test sees another's.
    keys.length = givenKeys;
  };
  return fake;
}
