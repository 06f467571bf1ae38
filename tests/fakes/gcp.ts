// A wire-level fake of Google Cloud for a service-account key: the OAuth 2.0 token endpoint
// (JWT-bearer grant) that VERIFIES each assertion's RS256 signature against the service account's
// public key and checks iss, aud, scope, iat and exp the way Google does; and Compute Engine REST
// (projects.get, aggregated instances with pageToken pages, unreachable zones, Google's error shapes).
//
// Served over HTTPS with the test CA by default (token_uri = <fake>/token, apiEndpoint = fake.url).
import { createPublicKey, createVerify, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { bearerToken, cycle, group, startFake, type Fake, type FakeRequest, type FakeResponse } from "./server.ts";

const certs = new URL("./certs/", import.meta.url);
/** The test CA that signed the fake's certificate (tests/fakes/certs): hand it to createGcpAdapter({ ca }). */
export const TEST_CA = readFileSync(new URL("ca.pem", certs), "utf8");
const TEST_TLS = { key: readFileSync(new URL("server-key.pem", certs), "utf8"), cert: readFileSync(new URL("server.pem", certs), "utf8") };

/** The throwaway RSA key of the test service account (tests/unit/fixtures). */
export const GCP_TEST_PRIVATE_KEY = readFileSync(new URL("../unit/fixtures/gcp-test-service-account.pem", import.meta.url), "utf8");

export type GcpServiceAccount = {
  clientEmail: string;
  privateKeyId: string;
  /** PEM (SPKI) public key the fake verifies assertions against; it never sees the private key. */
  publicKey: string;
  /** A deleted key or disabled account: Google answers invalid_grant. */
  disabled?: boolean;
};

export type GcpFakeState = {
  projectId: string;
  projectNumber: string;
  accounts: GcpServiceAccount[];
  /** The Compute Engine API is not enabled in the project: 403 with ErrorInfo SERVICE_DISABLED ("details-only": without the legacy `errors` list). */
  apiDisabled: boolean | "details-only";
  /** The service account has no role on the project: 403 PERMISSION_DENIED. */
  noRole: boolean;
  /** Zones whose listing fails (returned in `unreachables`). */
  unreachableZones: string[];
  /** A hostile endpoint: error messages echo the request body and Authorization header back. */
  echoSecrets: boolean;
  tokenLifetime: number;
  /** How many of each type beside instances the project holds. */
  disks: number;
  forwardingRules: number;
  clusters: number;
  sqlInstances: number;
  buckets: number;
  /** APIs not enabled in the project besides Compute Engine (container, sqladmin, storage .googleapis.com): 403 SERVICE_DISABLED naming the service. */
  disabledServices: string[];
  /** Listings that answer 403 PERMISSION_DENIED, as for an account without the type's viewer role. */
  forbidden: GcpListing[];
  /** A secret planted where Google keeps credentials (a GKE cluster's masterAuth, a Cloud SQL serverCaCert): the adapter must never carry it. */
  plantedSecret: string;
};

export type GcpListing = "disks" | "forwardingRules" | "clusters" | "sqlInstances" | "buckets";

export type GcpFake = Fake & {
  state: GcpFakeState;
  tokenUri: string;
  /** A key file for the test service account that this fake accepts. */
  keyFile: (overrides?: Record<string, string>) => {
    type: "service_account";
    project_id: string;
    private_key_id: string;
    private_key: string;
    client_email: string;
    client_id: string;
    auth_uri: string;
    token_uri: string;
  };
  tokenRequests: () => FakeRequest[];
  /** The decoded claims of every assertion the fake verified. */
  assertions: Record<string, unknown>[];
  /** Forgets every issued access token (as if revoked): Compute answers 401 to them. */
  revokeTokens: () => void;
  /** Mints an access token Compute accepts for `email` (a federated principal, too): for gcp-federation.ts. */
  grantAccessToken: (email: string, scope: string) => { accessToken: string; expiresIn: number };
  /** Who an access token the fake issued stands for, and its scopes (gcp-resource-manager.ts). */
  grantOf: (accessToken: string) => { email: string; scope: string; expires: number } | undefined;
  /** Routes tried before Google's own (workload identity federation: see gcp-federation.ts); null: not theirs. */
  routes: ((request: FakeRequest, fake: Fake) => Promise<FakeResponse | null>)[];
};

export const ZONES = ["us-central1-a", "us-central1-b", "europe-west1-b", "asia-east1-a"];
const MACHINE_TYPES = ["e2-medium", "n2-standard-4", "e2-small"];
const STATUSES = ["RUNNING", "TERMINATED", "STAGING", "RUNNING", "SUSPENDED"];

export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" }).toString();
}

