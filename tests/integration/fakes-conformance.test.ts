// Every fake answers as the cloud's own published definition says it does: each fake is driven through
// the real adapter (checks, listings, the error paths), and every answer it recorded is held against the
// cited schema excerpt of that cloud in tests/conformance/schemas. A fake cannot drift from the real API
// without this failing, and a schema excerpt cannot silently stop applying (each test checks how many
// answers it validated).
import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import awsSchema from "../conformance/schemas/aws.json" with { type: "json" };
import awsOrganizationsSchema from "../conformance/schemas/aws-organizations.json" with { type: "json" };
import azureSchema from "../conformance/schemas/azure.json" with { type: "json" };
import azureTenantSchema from "../conformance/schemas/azure-tenant.json" with { type: "json" };
import digitaloceanSchema from "../conformance/schemas/digitalocean.json" with { type: "json" };
import gcpSchema from "../conformance/schemas/gcp.json" with { type: "json" };
import gcpResourceManagerSchema from "../conformance/schemas/gcp-resource-manager.json" with { type: "json" };
import linodeSchema from "../conformance/schemas/linode.json" with { type: "json" };
import openstackSchema from "../conformance/schemas/openstack.json" with { type: "json" };
import vultrSchema from "../conformance/schemas/vultr.json" with { type: "json" };
import {
  jsonAnswers,
  jsonProblems,
  parseXml,
  queryProblems,
  xmlProblems,
  type JsonExcerpt,
  type QueryParameter,
  type XmlShapes,
} from "../conformance/conformance.ts";
import { awsAdapter } from "../../supabase/functions/_shared/providers/aws.ts";
import { awsOrganizationDiscovery } from "../../supabase/functions/_shared/providers/aws-organizations.ts";
import { createAzureAdapter } from "../../supabase/functions/_shared/providers/azure.ts";
import { createAzureTenantDiscovery } from "../../supabase/functions/_shared/providers/azure-tenant.ts";
import { digitaloceanAdapter } from "../../supabase/functions/_shared/providers/digitalocean.ts";
import { createGcpAdapter } from "../../supabase/functions/_shared/providers/gcp.ts";
import { createGcpOrganizationDiscovery } from "../../supabase/functions/_shared/providers/gcp-organization.ts";
import { linodeAdapter } from "../../supabase/functions/_shared/providers/linode.ts";
import { clearOpenStackTokens, openstackAdapter } from "../../supabase/functions/_shared/providers/openstack.ts";
import { listBucketResources, s3CompatibleAdapter } from "../../supabase/functions/_shared/providers/s3-compatible.ts";
import { vultrAdapter } from "../../supabase/functions/_shared/providers/vultr.ts";
import { systemResolver } from "../../supabase/functions/_shared/net/outbound.ts";
import type { AdapterContext } from "../../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema } from "../../supabase/functions/_shared/schemas/providers.ts";
import { AWS_FAKE_KEY, startAwsFake } from "../fakes/aws.ts";
import { fakeOrganization, type OrganizationsHost } from "../fakes/aws-organizations.ts";
import { startAzureFake, TEST_CA as AZURE_CA } from "../fakes/azure.ts";
import type { TenantHost } from "../fakes/azure-tenant.ts";
import { startDigitalOceanFake } from "../fakes/digitalocean.ts";
import { startGcpFake, TEST_CA as GCP_CA } from "../fakes/gcp.ts";
import { enableGcpResourceManager } from "../fakes/gcp-resource-manager.ts";
import { startLinodeFake } from "../fakes/linode.ts";
import { OPENSTACK_TEST_USER, startOpenStackFake } from "../fakes/openstack.ts";
import { S3_FAKE_KEY, startS3Fake } from "../fakes/s3.ts";
import type { FakeRequest } from "../fakes/server.ts";
import { startVultrFake } from "../fakes/vultr.ts";

const loopback = (url: string, overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiEndpoint: url,
  regions: [],
  timeoutMs: 5_000,
  outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
  ...overrides,
});

/** Holds every recorded JSON answer against the operation `operationOf` names; returns how many were checked. */
function checkJson(
  excerpt: JsonExcerpt,
  requests: FakeRequest[],
  operationOf: (request: FakeRequest, status: number) => string | null,
): number {
  const problems: string[] = [];
  let checked = 0;
  for (const { request, status, body } of jsonAnswers(requests)) {
    const operation = operationOf(request, status);
    if (!operation) continue;
    checked++;
    problems.push(
      ...jsonProblems(excerpt, operation, body).map((p) => `${request.method} ${request.url.pathname}${request.url.search} → ${p}`),
    );
  }
  expect(problems).toEqual([]);
  return checked;
}

