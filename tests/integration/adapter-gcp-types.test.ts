// The Google Cloud adapter's resource types beyond instances (persistent disks, GKE clusters, Cloud SQL
// instances, Cloud Storage buckets, forwarding rules) against the wire-level Google fake: normalisation,
// paging, the type filter, an API disabled or a role missing for one type while the others list, the
// same types through workload identity federation, and credentials Google keeps that never reach the inventory.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gcpFederationSetup } from "../../supabase/functions/_shared/federation/setup.ts";
import { createGcpAdapter } from "../../supabase/functions/_shared/providers/gcp.ts";
import { clearWorkloadIdentityTokens } from "../../supabase/functions/_shared/providers/gcp-workload-identity.ts";
import type { AdapterContext, NormalizedResource } from "../../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema, type GcpCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { enableGcpFederation, type GcpFederation } from "../fakes/gcp-federation.ts";
import { startGcpFake, TEST_CA, type GcpFake } from "../fakes/gcp.ts";
import { startFake, type Fake } from "../fakes/server.ts";

const adapter = createGcpAdapter({ ca: TEST_CA, retries: 0 });
const CANARY = "canary-Pw-91d2e4f7a03b6c58";

describe("Google Cloud resource types beyond instances", () => {
  let fake: GcpFake;
  const context = (extra: Partial<AdapterContext & { type: string }> = {}): AdapterContext & { type?: string } => ({
    apiEndpoint: fake.url,
    regions: [],
    timeoutMs: 3_000,
    outbound: { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
    ...extra,
  });
  const list = (extra: Partial<AdapterContext & { type: string }> = {}) =>
    adapter.listResources(fake.keyFile() as GcpCredentials, context(extra));
  const ofType = (resources: NormalizedResource[], type: string) => resources.filter((r) => r.type === type);
  const link = (path: string) => `https://console.cloud.google.com/${path}?project=${fake.state.projectId}`;

  beforeAll(async () => {
    fake = await startGcpFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    Object.assign(fake.state, {
      apiDisabled: false,
      noRole: false,
      disabledServices: [],
      forbidden: [],
      plantedSecret: CANARY,
      disks: 4,
      forwardingRules: 2,
      clusters: 4,
      sqlInstances: 4,
      buckets: 2,
    });
    fake.switches.resourceCount = 1;
  });

  it("lists every type and normalises each like an instance, with its console page", async () => {
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    const count = (type: string) => ofType(resources, type).length;
    expect(["instance", "volume", "kubernetes_cluster", "database", "bucket", "load_balancer"].map(count)).toEqual([1, 4, 4, 4, 2, 2]);

    const disks = ofType(resources, "volume");
    expect(disks.find((d) => d.name === "disk-0001")).toEqual({
      id: "8000000000000000000",
      name: "disk-0001",
      type: "volume",
      region: "us-central1",
      zone: "us-central1-a",
      status: "running",
      raw_status: "READY",
      size: "100 GiB pd-balanced",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod" },
      created_at: "2025-03-01T17:15:00.000Z",
      console_url: link("compute/disksDetail/zones/us-central1-a/disks/disk-0001"),
    });
    expect(disks.map((d) => [d.name, d.status, d.raw_status]).sort()).toEqual([
      ["disk-0001", "running", "READY"],
      // READY but attached to nothing.
      ["disk-0002", "stopped", "READY"],
      ["disk-0003", "pending", "CREATING"],
      ["disk-0004", "error", "FAILED"],
    ]);

    const clusters = ofType(resources, "kubernetes_cluster");
    expect(clusters[0]).toEqual({
      id: `c1a5${"0".repeat(28)}`,
      name: "gke-001",
      type: "kubernetes_cluster",
      region: "us-central1",
      zone: "us-central1-a",
      status: "running",
      raw_status: "RUNNING",
      size: "4 nodes: e2-standard-4, n2-highmem-8",
      public_ips: ["35.184.0.1"],
      private_ips: [],
      tags: { team: "platform" },
      created_at: "2025-03-01T17:15:00.000Z",
      console_url: link("kubernetes/clusters/details/us-central1-a/gke-001/details"),
    });
    // A regional cluster with a private endpoint; reconciling; in error.
    expect(clusters.slice(1).map((c) => [c.region, c.zone, c.status, c.raw_status, c.private_ips])).toEqual([
      ["us-central1", null, "pending", "RECONCILING", ["172.16.0.3"]],
      ["europe-west1", "europe-west1-b", "running", "RUNNING", []],
      ["asia-east1", null, "error", "ERROR", ["172.16.0.5"]],
    ]);

    const databases = ofType(resources, "database");
    expect(databases[0]).toEqual({
      id: `projects/${fake.state.projectId}/instances/sql-001`,
      name: "sql-001",
      type: "database",
      region: "us-central1",
      zone: "us-central1-a",
      status: "running",
      raw_status: "RUNNABLE",
      size: "POSTGRES_16, db-custom-2-7680, 100 GiB",
      // PRIMARY is public, PRIVATE private; OUTGOING (egress) is neither.
      public_ips: ["34.30.0.1"],
      private_ips: ["10.20.0.3"],
      tags: { env: "prod" },
      created_at: "2025-03-01T17:15:00.000Z",
      console_url: link("sql/instances/sql-001/overview"),
    });
    expect(databases.slice(1).map((d) => [d.status, d.raw_status, d.public_ips])).toEqual([
      // RUNNABLE with activation policy NEVER: stopped.
      ["stopped", "RUNNABLE", []],
      ["pending", "PENDING_CREATE", ["34.30.0.3"]],
      ["pending", "MAINTENANCE", []],
    ]);

    const [multiRegion, regional] = ofType(resources, "bucket");
    expect(multiRegion).toEqual({
      id: `${fake.state.projectId}-bucket-1`,
      name: `${fake.state.projectId}-bucket-1`,
      type: "bucket",
      region: "us",
      zone: null,
      status: "running",
      raw_status: null,
      size: "STANDARD multi-region",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod" },
      created_at: "2025-03-01T17:15:00.000Z",
      console_url: link(`storage/browser/${fake.state.projectId}-bucket-1`),
    });
    expect(regional).toMatchObject({ region: "europe-west1", size: "NEARLINE region" });

    const rules = ofType(resources, "load_balancer");
    expect(rules.find((r) => r.name === "fr-0001")).toEqual({
      id: "9000000000000000000",
      name: "fr-0001",
      type: "load_balancer",
      region: null,
      zone: null,
      status: "running",
      raw_status: "EXTERNAL_MANAGED",
      size: "TCP 443-443",
      public_ips: ["34.120.0.1"],
      private_ips: [],
      tags: { app: "web" },
      created_at: "2025-03-01T17:15:00.000Z",
      console_url: link("net-services/loadbalancing/advanced/forwardingRules/details/forwardingRules/fr-0001"),
    });
    expect(rules.find((r) => r.name === "fr-0002")).toMatchObject({
      region: "us-central1",
      raw_status: "INTERNAL",
      size: "TCP 80,8080",
      public_ips: [],
      private_ips: ["10.128.1.2"],
      console_url: link("net-services/loadbalancing/advanced/forwardingRules/details/regions/us-central1/forwardingRules/fr-0002"),
    });
  });

  it("follows every listing's page tokens to the end: 1,100 disks, 900 forwarding rules, 700 Cloud SQL instances and buckets", async () => {
    Object.assign(fake.state, { disks: 1_100, forwardingRules: 900, sqlInstances: 700, buckets: 700 });
    fake.switches.maxPageSize = 300;
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    expect(ofType(resources, "volume")).toHaveLength(1_100);
    expect(new Set(ofType(resources, "volume").map((r) => r.id)).size).toBe(1_100);
    expect(ofType(resources, "load_balancer")).toHaveLength(900);
    expect(ofType(resources, "database")).toHaveLength(700);
    expect(ofType(resources, "bucket")).toHaveLength(700);
    expect(fake.hits(/aggregated\/disks$/)).toHaveLength(4);
    expect(fake.hits(/\/instances$/).filter((r) => !r.path.startsWith("/compute"))).toHaveLength(3);
  });

  it("lists only the type asked for, with only that API's calls", async () => {
    const { resources } = await list({ type: "bucket" });
    expect(resources.map((r) => r.type)).toEqual(["bucket", "bucket"]);
    expect(fake.requests.filter((r) => r.path !== "/token").map((r) => r.path)).toEqual(["/storage/v1/b"]);
    expect(fake.requests.find((r) => r.path === "/storage/v1/b")!.url.searchParams.get("project")).toBe(fake.state.projectId);
    expect(await list({ type: "floating_ip" })).toEqual({ resources: [], partialFailures: [] });
  });

  it("keeps only the provider's regions (or zones), for every type", async () => {
    const { resources } = await list({ regions: ["us-central1"] });
    expect(new Set(resources.map((r) => r.region))).toEqual(new Set(["us-central1"]));
    expect(new Set(resources.map((r) => r.type))).toEqual(
      new Set(["instance", "volume", "kubernetes_cluster", "database", "load_balancer"]),
    );
  });

  it("reports an API disabled in the project as that type's partial failure, saying which API to enable", async () => {
    fake.state.disabledServices = ["container.googleapis.com", "sqladmin.googleapis.com"];
    const { resources, partialFailures } = await list();
    expect(ofType(resources, "volume")).toHaveLength(4);
    expect(ofType(resources, "bucket")).toHaveLength(2);
    expect(partialFailures).toEqual([
      {
        scope: "kubernetes_cluster",
        code: "api_disabled",
        message: `The Kubernetes Engine API (container.googleapis.com) is not enabled in project ${fake.state.projectId}, so GKE clusters cannot be listed.`,
      },
      {
        scope: "database",
        code: "api_disabled",
        message: `The Cloud SQL Admin API (sqladmin.googleapis.com) is not enabled in project ${fake.state.projectId}, so Cloud SQL instances cannot be listed.`,
      },
    ]);
    const error = await list({ type: "database" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "api_disabled", hint: expect.stringContaining("gcloud services enable sqladmin.googleapis.com") });
  });

  it("names the viewer role a type needs when the account may not read it, while the others list", async () => {
    fake.state.forbidden = ["buckets", "disks"];
    const { resources, partialFailures } = await list();
    expect(ofType(resources, "kubernetes_cluster")).toHaveLength(4);
    expect(partialFailures.map((f) => [f.scope, f.code])).toEqual([
      ["volume", "permission_denied"],
      ["bucket", "permission_denied"],
    ]);
    const error = await list({ type: "bucket" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "permission_denied",
      hint: `Grant it Storage Bucket Viewer: gcloud projects add-iam-policy-binding ${fake.state.projectId} --member="serviceAccount:${fake.state.accounts[0]!.clientEmail}" --role=roles/storage.bucketViewer`,
    });
  });

  it("reports a malformed or failing listing under its own type", async () => {
    fake.switches.malformedBody = true;
    fake.switches.match = /\/locations\/-\/clusters$/;
    let result = await list();
    expect(result.partialFailures).toEqual([expect.objectContaining({ scope: "kubernetes_cluster", code: "malformed_response" })]);
    fake.reset();
    fake.switches.resourceCount = 1;
    fake.switches.serverErrors = { count: 10, status: 500 };
    fake.switches.match = /\/storage\/v1\/b$/;
    result = await list();
    expect(result.partialFailures).toEqual([expect.objectContaining({ scope: "bucket" })]);
    expect(ofType(result.resources, "database")).toHaveLength(4);
  });

  it("throws when every type fails, and stops at the token when the key is refused", async () => {
    fake.state.noRole = true;
    await expect(list()).rejects.toMatchObject({ code: "permission_denied", hint: expect.stringContaining("roles/compute.viewer") });
    fake.state.noRole = false;
    fake.reset();
    const revoked = await adapter
      .listResources(fake.keyFile({ client_email: "nobody@cloudkeep-test-123456.iam.gserviceaccount.com" }) as GcpCredentials, context())
      .catch((e: unknown) => e);
    expect(revoked).toMatchObject({ status: 401 });
    expect(fake.requests.filter((r) => r.path !== "/token")).toHaveLength(0);
  });

  it("never reads a Cloud SQL CA certificate or root password, nor a GKE cluster's masterAuth, into the inventory", async () => {
    const result = await list();
    expect(fake.requests.some((r) => r.answer?.text.includes(CANARY))).toBe(true);
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  describe("through workload identity federation", () => {
    let issuer: Fake;
    let federation: GcpFederation;
    let sign: (audience: string) => Promise<string>;

    beforeAll(async () => {
      const { privateKey, publicKey } = await generateKeyPair("ES256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
      issuer = await startFake((request) =>
        request.path === "/.well-known/openid-configuration"
          ? { body: { issuer: issuer.url, jwks_uri: `${issuer.url}/jwks` } }
          : { body: { keys: [jwk] } },
      );
      sign = (audience) =>
        new SignJWT({})
          .setProtectedHeader({ alg: "ES256", kid: "k1" })
          .setIssuer(issuer.url)
          .setSubject("org:o:provider:p")
          .setAudience(audience)
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey);
    });
    afterAll(() => issuer.close());

    it("lists the same types with a federated token as with a key", async () => {
      federation = enableGcpFederation(fake, { issuer: issuer.url });
      federation.config.computeViewers = [federation.principalOf("org:o:provider:p")];
      clearWorkloadIdentityTokens();
      const credentials = credentialsSchema("gcp").parse({
        ...federation.credentialConfig({ impersonate: false }),
        project_id: fake.state.projectId,
      }) as GcpCredentials;
      const { resources, partialFailures } = await adapter.listResources(credentials, {
        ...context(),
        federation: { issuer: issuer.url, subject: "org:o:provider:p", token: sign },
      });
      expect(partialFailures).toEqual([]);
      expect(new Set(resources.map((r) => r.type))).toEqual(
        new Set(["instance", "volume", "kubernetes_cluster", "database", "bucket", "load_balancer"]),
      );
      expect(resources).toHaveLength(1 + 4 + 2 + 4 + 4 + 2);
    });
  });

  it("has the federation setup grant every viewer role the listing needs, in gcloud and Terraform alike", () => {
    const roles = ["roles/compute.viewer", "roles/container.clusterViewer", "roles/cloudsql.viewer", "roles/storage.bucketViewer"];
    const provider = {
      id: "3b8f0000-0000-4000-8000-000000000001",
      organization_id: "3b8f0000-0000-4000-8000-000000000002",
      provider_type: "gcp",
      auth_method: "workload_identity",
      account_identifier: "cloudkeep-test-123456",
    };
    for (const hint of [
      "reader@cloudkeep-test-123456.iam.gserviceaccount.com via 123456789012/cloudkeep/cloudkeep",
      "direct via 123456789012/cloudkeep/cloudkeep",
    ]) {
      const setup = gcpFederationSetup({ ...provider, credential_hint: hint }, "https://cloudkeep.example/functions/v1/oidc")!;
      const member = hint.startsWith("direct") ? setup.principal : "serviceAccount:reader@cloudkeep-test-123456.iam.gserviceaccount.com";
      for (const role of roles) {
        expect(setup.commands).toContain(
          `gcloud projects add-iam-policy-binding cloudkeep-test-123456 --member="${member}" --role=${role}`,
        );
        expect(setup.terraform).toContain(`role    = "${role}"\n  member  = "${member}"`);
      }
    }
  });
});