function b64urlJson(part: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function oauthError(status: number, error: string, description: string): FakeResponse {
  return { status, body: { error, error_description: description } };
}

function googleError(
  status: number,
  message: string,
  reason: string,
  statusText: string,
  extra: Record<string, unknown> = {},
): FakeResponse {
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        errors: [{ message, domain: reason === "accessNotConfigured" ? "usageLimits" : "global", reason }],
        status: statusText,
        ...extra,
      },
    },
  };
}

function instance(state: GcpFakeState, index: number, base: string) {
  const zone = cycle(ZONES, index);
  const name = `instance-${String(index + 1).padStart(4, "0")}`;
  const hasExternal = index % 2 === 0;
  return {
    kind: "compute#instance",
    id: String(7_000_000_000_000_000_000n + BigInt(index)),
    creationTimestamp: `2025-02-${String(1 + (index % 28)).padStart(2, "0")}T08:30:00.000-08:00`,
    name,
    tags: { fingerprint: "42WmSpB8rSM=" },
    machineType: `${base}/compute/v1/projects/${state.projectId}/zones/${zone}/machineTypes/${cycle(MACHINE_TYPES, index)}`,
    status: cycle(STATUSES, index),
    zone: `${base}/compute/v1/projects/${state.projectId}/zones/${zone}`,
    networkInterfaces: [
      {
        kind: "compute#networkInterface",
        network: `${base}/compute/v1/projects/${state.projectId}/global/networks/default`,
        networkIP: `10.128.0.${(index % 250) + 2}`,
        name: "nic0",
        ...(hasExternal
          ? {
              accessConfigs: [
                {
                  kind: "compute#accessConfig",
                  type: "ONE_TO_ONE_NAT",
                  name: "External NAT",
                  natIP: `34.72.0.${(index % 250) + 2}`,
                  networkTier: "PREMIUM",
                },
              ],
            }
          : {}),
      },
    ],
    labels: { env: index % 2 === 0 ? "prod" : "dev", team: "platform" },
    selfLink: `${base}/compute/v1/projects/${state.projectId}/zones/${zone}/instances/${name}`,
  };
}

const created = (index: number) => `2025-03-${String(1 + (index % 28)).padStart(2, "0")}T09:15:00.000-08:00`;
const regionOf = (zone: string) => zone.replace(/-[a-z]$/, "");
const DISK_STATUSES = ["READY", "READY", "CREATING", "FAILED"];

/** Persistent disk n (compute#disk), in zone n mod 4; attached to instance n at even indexes. */
export function fakeDisk(state: GcpFakeState, index: number, base: string) {
  const zone = cycle(ZONES, index);
  const name = `disk-${String(index + 1).padStart(4, "0")}`;
  const zoneUrl = `${base}/compute/v1/projects/${state.projectId}/zones/${zone}`;
  return {
    kind: "compute#disk",
    id: String(8_000_000_000_000_000_000n + BigInt(index)),
    creationTimestamp: created(index),
    name,
    sizeGb: String(100 + index),
    zone: zoneUrl,
    status: cycle(DISK_STATUSES, index),
    selfLink: `${zoneUrl}/disks/${name}`,
    type: `${zoneUrl}/diskTypes/${index % 2 === 0 ? "pd-balanced" : "pd-ssd"}`,
    ...(index % 2 === 0 ? { users: [`${zoneUrl}/instances/instance-${String(index + 1).padStart(4, "0")}`] } : {}),
    labels: { env: "prod" },
    labelFingerprint: "42WmSpB8rSM=",
    physicalBlockSizeBytes: "4096",
  };
}