describe("fakes conform to the clouds' published API definitions", () => {
  it("DigitalOcean: account, droplets, GPU droplets, volumes, Kubernetes clusters, databases and load balancers pages, and the error bodies, as in digitalocean/openapi", async () => {
    const fake = await startDigitalOceanFake({
      switches: { resourceCount: 5, maxPageSize: 2 },
      digitalocean: { gpuDroplets: 3, volumes: 3, kubernetesClusters: 3, databases: 2, loadBalancers: 3 },
    });
    try {
      const credentials = { access_key: fake.token };
      expect((await digitaloceanAdapter.checkHealth(credentials, loopback(fake.url))).ok).toBe(true);
      expect((await digitaloceanAdapter.listResources(credentials, loopback(fake.url))).resources).toHaveLength(8 + 3 + 3 + 2 + 3);
      // A listing the token may not read answers DigitalOcean's 403 body.
      fake.digitalocean.forbidden = ["volume"];
      expect((await digitaloceanAdapter.listResources(credentials, loopback(fake.url))).partialFailures).toHaveLength(1);
      fake.switches.badCredentials = true;
      expect((await digitaloceanAdapter.checkHealth(credentials, loopback(fake.url))).ok).toBe(false);
      const checked = checkJson(digitaloceanSchema as JsonExcerpt, fake.requests, (r, status) =>
        status >= 400 ? "error" : `GET ${r.path}`,
      );
      // account, droplets (3 + 2 pages), volumes, clusters and load balancers (2 pages each), databases (1), twice but the
      // refused volumes; the 403; the 401.
      expect(checked).toBe(1 + 2 * (3 + 2 + 2 + 2 + 1 + 2) - 2 + 1 + 1);
      for (const path of ["/v2/volumes", "/v2/kubernetes/clusters", "/v2/databases", "/v2/load_balancers"]) {
        expect(fake.hits(path).filter((r) => r.answer?.status === 200).length, path).toBeGreaterThan(0);
      }
      // And the adapter asks only with parameters each list operation defines, within their bounds.
      for (const [operation, parameters] of Object.entries(digitaloceanSchema.parameters)) {
        const path = operation.replace(/^GET /, "");
        expect(fake.hits(path).flatMap((r) => queryProblems(parameters as QueryParameter[], r.url))).toEqual([]);
      }
    } finally {
      await fake.close();
    }
  });

  it("Linode: profile, instance, volume, LKE cluster, database and NodeBalancer pages (additionalProperties: false) and the errors body, as in Linode's openapi.yaml", async () => {
    const fake = await startLinodeFake({
      switches: { resourceCount: 60, maxPageSize: 25 },
      linode: { volumes: 30, lkeClusters: 3, databases: 26, nodeBalancers: 2 },
    });
    try {
      const credentials = { access_key: fake.token };
      expect((await linodeAdapter.checkHealth(credentials, loopback(fake.url))).ok).toBe(true);
      expect((await linodeAdapter.listResources(credentials, loopback(fake.url))).resources).toHaveLength(60 + 30 + 3 + 26 + 2);
      // A type whose scope the token lacks answers Linode's 401 errors body for that listing alone.
      fake.linode.scopes = "linodes:read_only volumes:read_only lke:read_only databases:read_only";
      expect((await linodeAdapter.listResources(credentials, loopback(fake.url))).partialFailures).toHaveLength(1);
      fake.linode.scopes = "account:read_only";
      expect((await linodeAdapter.checkHealth(credentials, loopback(fake.url))).ok).toBe(false);
      fake.switches.badCredentials = true;
      expect((await linodeAdapter.checkHealth(credentials, loopback(fake.url))).ok).toBe(false);
      const checked = checkJson(linodeSchema as JsonExcerpt, fake.requests, (r, status) => (status >= 400 ? "error" : `GET ${r.path}`));
      // profile and probe; instances (3 pages), volumes (2), clusters (1), databases (2), NodeBalancers (1), twice but
      // the refused NodeBalancers; the 401 for them; profile and the refused probe; the revoked token's 401.
      expect(checked).toBe(2 + 2 * (3 + 2 + 1 + 2 + 1) - 1 + 1 + 2 + 1);
      for (const path of ["/v4/volumes", "/v4/lke/clusters", "/v4/databases/instances", "/v4/nodebalancers"]) {
        expect(fake.hits(path).filter((r) => r.answer?.status === 200).length, path).toBeGreaterThan(0);
      }
      // The adapter asks only with parameters each list operation defines (page_size 25–500; none for LKE).
      for (const [operation, parameters] of Object.entries(linodeSchema.parameters)) {
        const path = operation.replace(/^GET /, "");
        expect(fake.hits(path).flatMap((r) => queryProblems(parameters as QueryParameter[], r.url))).toEqual([]);
      }
    } finally {
      await fake.close();
    }
  });

  it("Vultr: account and cursor pages of instances, block storage and load balancers, VKE clusters and databases, as in the Vultr API v2 definition", async () => {
    const fake = await startVultrFake({
      switches: { resourceCount: 7, maxPageSize: 3 },
      vultr: { blocks: 4, kubernetesClusters: 2, databases: 2, loadBalancers: 3 },
    });
    try {
      const credentials = { access_key: fake.token };
      expect((await vultrAdapter.checkHealth(credentials, loopback(fake.url))).ok).toBe(true);
      expect((await vultrAdapter.listResources(credentials, loopback(fake.url))).resources).toHaveLength(7 + 4 + 2 + 2 + 3);
      const checked = checkJson(vultrSchema as JsonExcerpt, fake.requests, (r, status) => (status >= 400 ? null : `GET ${r.path}`));
      // account; instances (3 pages), blocks (2), clusters (1), databases (1), load balancers (1).
      expect(checked).toBe(1 + 3 + 2 + 1 + 1 + 1);
      // The adapter asks only with parameters each list operation defines (none for clusters, filters only for databases).
      for (const [operation, parameters] of Object.entries(vultrSchema.parameters)) {
        const path = operation.replace(/^GET /, "");
        expect(fake.hits(path).flatMap((r) => queryProblems(parameters as QueryParameter[], r.url))).toEqual([]);
      }
    } finally {
      await fake.close();
    }
  });

  it("Google Cloud: token, project, aggregated instance, disk and forwarding-rule pages, GKE clusters, Cloud SQL instances, buckets and the error bodies, as in Google's discovery documents", async () => {
    const fake = await startGcpFake({
      unreachableZones: ["europe-west1-b"],
      disks: 5,
      forwardingRules: 5,
      clusters: 3,
      sqlInstances: 5,
      buckets: 5,
    });
    const adapter = createGcpAdapter({ ca: GCP_CA, backoffBaseMs: 20 });
    try {
      fake.switches.resourceCount = 9;
      fake.switches.maxPageSize = 4;
      const context: AdapterContext = {
        apiEndpoint: fake.url,
        regions: [],
        timeoutMs: 5_000,
        outbound: { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
      };
      const credentials = credentialsSchema("gcp").parse(fake.keyFile());
      expect((await adapter.checkHealth(credentials, context)).ok).toBe(true);
      expect((await adapter.listResources(credentials, context)).resources.length).toBeGreaterThan(0);
      // One API disabled, one listing refused: Google's error bodies for each.
      fake.state.disabledServices = ["container.googleapis.com"];
      fake.state.forbidden = ["buckets"];
      expect((await adapter.listResources(credentials, context)).partialFailures.map((f) => f.scope)).toEqual(
        expect.arrayContaining(["kubernetes_cluster", "bucket"]),
      );
      fake.state.disabledServices = [];
      fake.state.forbidden = [];
      fake.state.apiDisabled = true;
      expect((await adapter.checkHealth(credentials, context)).ok).toBe(false);
      fake.state.apiDisabled = "details-only";
      expect((await adapter.checkHealth(credentials, context)).ok).toBe(false);
      fake.state.apiDisabled = false;
      fake.state.noRole = true;
      expect((await adapter.checkHealth(credentials, context)).ok).toBe(false);
      fake.state.accounts[0]!.disabled = true;
      fake.revokeTokens();
      expect(
        (await adapter.checkHealth(credentialsSchema("gcp").parse(fake.keyFile({ private_key_id: "f".repeat(40) })), context)).ok,
      ).toBe(false);
      const checked = checkJson(gcpSchema as JsonExcerpt, fake.requests, (r, status) => {
        if (r.path === "/token") return status >= 400 ? "oauth error" : "POST /token";
        if (status >= 400) return "error";
        const aggregated = /\/aggregated\/(instances|disks|forwardingRules)$/.exec(r.path);
        if (aggregated) return `GET /compute/v1/projects/{project}/aggregated/${aggregated[1]}`;
        if (/\/locations\/-\/clusters$/.test(r.path)) return "GET /v1/projects/{projectsId}/locations/{locationsId}/clusters";
        if (/^\/v1\/projects\/[^/]+\/instances$/.test(r.path)) return "GET /v1/projects/{project}/instances";
        if (r.path === "/storage/v1/b") return "GET /storage/v1/b";
        return "GET /compute/v1/projects/{project}";
      });
      expect(checked).toBeGreaterThanOrEqual(8);
      for (const path of [
        /aggregated\/disks$/,
        /aggregated\/forwardingRules$/,
        /\/clusters$/,
        /^\/v1\/projects\/[^/]+\/instances$/,
        /^\/storage\/v1\/b$/,
      ]) {
        expect(fake.hits(path).filter((r) => r.answer?.status === 200).length, String(path)).toBeGreaterThan(0);
      }
    } finally {
      await fake.close();
    }
  });

  it("Azure: subscription, VM, scale-set, network, disk, AKS, SQL, PostgreSQL, storage and load balancer pages, token and ARM errors, as in azure-rest-api-specs and Entra's token error body", async () => {
    const fake = await startAzureFake({
      disks: 3,
      managedClusters: 3,
      sqlServers: 2,
      postgresServers: 3,
      storageAccounts: 3,
      loadBalancers: 3,
      scaleSets: [
        { name: "web-pool", resourceGroup: "rg-web", orchestrationMode: "Uniform", capacity: 3 },
        { name: "flex-pool", resourceGroup: "rg-web", orchestrationMode: "Flexible", capacity: 2 },
      ],
    });
    const adapter = createAzureAdapter({ ca: AZURE_CA, backoffBaseMs: 20 });
    try {
      fake.switches.resourceCount = 5;
      fake.switches.maxPageSize = 2;
      const context: AdapterContext = {
        apiEndpoint: fake.url,
        regions: [],
        timeoutMs: 5_000,
        outbound: { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
      };
      expect((await adapter.checkHealth(fake.credentials(), context)).ok).toBe(true);
      // 5 VMs, 3 scale-set instances; 3 disks, clusters, PostgreSQL servers, accounts and load balancers; 2 × 2 SQL databases.
      expect((await adapter.listResources(fake.credentials(), context)).resources).toHaveLength(8 + 5 * 3 + 4);
      // A type the principal may not read answers ARM's 403 body.
      fake.state.forbidden = ["managedClusters"];
      expect((await adapter.listResources(fake.credentials(), context)).partialFailures).toEqual([
        expect.objectContaining({ scope: "kubernetes_cluster" }),
      ]);
      fake.state.forbidden = [];
      fake.state.noRole = true;
      expect((await adapter.checkHealth(fake.credentials(), context)).ok).toBe(false);
      // Entra's refusals: a wrong secret, and a client assertion from an issuer no federated credential names.
      expect((await adapter.checkHealth({ ...fake.credentials(), client_secret: "not-the-secret-value" }, context)).ok).toBe(false);
      const { privateKey } = await generateKeyPair("ES256");
      const stranger = "https://issuer.invalid/oidc";
      const token = () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "ES256", kid: "k1" })
          .setIssuer(stranger)
          .setSubject("org:a:provider:b")
          .setAudience("api://AzureADTokenExchange")
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey);
      const federated = await adapter.checkHealth(fake.federatedCredentials(), {
        ...context,
        federation: { issuer: stranger, subject: "org:a:provider:b", token },
      });
      expect(federated).toMatchObject({ ok: false, error: { code: "federation_issuer_mismatch" } });
      const checked = checkJson(azureSchema as JsonExcerpt, fake.requests, (r, status) => {
        if (/\/oauth2\/v2\.0\/token$/.test(r.path))
          return status >= 400 ? "POST /{tenant}/oauth2/v2.0/token error" : "POST /{tenant}/oauth2/v2.0/token";
        if (!r.path.startsWith("/subscriptions")) return null;
        if (status >= 400) return "error";
        if (/^\/subscriptions\/[^/]+$/.test(r.path)) return "GET /subscriptions/{subscriptionId}";
        if (/Microsoft\.Sql\/servers\/[^/]+\/databases$/i.test(r.path))
          return "GET /subscriptions/{subscriptionId}/resourceGroups/{rg}/providers/Microsoft.Sql/servers/{serverName}/databases";
        if (/virtualMachineScaleSets\/[^/]+\/virtualMachines$/i.test(r.path))
          return "GET /subscriptions/{subscriptionId}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}/virtualMachines";
        const kind = /providers\/(Microsoft\.\w+\/\w+)$/i.exec(r.path)?.[1];
        return kind ? `GET /subscriptions/{subscriptionId}/providers/${kind}` : null;
      });
      expect(checked).toBeGreaterThanOrEqual(1 + 3 + 3 + 1 + 2 + 3 + 2 + 1 + 2);
      const operations = Object.keys(azureSchema.operations);
      for (const kind of [
        "Compute/disks",
        "ContainerService/managedClusters",
        "Sql/servers",
        "DBforPostgreSQL/flexibleServers",
        "Storage/storageAccounts",
        "Network/loadBalancers",
      ]) {
        expect(operations, kind).toContain(`GET /subscriptions/{subscriptionId}/providers/Microsoft.${kind}`);
        expect(
          fake.hits(new RegExp(`Microsoft\\.${kind.replace("/", "\\/")}$`, "i")).filter((r) => r.answer?.status === 200).length,
          kind,
        ).toBeGreaterThan(0);
      }
      expect(fake.hits(/\/databases$/).filter((r) => r.answer?.status === 200).length).toBeGreaterThan(0);
    } finally {
      await fake.close();
    }
  });

  it("OpenStack: Keystone tokens, Nova server pages and the error body, as in the Keystone and Nova API references", async () => {
    const fake = await startOpenStackFake({ switches: { resourceCount: 5, maxPageSize: 2 } });
    clearOpenStackTokens();
    try {
      const context = loopback(fake.keystoneUrl);
      expect((await openstackAdapter.checkHealth({ ...OPENSTACK_TEST_USER }, context)).ok).toBe(true);
      expect(
        (await openstackAdapter.listResources({ ...OPENSTACK_TEST_USER }, { ...context, regions: ["RegionOne"] })).resources,
      ).toHaveLength(5);
      fake.revokeTokens();
      fake.switches.badCredentials = true;
      clearOpenStackTokens();
      expect((await openstackAdapter.checkHealth({ ...OPENSTACK_TEST_USER }, context)).ok).toBe(false);
      const checked = checkJson(openstackSchema as JsonExcerpt, fake.requests, (r, status) => {
        if (status >= 400) return "error";
        if (r.path.endsWith("/auth/tokens")) return "POST /v3/auth/tokens";
        if (r.path.endsWith("/servers/detail")) return "GET /v2.1/servers/detail";
        if (r.path.endsWith("/flavors/detail")) return "GET /v2.1/flavors/detail";
        return null;
      });
      expect(checked).toBeGreaterThanOrEqual(1 + 3 + 1);
    } finally {
      await fake.close();
    }
  });

  it("AWS: STS, IAM, EC2, RDS, EKS and ELB answers and errors use only the element names of the service models", async () => {
    const fake = await startAwsFake({
      switches: { resourceCount: 3, maxPageSize: 2 },
      // Volumes and databases over several pages, a master user secret planted in every database.
      aws: {
        regions: ["us-east-1", "eu-west-1"],
        volumes: 3,
        databases: 3,
        databaseSecretCanary: "canary-rds-secret",
        buckets: [{ name: "conform-logs", createdAt: "2025-01-01T00:00:00.000Z", region: "eu-west-1" }],
        clusters: 3,
        loadBalancers: 3,
      },
      keys: [
        {
          accessKeyId: "ASIAEXPIREDCONFORM01",
          secretAccessKey: "expiredSecret/K7MDENG/bPxRfiCYEXAMPLEKEY9",
          sessionToken: "token",
          expired: true,
        },
      ],
    });
    try {
      const keys = { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey };
      expect((await awsAdapter.checkHealth(keys, loopback(fake.url))).ok).toBe(true);
      expect((await awsAdapter.listResources(keys, loopback(fake.url))).resources).toHaveLength(31);
      // An EKS error, as REST-JSON writes it.
      fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["eks:ListClusters"] };
      await awsAdapter.listResources(keys, { ...loopback(fake.url), type: "kubernetes_cluster" }).catch(() => null);
      fake.keys[0] = AWS_FAKE_KEY;
      // An ELB error in the Query protocol's shape.
      fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["elasticloadbalancing:DescribeLoadBalancers"] };
      await awsAdapter.listResources(keys, { ...loopback(fake.url), type: "load_balancer" }).catch(() => null);
      fake.keys[0] = AWS_FAKE_KEY;
      // An RDS error in the Query protocol's shape.
      fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["rds:DescribeDBInstances"] };
      await awsAdapter.listResources(keys, { ...loopback(fake.url), type: "database" }).catch(() => null);
      fake.keys[0] = AWS_FAKE_KEY;
      expect(
        (await awsAdapter.checkHealth({ ...keys, secret_key: "wrong/K7MDENG/bPxRfiCYEXAMPLEKEY00000000" }, loopback(fake.url))).ok,
      ).toBe(false);
      await awsAdapter
        .listResources(
          { access_key: "ASIAEXPIREDCONFORM01", secret_key: "expiredSecret/K7MDENG/bPxRfiCYEXAMPLEKEY9", session_token: "token" },
          loopback(fake.url),
        )
        .catch(() => null);
      fake.aws.iamDenied = true;
      expect((await awsAdapter.checkHealth(keys, loopback(fake.url))).ok).toBe(true);

      // The services the fake answers in XML, each with its operations and shapes in the excerpt.
      type Service = "ec2" | "elbv2" | "iam" | "rds" | "s3" | "sts";
      const shapes = awsSchema.shapes as unknown as Record<Service, XmlShapes>;
      const errors = awsSchema.errors as unknown as Record<"ec2" | "query" | "s3", { root: string; shapes: XmlShapes }>;
      const operations = awsSchema.operations as unknown as Record<
        Service,
        Record<string, { root: string; output: string; result?: string; extra?: string[] }>
      >;
      const problems: string[] = [];
      let checked = 0;
      for (const [index, request] of fake.requests.entries()) {
        if (!request.answer) continue;
        const call = fake.calls[index];
        if (call?.service === "eks") {
          checked++;
          problems.push(...eksProblems(call.action, request.answer.status, request.answer.text));
          continue;
        }
        const service =
          call?.service === "elasticloadbalancing"
            ? "elbv2"
            : call?.service === "ec2" || call?.service === "iam" || call?.service === "rds" || call?.service === "s3"
              ? call.service
              : "sts";
        const root = parseXml(request.answer.text);
        checked++;
        if (request.answer.status >= 400) {
          const protocol = service === "ec2" ? errors.ec2 : service === "s3" ? errors.s3 : errors.query;
          if (root.name !== protocol.root) problems.push(`${call?.action}: error root <${root.name}>, not <${protocol.root}>`);
          else problems.push(...xmlProblems(root, protocol.root, protocol.shapes));
          continue;
        }
        const operation = operations[service][call?.action ?? ""];
        if (!operation) {
          problems.push(`${service} ${call?.action}: not an operation of the excerpt`);
          continue;
        }
        if (root.name !== operation.root) problems.push(`${call?.action}: root <${root.name}>, not <${operation.root}>`);
        if (operation.result) {
          // Query protocol: <XResponse><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>.
          for (const child of root.children) {
            if (child.name === operation.result)
              problems.push(...xmlProblems(child, operation.output, shapes[service], `${root.name}/${child.name}`));
            else if (child.name === "ResponseMetadata")
              problems.push(
                ...xmlProblems(child, "ResponseMetadata", awsSchema.responseMetadata as XmlShapes, `${root.name}/${child.name}`),
              );
            else problems.push(`${root.name}/${child.name}: not part of a Query answer`);
          }
        } else {
          const body = { ...root, children: root.children.filter((c) => !(operation.extra ?? []).includes(c.name)) };
          problems.push(...xmlProblems(body, operation.output, shapes[service], root.name));
        }
      }
      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThanOrEqual(8);
      expect(fake.calls.some((c) => c.code === "RequestExpired")).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it("S3: ListBuckets, paged and plain, and its errors use only the element names of the S3 model", async () => {
    const fake = await startS3Fake({ switches: { resourceCount: 5, maxPageSize: 2 }, s3: { buckets: null } });
    try {
      const credentials = {
        access_key: S3_FAKE_KEY.accessKeyId,
        secret_key: S3_FAKE_KEY.secretAccessKey,
        region: "us-east-1",
        force_path_style: true,
      };
      expect((await s3CompatibleAdapter.listResources(credentials, loopback(fake.url))).resources).toHaveLength(5);
      const awsResolve = async (host: string) =>
        host.endsWith(".amazonaws.com") ? [{ address: "127.0.0.1", family: 4 as const }] : systemResolver(host);
      const onAws = loopback(`http://s3.us-east-1.amazonaws.com:${fake.port}`);
      expect(
        (await listBucketResources({ ...credentials, force_path_style: false }, onAws, { resolve: awsResolve })).resources,
      ).toHaveLength(5);
      expect((await s3CompatibleAdapter.checkHealth({ ...credentials, secret_key: "wrong-secret" }, loopback(fake.url))).ok).toBe(false);

      const shapes = awsSchema.shapes.s3 as unknown as XmlShapes;
      const s3Errors = awsSchema.errors.s3 as unknown as { shapes: XmlShapes };
      const problems: string[] = [];
      const answers = fake.requests.filter((r) => r.answer);
      for (const request of answers) {
        const root = parseXml(request.answer!.text);
        if (request.answer!.status >= 400) {
          if (root.name !== "Error") problems.push(`error root <${root.name}>`);
          else problems.push(...xmlProblems(root, "Error", s3Errors.shapes));
        } else {
          if (root.name !== "ListAllMyBucketsResult") problems.push(`root <${root.name}>`);
          problems.push(...xmlProblems(root, "ListBucketsOutput", shapes));
        }
      }
      expect(problems).toEqual([]);
      expect(answers).toHaveLength(1 + 3 + 1);
    } finally {
      await fake.close();
    }
  });
});