/** Forwarding rule n (compute#forwardingRule): global and EXTERNAL at even indexes, regional and INTERNAL at odd ones. */
export function fakeForwardingRule(state: GcpFakeState, index: number, base: string) {
  const global = index % 2 === 0;
  const region = regionOf(cycle(ZONES, index));
  const name = `fr-${String(index + 1).padStart(4, "0")}`;
  const where = global ? "global" : `regions/${region}`;
  return {
    kind: "compute#forwardingRule",
    id: String(9_000_000_000_000_000_000n + BigInt(index)),
    creationTimestamp: created(index),
    name,
    ...(global ? {} : { region: `${base}/compute/v1/projects/${state.projectId}/regions/${region}` }),
    IPAddress: global ? `34.120.0.${(index % 250) + 1}` : `10.128.1.${(index % 250) + 1}`,
    IPProtocol: "TCP",
    ...(global ? { portRange: "443-443" } : { ports: ["80", "8080"] }),
    ...(global ? { target: `${base}/compute/v1/projects/${state.projectId}/global/targetHttpsProxies/web-proxy` } : {}),
    ...(global ? {} : { backendService: `${base}/compute/v1/projects/${state.projectId}/regions/${region}/backendServices/api` }),
    selfLink: `${base}/compute/v1/projects/${state.projectId}/${where}/forwardingRules/${name}`,
    loadBalancingScheme: global ? "EXTERNAL_MANAGED" : "INTERNAL",
    networkTier: "PREMIUM",
    labels: global ? { app: "web" } : {},
    labelFingerprint: "42WmSpB8rSM=",
  };
}

const CLUSTER_STATUSES = ["RUNNING", "RECONCILING", "RUNNING", "ERROR"];

/** GKE cluster n (Cluster): zonal at even indexes, regional at odd; its masterAuth carries the planted secret. */
export function fakeCluster(state: GcpFakeState, index: number) {
  const zone = cycle(ZONES, index);
  const location = index % 2 === 0 ? zone : regionOf(zone);
  const name = `gke-${String(index + 1).padStart(3, "0")}`;
  return {
    name,
    nodePools: [
      {
        name: "default-pool",
        config: { machineType: "e2-standard-4", diskSizeGb: 100 },
        initialNodeCount: 3,
        status: "RUNNING",
        version: "1.30.5-gke.1014001",
      },
      {
        name: "highmem",
        config: { machineType: "n2-highmem-8", diskSizeGb: 200 },
        initialNodeCount: 1,
        status: "RUNNING",
        version: "1.30.5-gke.1014001",
      },
    ],
    masterAuth: {
      username: "admin",
      password: state.plantedSecret,
      clusterCaCertificate: "LS0tLS1CRUdJTi1DRVJU",
      clientKey: state.plantedSecret,
    },
    network: "default",
    endpoint: index % 2 === 0 ? `35.184.0.${(index % 250) + 1}` : `172.16.0.${(index % 250) + 2}`,
    ...(index % 2 === 0
      ? {}
      : {
          privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, privateEndpoint: `172.16.0.${(index % 250) + 2}` },
        }),
    initialClusterVersion: "1.30.5-gke.1014001",
    currentMasterVersion: "1.30.5-gke.1014001",
    currentNodeCount: 4,
    createTime: created(index),
    status: cycle(CLUSTER_STATUSES, index),
    selfLink: `https://container.googleapis.com/v1/projects/${state.projectId}/locations/${location}/clusters/${name}`,
    zone: location,
    location,
    id: `c1a5${String(index).padStart(28, "0")}`,
    resourceLabels: { team: "platform" },
  };
}

const SQL_STATES: [state: string, activation: string][] = [
  ["RUNNABLE", "ALWAYS"],
  ["RUNNABLE", "NEVER"],
  ["PENDING_CREATE", "ALWAYS"],
  ["MAINTENANCE", "ALWAYS"],
];

/** Cloud SQL instance n (DatabaseInstance), with the CA certificate and root password Google can hold: the planted secret. */
export function fakeSqlInstance(state: GcpFakeState, index: number) {
  const zone = cycle(ZONES, index);
  const name = `sql-${String(index + 1).padStart(3, "0")}`;
  const [sqlState, activation] = cycle(SQL_STATES, index);
  return {
    kind: "sql#instance",
    state: sqlState,
    databaseVersion: index % 2 === 0 ? "POSTGRES_16" : "MYSQL_8_0",
    settings: {
      kind: "sql#settings",
      tier: "db-custom-2-7680",
      activationPolicy: activation,
      dataDiskSizeGb: "100",
      dataDiskType: "PD_SSD",
      availabilityType: "ZONAL",
      userLabels: { env: "prod" },
      ipConfiguration: { ipv4Enabled: index % 2 === 0 },
    },
    etag: "c2f1a6e",
    ipAddresses: [
      ...(index % 2 === 0 ? [{ type: "PRIMARY", ipAddress: `34.30.0.${(index % 250) + 1}` }] : []),
      { type: "PRIVATE", ipAddress: `10.20.0.${(index % 250) + 3}` },
      { type: "OUTGOING", ipAddress: `35.200.0.${(index % 250) + 1}` },
    ],
    serverCaCert: {
      kind: "sql#sslCert",
      certSerialNumber: "0",
      cert: `-----BEGIN CERTIFICATE-----${state.plantedSecret}`,
      commonName: "C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA",
      instance: name,
    },
    rootPassword: state.plantedSecret,
    instanceType: "CLOUD_SQL_INSTANCE",
    project: state.projectId,
    backendType: "SECOND_GEN",
    selfLink: `https://sqladmin.googleapis.com/v1/projects/${state.projectId}/instances/${name}`,
    connectionName: `${state.projectId}:${regionOf(zone)}:${name}`,
    name,
    region: regionOf(zone),
    gceZone: zone,
    createTime: created(index),
  };
}

/** Cloud Storage bucket n (storage#bucket). */
export function fakeBucket(state: GcpFakeState, index: number) {
  const name = `${state.projectId}-bucket-${index + 1}`;
  const multi = index % 2 === 0;
  return {
    kind: "storage#bucket",
    selfLink: `https://www.googleapis.com/storage/v1/b/${name}`,
    id: name,
    name,
    projectNumber: state.projectNumber,
    metageneration: "1",
    location: multi ? "US" : "EUROPE-WEST1",
    storageClass: multi ? "STANDARD" : "NEARLINE",
    etag: "CAE=",
    timeCreated: new Date(Date.UTC(2025, 2, 1 + (index % 28), 17, 15)).toISOString(),
    updated: new Date(Date.UTC(2025, 2, 1 + (index % 28), 17, 15)).toISOString(),
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: "enforced" },
    locationType: multi ? "multi-region" : "region",
    labels: { env: "prod" },
  };
}