describe("discovery fakes conform to the clouds' published API definitions (whole organizations)", () => {
  it("AWS Organizations: ListAccounts pages and its errors, as in the Organizations model", async () => {
    const fake = await startAwsFake({ switches: { maxPageSize: 2 } });
    try {
      const host = fake as typeof fake & OrganizationsHost;
      host.organization = fakeOrganization(AWS_FAKE_KEY.account, [{}, {}, { State: "CLOSED" }, { State: "PENDING_ACTIVATION" }]);
      const keys = { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey };
      const scope = { cloud: "aws" as const, member_role_name: "CloudkeepMember" };
      expect((await awsOrganizationDiscovery.discoverAccounts(keys, scope, loopback(fake.url))).accounts).toHaveLength(5);
      host.organization = null;
      await expect(awsOrganizationDiscovery.discoverAccounts(keys, scope, loopback(fake.url))).rejects.toThrow();
      fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["organizations:ListAccounts"] };
      await expect(awsOrganizationDiscovery.discoverAccounts(keys, scope, loopback(fake.url))).rejects.toThrow();
      const organizations = fake.requests.filter((r) => (r.headers["x-amz-target"] ?? "").startsWith("AWSOrganizationsV20161128."));
      const checked = checkJson(awsOrganizationsSchema as unknown as JsonExcerpt, organizations, (_r, status) =>
        status >= 400 ? "error" : "ListAccounts",
      );
      // Three pages, NotInUse, AccessDenied.
      expect(checked).toBe(3 + 1 + 1);
      // And the adapter asks within the operation's bounds.
      const bounds = awsOrganizationsSchema.parameters.ListAccounts.MaxResults;
      for (const request of organizations) {
        const max = (JSON.parse(request.body) as { MaxResults?: number }).MaxResults;
        expect(max === undefined || (max >= bounds.minimum && max <= bounds.maximum)).toBe(true);
      }
    } finally {
      await fake.close();
    }
  });

  it("Azure tenants: Subscriptions - List and management group descendant pages and ARM's error, as in azure-rest-api-specs", async () => {
    const fake = await startAzureFake();
    try {
      fake.switches.maxPageSize = 2;
      const root = fake.state.tenantId;
      const sub = (n: number) => `0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`;
      (fake as typeof fake & TenantHost).tenant = {
        tenantId: root,
        rootGroup: root,
        groups: { [root]: null, platform: root, prod: "platform" },
        subscriptions: [
          { id: sub(1), name: "a", state: "Enabled", group: "platform" },
          { id: sub(2), name: "b", state: "Warned", group: "prod" },
          { id: sub(3), name: "c", state: "Disabled", group: "prod", readable: false },
        ],
        forbiddenGroups: ["prod"],
      };
      const discovery = createAzureTenantDiscovery({ ca: AZURE_CA, backoffBaseMs: 20 });
      const context = loopback(fake.url, { outbound: { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] } });
      expect(
        (await discovery.discoverAccounts(fake.credentials(), { cloud: "azure", management_group_id: "platform" }, context)).accounts,
      ).toHaveLength(3);
      await expect(
        discovery.discoverAccounts(fake.credentials(), { cloud: "azure", management_group_id: "prod" }, context),
      ).rejects.toThrow();
      const arm = fake.requests.filter((r) => r.path === "/subscriptions" || r.path.includes("/descendants"));
      const checked = checkJson(azureTenantSchema as unknown as JsonExcerpt, arm, (r, status) =>
        status >= 400
          ? r.path.includes("/descendants")
            ? "GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants error"
            : "error"
          : r.path === "/subscriptions"
            ? "GET /subscriptions"
            : "GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants",
      );
      // Subscriptions: one page of two, once per discovery; platform's descendants (prod and three subscriptions): two pages; the 403.
      expect(checked).toBe(2 + 2 + 1);
    } finally {
      await fake.close();
    }
  });

  it("Google Cloud organizations: folders.search and projects.search pages and the error body, as in the Resource Manager v3 discovery document", async () => {
    const fake = await startGcpFake();
    try {
      fake.switches.maxPageSize = 2;
      const org = "organizations/123456789012";
      const rm = enableGcpResourceManager(fake, {
        folders: [
          { name: "folders/1", parent: org, displayName: "A" },
          { name: "folders/2", parent: "folders/1", displayName: "B", state: "DELETE_REQUESTED" },
        ],
        projects: [
          { projectId: "proj-one", number: "11", parent: org, displayName: "One" },
          { projectId: "proj-two", number: "12", parent: "folders/1", displayName: "Two", state: "DELETE_REQUESTED" },
          { projectId: "proj-three", number: "13", parent: "folders/1", displayName: "Three", labels: { team: "x" } },
        ],
      });
      const discovery = createGcpOrganizationDiscovery({ ca: GCP_CA, backoffBaseMs: 20 });
      const credentials = credentialsSchema("gcp").parse(fake.keyFile()) as never;
      const context = loopback(fake.url, { outbound: { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] } });
      expect((await discovery.discoverAccounts(credentials, { cloud: "gcp", parent: org }, context)).accounts).toHaveLength(3);
      rm.apiDisabled = true;
      await expect(discovery.discoverAccounts(credentials, { cloud: "gcp", parent: org }, context)).rejects.toThrow();
      const searches = fake.requests.filter((r) => r.path.startsWith("/v3/"));
      const checked = checkJson(gcpResourceManagerSchema as unknown as JsonExcerpt, searches, (r, status) =>
        status >= 400 ? "error" : `GET ${r.path}`,
      );
      // Folders: one page; projects: two pages; then the refusal (and the other search's, when it was answered before the first ended the listing).
      const refusals = searches.filter((r) => r.answer?.status === 403).length;
      expect(refusals).toBeGreaterThanOrEqual(1);
      expect(checked).toBe(1 + 2 + refusals);
      for (const [operation, parameters] of Object.entries(gcpResourceManagerSchema.parameters)) {
        const path = operation.replace(/^GET /, "");
        expect(fake.hits(path).flatMap((r) => queryProblems(parameters as QueryParameter[], r.url))).toEqual([]);
      }
    } finally {
      await fake.close();
    }
  });
});