/** The services beside Compute Engine, by the path prefix their list operation answers under. */
const OTHER_SERVICES: { path: RegExp; service: string; listing: GcpListing; scope: RegExp }[] = [
  {
    path: /^\/v1\/projects\/([^/]+)\/locations\/-\/clusters$/,
    service: "container.googleapis.com",
    listing: "clusters",
    scope: /(^| )https:\/\/www\.googleapis\.com\/auth\/cloud-platform( |$)/,
  },
  {
    path: /^\/v1\/projects\/([^/]+)\/instances$/,
    service: "sqladmin.googleapis.com",
    listing: "sqlInstances",
    scope: /(^| )https:\/\/www\.googleapis\.com\/auth\/(cloud-platform|sqlservice\.admin)( |$)/,
  },
  {
    path: /^\/storage\/v1\/b$/,
    service: "storage.googleapis.com",
    listing: "buckets",
    scope: /(^| )https:\/\/www\.googleapis\.com\/auth\/(cloud-platform(\.read-only)?|devstorage\.(read_only|read_write|full_control))( |$)/,
  },
];

const API_NAMES: Record<string, string> = {
  "compute.googleapis.com": "Compute Engine API",
  "container.googleapis.com": "Kubernetes Engine API",
  "sqladmin.googleapis.com": "Cloud SQL Admin API",
  "storage.googleapis.com": "Cloud Storage JSON API",
};

/** Google's answer for an API not enabled in the project (ErrorInfo SERVICE_DISABLED naming the service). */
function serviceDisabled(service: string, projectNumber: string, detailsOnly = false): FakeResponse {
  const message = `${API_NAMES[service]} has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  const details = [
    {
      "@type": "type.googleapis.com/google.rpc.Help",
      links: [
        {
          description: "Google developers console API activation",
          url: `https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber}`,
        },
      ],
    },
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "SERVICE_DISABLED",
      domain: "googleapis.com",
      metadata: { service, consumer: `projects/${projectNumber}` },
    },
  ];
  if (detailsOnly) return { status: 403, body: { error: { code: 403, message, status: "PERMISSION_DENIED", details } } };
  return googleError(403, message, "accessNotConfigured", "PERMISSION_DENIED", { details });
}

export async function startGcpFake(initial: Partial<GcpFakeState> = {}, options: { http?: boolean; port?: number } = {}): Promise<GcpFake> {
  const state: GcpFakeState = {
    projectId: "cloudkeep-test-123456",
    projectNumber: "123456789012",
    accounts: [
      {
        clientEmail: "cloudkeep-reader@cloudkeep-test-123456.iam.gserviceaccount.com",
        privateKeyId: "0123456789abcdef0123456789abcdef01234567",
        publicKey: publicKeyOf(GCP_TEST_PRIVATE_KEY),
      },
    ],
    apiDisabled: false,
    noRole: false,
    unreachableZones: [],
    echoSecrets: false,
    tokenLifetime: 3599,
    disks: 0,
    forwardingRules: 0,
    clusters: 0,
    sqlInstances: 0,
    buckets: 0,
    disabledServices: [],
    forbidden: [],
    plantedSecret: "sql-root-Pw-0f3b8c2d9e",
    ...initial,
  };
  const issued = new Map<string, { email: string; scope: string; expires: number }>();
  const assertions: Record<string, unknown>[] = [];

  const handler = (request: FakeRequest, fake: Fake): FakeResponse => {
    const base = fake.url;
    const echo = (what: string) => (state.echoSecrets ? ` Received: ${what}` : "");

    // --- OAuth 2.0 token endpoint (JWT-bearer grant, RFC 7523)
    if (request.path === "/token") {
      if (request.method !== "POST") return oauthError(405, "invalid_request", "Only POST is supported.");
      const form = new URLSearchParams(request.body);
      if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${form.get("grant_type") ?? ""}`);
      }
      const assertion = form.get("assertion") ?? "";
      const parts = assertion.split(".");
      // Only three parts are parsed (and then verified); the defaults are never used.
      const [headerPart = "", claimsPart = "", signaturePart = ""] = parts;
      const header = parts.length === 3 ? b64urlJson(headerPart) : null;
      const claims = parts.length === 3 ? b64urlJson(claimsPart) : null;
      if (!header || !claims) return oauthError(400, "invalid_grant", `Invalid JWT: could not parse the assertion.${echo(request.body)}`);
      if (header.alg !== "RS256") return oauthError(400, "invalid_grant", "Invalid JWT: only RS256 is accepted.");
      const account = state.accounts.find((a) => a.clientEmail === claims.iss);
      if (!account) return oauthError(400, "invalid_grant", `Invalid grant: account not found${echo(request.body)}`);
      const signatureOk = createVerify("RSA-SHA256")
        .update(`${headerPart}.${claimsPart}`)
        .verify(account.publicKey, Buffer.from(signaturePart, "base64url"));
      if (!signatureOk || account.disabled || fake.switches.badCredentials) {
        return oauthError(400, "invalid_grant", `Invalid JWT Signature.${echo(request.body)}`);
      }
      if (claims.aud !== `${base}/token`)
        return oauthError(400, "invalid_grant", `Invalid JWT: Failed audience check. The right audience is ${base}/token`);
      const now = Math.floor(Date.now() / 1000);
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp - iat > 3600 || exp <= now || iat > now + 300) {
        return oauthError(
          400,
          "invalid_grant",
          "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
        );
      }
      const scopes = String(claims.scope ?? "")
        .split(" ")
        .filter(Boolean);
      if (scopes.length === 0) return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
      assertions.push({ header, ...claims });
      const accessToken = `ya29.fake-${randomUUID()}`;
      issued.set(accessToken, { email: account.clientEmail, scope: scopes.join(" "), expires: Date.now() + state.tokenLifetime * 1000 });
      return { body: { access_token: accessToken, expires_in: state.tokenLifetime, token_type: "Bearer" } };
    }

    // --- Compute Engine
    if (request.path.startsWith("/compute/v1/")) {
      const presented = bearerToken(request);
      const grant = presented ? issued.get(presented) : undefined;
      if (!grant || grant.expires < Date.now()) {
        return googleError(
          401,
          `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.${echo(request.headers.authorization ?? "")}`,
          "authError",
          "UNAUTHENTICATED",
        );
      }
      if (!/(^| )https:\/\/www\.googleapis\.com\/auth\/(compute\.readonly|compute|cloud-platform(\.read-only)?)( |$)/.test(grant.scope)) {
        return googleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions", "PERMISSION_DENIED");
      }
      const project = /^\/compute\/v1\/projects\/([^/]+)(\/aggregated\/(instances|disks|forwardingRules))?$/.exec(request.path);
      if (!project || request.method !== "GET")
        return googleError(404, `The requested URL ${request.path} was not found on this server.`, "notFound", "NOT_FOUND");
      const projectId = decodeURIComponent(group(project, 1));
      if (projectId !== state.projectId)
        return googleError(404, `The resource 'projects/${projectId}' was not found`, "notFound", "NOT_FOUND");
      if (state.apiDisabled) {
        // Google's answer for a disabled API: the machine-readable cause is the google.rpc.ErrorInfo in
        // `details` (reason SERVICE_DISABLED, the service in its metadata); `status` stays PERMISSION_DENIED.
        // Newer front ends leave out the legacy `errors` list: only `details` says why.
        return serviceDisabled("compute.googleapis.com", state.projectNumber, state.apiDisabled === "details-only");
      }
      if (state.noRole) {
        return googleError(
          403,
          `Required 'compute.${project[3] ? `${project[3]}.list` : "projects.get"}' permission for 'projects/${projectId}'`,
          "forbidden",
          "PERMISSION_DENIED",
        );
      }

      const collection = project[3] as "instances" | "disks" | "forwardingRules" | undefined;
      if (collection && collection !== "instances" && state.forbidden.includes(collection)) {
        return googleError(
          403,
          `Required 'compute.${collection}.list' permission for 'projects/${projectId}'`,
          "forbidden",
          "PERMISSION_DENIED",
        );
      }
      if (!collection) {
        return {
          body: {
            kind: "compute#project",
            id: state.projectNumber,
            creationTimestamp: "2024-06-01T10:00:00.000-07:00",
            name: state.projectId,
            commonInstanceMetadata: { kind: "compute#metadata", fingerprint: "abc=" },
            defaultServiceAccount: `${state.projectNumber}-compute@developer.gserviceaccount.com`,
            selfLink: `${base}/compute/v1/projects/${state.projectId}`,
            xpnProjectStatus: "UNSPECIFIED_XPN_PROJECT_STATUS",
            defaultNetworkTier: "PREMIUM",
          },
        };
      }

      // aggregated lists: pageToken is an opaque offset, maxResults clamped to the fake's page size.
      const total =
        collection === "disks" ? state.disks : collection === "forwardingRules" ? state.forwardingRules : fake.switches.resourceCount;
      const asked = Number(request.url.searchParams.get("maxResults") ?? "500");
      const size = Math.max(1, Math.min(Number.isFinite(asked) && asked > 0 ? asked : 500, 500, fake.switches.maxPageSize));
      const token = request.url.searchParams.get("pageToken");
      const offset = token
        ? Number(
            Buffer.from(token, "base64url")
              .toString("utf8")
              .replace(/^offset:/, ""),
          )
        : 0;
      if (!Number.isInteger(offset) || offset < 0)
        return googleError(400, "Invalid value for field 'pageToken'.", "invalid", "INVALID_ARGUMENT");
      const end = Math.min(offset + size, total);
      // Each item's scope: its zone (instances, disks), or its region or global (forwarding rules).
      const scopeOf = (i: number) =>
        collection === "forwardingRules" ? (i % 2 === 0 ? "global" : `regions/${regionOf(cycle(ZONES, i))}`) : `zones/${cycle(ZONES, i)}`;
      const scopes =
        collection === "forwardingRules"
          ? ["global", ...[...new Set(ZONES.map(regionOf))].map((r) => `regions/${r}`)]
          : ZONES.map((z) => `zones/${z}`);
      const model = (i: number) =>
        collection === "disks"
          ? fakeDisk(state, i, base)
          : collection === "forwardingRules"
            ? fakeForwardingRule(state, i, base)
            : instance(state, i, base);
      const items: Record<string, unknown> = {};
      for (const scope of scopes) {
        if (state.unreachableZones.includes(scope.replace(/^zones\//, ""))) continue;
        const here = [];
        for (let i = offset; i < end; i++) if (scopeOf(i) === scope) here.push(model(i));
        items[scope] = here.length
          ? { [collection]: here }
          : {
              warning: {
                code: "NO_RESULTS_ON_PAGE",
                message: `There are no results for scope '${scope}' on this page.`,
                data: [{ key: "scope", value: scope }],
              },
            };
      }
      const kinds = {
        instances: "compute#instanceAggregatedList",
        disks: "compute#diskAggregatedList",
        forwardingRules: "compute#forwardingRuleAggregatedList",
      };
      const unreachables = collection === "instances" ? state.unreachableZones.map((z) => `zones/${z}`) : [];
      return {
        body: {
          kind: kinds[collection],
          id: `projects/${state.projectId}/aggregated/${collection}`,
          items,
          ...(end < total ? { nextPageToken: Buffer.from(`offset:${end}`).toString("base64url") } : {}),
          selfLink: `${base}/compute/v1/projects/${state.projectId}/aggregated/${collection}`,
          ...(unreachables.length ? { unreachables } : {}),
        },
      };
    }

    // --- Kubernetes Engine, Cloud SQL Admin and Cloud Storage list operations
    const other = OTHER_SERVICES.find((entry) => entry.path.test(request.path));
    if (other && request.method === "GET") {
      const presented = bearerToken(request);
      const grant = presented ? issued.get(presented) : undefined;
      if (!grant || grant.expires < Date.now()) {
        return googleError(401, "Request had invalid authentication credentials.", "authError", "UNAUTHENTICATED");
      }
      if (!other.scope.test(grant.scope)) {
        return googleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions", "PERMISSION_DENIED");
      }
      const projectId =
        other.listing === "buckets"
          ? request.url.searchParams.get("project")
          : decodeURIComponent(group(other.path.exec(request.path)!, 1));
      if (projectId !== state.projectId) return googleError(404, `The project ${projectId} was not found.`, "notFound", "NOT_FOUND");
      if (state.disabledServices.includes(other.service)) return serviceDisabled(other.service, state.projectNumber);
      if (state.noRole || state.forbidden.includes(other.listing)) {
        const permission = {
          clusters: "container.clusters.list",
          sqlInstances: "cloudsql.instances.list",
          buckets: "storage.buckets.list",
        }[other.listing as "clusters"];
        return googleError(403, `Permission '${permission}' denied on resource 'projects/${projectId}'.`, "forbidden", "PERMISSION_DENIED");
      }
      if (other.listing === "clusters") {
        // projects.locations.clusters.list is not paginated: every cluster in one answer.
        return { body: { clusters: Array.from({ length: state.clusters }, (_, i) => fakeCluster(state, i)) } };
      }
      const total = other.listing === "sqlInstances" ? state.sqlInstances : state.buckets;
      const asked = Number(request.url.searchParams.get("maxResults") ?? "500");
      const size = Math.max(1, Math.min(Number.isFinite(asked) && asked > 0 ? asked : 500, fake.switches.maxPageSize));
      const offset = Number(request.url.searchParams.get("pageToken") ?? "0");
      const end = Math.min(offset + size, total);
      const items = [];
      for (let i = offset; i < end; i++) items.push(other.listing === "sqlInstances" ? fakeSqlInstance(state, i) : fakeBucket(state, i));
      const next = end < total ? { nextPageToken: String(end) } : {};
      if (other.listing === "sqlInstances") return { body: { kind: "sql#instancesList", ...(items.length ? { items } : {}), ...next } };
      return { body: { kind: "storage#buckets", ...(items.length ? { items } : {}), ...next } };
    }
    return { status: 404, body: { error: { code: 404, message: `No route for ${request.method} ${request.path}` } } };
  };

  const routes: GcpFake["routes"] = [];
  const routed = async (request: FakeRequest, base: Fake) => {
    for (const route of routes) {
      const answered = await route(request, base);
      if (answered) return answered;
    }
    return handler(request, base);
  };
  const fake = (await startFake(routed, { ...(options.http ? {} : { https: TEST_TLS }), port: options.port })) as GcpFake;
  fake.routes = routes;
  fake.grantAccessToken = (email, scope) => {
    const accessToken = `ya29.fake-${randomUUID()}`;
    issued.set(accessToken, { email, scope, expires: Date.now() + state.tokenLifetime * 1000 });
    return { accessToken, expiresIn: state.tokenLifetime };
  };
  fake.state = state;
  fake.tokenUri = `${fake.url}/token`;
  fake.assertions = assertions;
  fake.tokenRequests = () => fake.hits("/token");
  fake.revokeTokens = () => issued.clear();
  fake.grantOf = (accessToken) => issued.get(accessToken);
  const firstAccount = () => {
    const [account] = state.accounts;
    if (!account) throw new Error("The GCP fake has no service account to write a key file for.");
    return account;
  };
  fake.keyFile = (overrides = {}) => ({
    type: "service_account",
    project_id: state.projectId,
    private_key_id: firstAccount().privateKeyId,
    private_key: GCP_TEST_PRIVATE_KEY,
    client_email: firstAccount().clientEmail,
    client_id: "112233445566778899001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: fake.tokenUri,
    ...overrides,
  });
  return fake;
}