type JsonShapes = Record<string, { members: Record<string, unknown> }>;

/** An EKS (REST-JSON) answer against the excerpt: every key a member of its shape, each value of its kind. */
function eksProblems(action: string | null, status: number, text: string): string[] {
  const body = JSON.parse(text) as Record<string, unknown>;
  const eks = awsSchema.shapes.eks as unknown as JsonShapes;
  if (status >= 400) {
    const allowed = (awsSchema.errors as unknown as { eks: { members: string[] } }).eks.members;
    return Object.keys(body)
      .filter((key) => !allowed.includes(key))
      .map((key) => `eks ${action} error: ${key} is not part of an error`);
  }
  const operation = (awsSchema.operations as unknown as { eks: Record<string, { output: string }> }).eks[action ?? ""];
  if (!operation) return [`eks ${action}: not an operation of the excerpt`];
  const problems: string[] = [];
  const check = (value: unknown, kind: unknown, path: string): void => {
    if (typeof kind === "string" && kind in eks) {
      if (!value || typeof value !== "object" || Array.isArray(value)) return void problems.push(`${path}: not an object`);
      for (const [key, child] of Object.entries(value)) {
        const member = eks[kind]!.members[key]; // kind in eks, checked above
        if (member === undefined) problems.push(`${path}.${key}: not a member of ${kind}`);
        else check(child, member, `${path}.${key}`);
      }
    } else if (kind === "string" && typeof value !== "string") problems.push(`${path}: not a string`);
    else if ((kind === "number" || kind === "timestamp") && typeof value !== "number") problems.push(`${path}: not a number`);
    else if (kind === "boolean" && typeof value !== "boolean") problems.push(`${path}: not a boolean`);
    else if (kind && typeof kind === "object" && "list" in kind) {
      if (!Array.isArray(value)) problems.push(`${path}: not a list`);
      else value.forEach((item, i) => check(item, (kind as { list: string }).list, `${path}[${i}]`));
    } else if (kind && typeof kind === "object" && "map" in kind) {
      if (!value || typeof value !== "object" || Object.values(value).some((v) => typeof v !== "string"))
        problems.push(`${path}: not a map of strings`);
    }
  };
  check(body, operation.output, action ?? "?");
  return problems;
}
