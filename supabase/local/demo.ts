// Demo mode (`npm run dev -- --demo`): the wire-level fakes from tests/fakes for all eight kinds on
// loopback, and a "Demo" organization seeded through the real domain functions — one provider per
// kind pointed at its fake, plus one that fails on purpose — so a newcomer sees health and
// resources without any cloud account. Development only: imported by dev.ts and its test, never by
// the product (the fakes are test code and stay out of the Next build).
import { resolve } from "node:path";
import postgres, { type Sql } from "postgres";
import { parseKeyRing, type KeyRing } from "../functions/_shared/crypto/index.ts";
import { onlyRow, withRls, type Claims } from "../functions/_shared/db.ts";
import { checkProviderHealth, refreshResources, type ConnectivityContext } from "../functions/_shared/domain/connectivity.ts";
import { DomainError, ProviderCallError } from "../functions/_shared/domain/errors.ts";
import { createProvider, rotateProviderCredentials, type VaultContext } from "../functions/_shared/domain/providers.ts";
import { discoverOrganizationAccounts, type DiscoveryOutcome } from "../functions/_shared/domain/cloud-organizations.ts";
import { createAzureAdapter } from "../functions/_shared/providers/azure.ts";
import { createAzureTenantDiscovery } from "../functions/_shared/providers/azure-tenant.ts";
import { loadDiscovery, type DiscoveryLoader } from "../functions/_shared/providers/discovery.ts";
import { createGcpAdapter } from "../functions/_shared/providers/gcp.ts";
import { loadAdapter, type AdapterLoader } from "../functions/_shared/providers/index.ts";
import type { ProviderType } from "../functions/_shared/schemas/providers.ts";
import { AWS_FAKE_KEY, startAwsFake } from "../../tests/fakes/aws.ts";
import { startAzureFake, TEST_CA } from "../../tests/fakes/azure.ts";
import type { TenantHost } from "../../tests/fakes/azure-tenant.ts";
import { startDigitalOceanFake } from "../../tests/fakes/digitalocean.ts";
import { startGcpFake } from "../../tests/fakes/gcp.ts";
import { enableGcpFederation } from "../../tests/fakes/gcp-federation.ts";
import { enableAwsWebIdentity } from "../../tests/fakes/aws-web-identity.ts";
import {
  AWS_WEB_IDENTITY_AUDIENCE,
  AZURE_FEDERATION_AUDIENCE,
  federationSubject,
  issuerHostPath,
  resolveOidcIssuer,
} from "../functions/_shared/federation/issuer.ts";
import { startLinodeFake } from "../../tests/fakes/linode.ts";
import { OPENSTACK_TEST_USER, startOpenStackFake } from "../../tests/fakes/openstack.ts";
import { S3_FAKE_KEY, startS3Fake } from "../../tests/fakes/s3.ts";
import type { Fake } from "../../tests/fakes/server.ts";
import { startVultrFake } from "../../tests/fakes/vultr.ts";

export const DEMO_ORG = { name: "Demo", slug: "demo" } as const;
/** A fixed, documented password: the demo holds only fake credentials for fake clouds on loopback. */
export const DEMO_USER = { email: "demo@cloudkeep.local", password: "cloudkeep-demo" } as const;

/** The test CA that signed the Azure and GCP fakes' certificates (they speak HTTPS, as the SDKs insist). */
export const DEMO_CA_PATH = resolve(import.meta.dirname, "..", "..", "tests", "fakes", "certs", "ca.pem");

/**
 * What makes the portal and the edge functions trust the demo CA; only ever set in demo mode.
 * Deno's fetch reads DENO_CERT, its node:https (the Azure and Google clients) reads NODE_EXTRA_CA_CERTS.
 */
// The fakes listen on 127.0.0.1, which no organization may allow-list: the operator (this demo)
// trusts it for the portal and the functions, through CLOUDKEEP_TRUSTED_CIDRS.
export const DEMO_TRUST = {
  node: { NODE_EXTRA_CA_CERTS: DEMO_CA_PATH, CLOUDKEEP_TRUSTED_CIDRS: "127.0.0.1/32" },
  deno: { DENO_CERT: DEMO_CA_PATH, NODE_EXTRA_CA_CERTS: DEMO_CA_PATH, CLOUDKEEP_TRUSTED_CIDRS: "127.0.0.1/32" },
} as const;

/**
 * Fixed loopback ports, next to the stack's (54321, 54322), so the demo providers' endpoints stay
 * the same from one `--demo` run to the next.
 */
export const DEMO_PORTS: Record<ProviderType, number> = {
  aws: 54330,
  azure: 54331,
  gcp: 54332,
  digitalocean: 54333,
  linode: 54334,
  vultr: 54335,
  openstack: 54336,
  s3_compatible: 54337,
};

/** A create body for each demo provider, as a person would type it in the add dialog. */
export type DemoProviderSpec = {
  name: string;
  provider_type: ProviderType;
  environment: string;
  api_endpoint: string;
  credentials: Record<string, unknown>;
  /** A whole cloud organization: its accounts are discovered and connected after the checks. */
  organization_scope?: Record<string, unknown>;
};

/** The demo AWS account's S3 buckets. */
const DEMO_S3_BUCKETS = [
  { name: "demo-app-assets", createdAt: "2024-02-01T00:00:00.000Z" },
  { name: "demo-backups", createdAt: "2024-03-15T00:00:00.000Z" },
  { name: "demo-logs", createdAt: "2025-01-10T00:00:00.000Z" },
];

/** The demo tenant's other subscriptions, beside the one "Azure (demo)" connects (all in the Azure fake). */
export const DEMO_TENANT = {
  name: "Contoso tenant (demo)",
  platform: "0c0c0c0c-1111-4222-8333-000000000001",
  subscriptions: [
    { id: "0c0c0c0c-1111-4222-8333-000000000001", name: "Platform", state: "Enabled" },
    { id: "0c0c0c0c-1111-4222-8333-000000000002", name: "Data team", state: "Enabled" },
    { id: "0c0c0c0c-1111-4222-8333-000000000003", name: "Sandbox", state: "Warned" },
    { id: "0c0c0c0c-1111-4222-8333-000000000004", name: "Old trial", state: "Disabled" },
  ] as const,
};

/** The second Google, AWS and Azure fakes: a project, an account and a subscription connected by federation (no secret). */
export const DEMO_FEDERATION_PORTS = { gcp: 54338, aws: 54339, azure: 54340 } as const;

export type DemoFakes = {
  providers: DemoProviderSpec[];
  /** Makes the fake cloud behind a federated demo provider trust its subject, as its admin would (by name). */
  trust?(name: string, subject: string): void;
  /** The provider that fails on purpose, by name. */
  failingName: string;
  stop(): Promise<void>;
};

/** A DigitalOcean token the DigitalOcean fake does not know: the demo's failing provider. */
const REVOKED_DO_TOKEN = `dop_v1_${"0badc0de".repeat(8)}`;
const FAILING_NAME = "DigitalOcean (revoked token)";
const FEDERATED_GCP_NAME = "Google Cloud (no secret, demo)";
const FEDERATED_AWS_NAME = "AWS (no secret, demo)";
/** The demo's federated AWS account and the role in it that trusts Cloudkeep's issuer. */
const FEDERATED_AWS_ACCOUNT = "210987654321";
const FEDERATED_AWS_ROLE = `arn:aws:iam::${FEDERATED_AWS_ACCOUNT}:role/CloudkeepReadOnly`;
const FEDERATED_AZURE_NAME = "Azure (no secret, demo)";

/**
 * Starts the eight fakes with enough resources for several pages of the Resources tab (25 a page).
 * `ports: "free"` picks free ports instead of DEMO_PORTS (tests, next to a running demo).
 */
export async function startDemoFakes(options: { ports?: Record<ProviderType, number> | "free"; issuer?: string } = {}): Promise<DemoFakes> {
  const port = (kind: ProviderType) => (options.ports === "free" ? undefined : (options.ports ?? DEMO_PORTS)[kind]);
  const started: Fake[] = [];
  const start = async <F extends Fake>(fake: Promise<F>) => {
    const running = await fake;
    started.push(running);
    return running;
  };
  const stop = () => Promise.all(started.map((fake) => fake.close())).then(() => undefined);
  try {
    // 4 instances in each of the 17 default regions; the others page through their own API's pages.
    // Beside its instances, in every region: two EBS volumes, an RDS database and an EKS cluster; and three S3 buckets.
    const aws = await start(
      startAwsFake({
        port: port("aws"),
        switches: { resourceCount: 4 },
        aws: { volumes: 2, databases: 1, clusters: 1, loadBalancers: 1, buckets: DEMO_S3_BUCKETS },
      }),
    );
    // Beside its VMs: managed disks, AKS clusters, a SQL server's two databases and a PostgreSQL server, storage accounts, load balancers.
    const azure = await start(
      startAzureFake(
        {
          subscriptionName: "Demo subscription",
          disks: 5,
          managedClusters: 2,
          sqlServers: 1,
          sqlDatabasesPerServer: 2,
          postgresServers: 1,
          storageAccounts: 3,
          loadBalancers: 2,
        },
        { port: port("azure") },
      ),
    );
    Object.assign(azure.switches, { resourceCount: 60, maxPageSize: 25 });
    // The tenant around it: the principal reads four more subscriptions, one of them disabled.
    (azure as TenantHost).tenant = {
      tenantId: azure.state.tenantId,
      rootGroup: azure.state.tenantId,
      groups: { [azure.state.tenantId]: null },
      subscriptions: [
        { id: azure.state.subscriptionId, name: azure.state.subscriptionName, state: "Enabled" },
        ...DEMO_TENANT.subscriptions.map((s) => ({ ...s })),
      ],
      forbiddenGroups: [],
    };
    // Beside its instances: persistent disks, GKE clusters, Cloud SQL instances, buckets and forwarding rules.
    const gcp = await start(
      startGcpFake(
        { projectId: "cloudkeep-demo", disks: 6, clusters: 2, sqlInstances: 2, buckets: 3, forwardingRules: 2 },
        { port: port("gcp") },
      ),
    );
    Object.assign(gcp.switches, { resourceCount: 40, maxPageSize: 15 });
    // The same fake Google, another project, trusting Cloudkeep's issuer instead of holding a key.
    const federatedGcp = await start(
      startGcpFake(
        { projectId: "cloudkeep-demo-federated", projectNumber: "210987654321" },
        { port: options.ports === "free" ? undefined : DEMO_FEDERATION_PORTS.gcp },
      ),
    );
    federatedGcp.switches.resourceCount = 12;
    const gcpFederation = options.issuer
      ? enableGcpFederation(federatedGcp, { issuer: options.issuer, pool: "cloudkeep-demo", provider: "cloudkeep" })
      : null;
    if (gcpFederation) gcpFederation.config.computeViewers = [`serviceAccount:${gcpFederation.config.serviceAccount}`];
    // Another AWS account, whose role trusts Cloudkeep's issuer (an IAM OIDC provider) for the demo provider's subject.
    const federatedAws = await start(
      startAwsFake({
        port: options.ports === "free" ? undefined : DEMO_FEDERATION_PORTS.aws,
        switches: { resourceCount: 2 },
        aws: { regions: ["us-east-1", "eu-west-1", "ap-southeast-2"] },
      }),
    );
    const awsFederation = options.issuer
      ? enableAwsWebIdentity(federatedAws, [
          { account: FEDERATED_AWS_ACCOUNT, url: issuerHostPath(options.issuer), clientIds: [AWS_WEB_IDENTITY_AUDIENCE] },
        ])
      : null;
    // Another Azure app and subscription, whose app trusts Cloudkeep's issuer (a federated credential) instead of a secret.
    const federatedAzure = options.issuer
      ? await start(
          startAzureFake(
            {
              subscriptionName: "Demo subscription (no secret)",
              clientId: "cccccccc-dddd-4eee-8fff-000000000000",
              subscriptionId: "77777777-6666-4555-8444-333333333333",
            },
            { port: options.ports === "free" ? undefined : DEMO_FEDERATION_PORTS.azure },
          ),
        )
      : null;
    if (federatedAzure) federatedAzure.switches.resourceCount = 8;
    // Droplets for several pages, and a few of each other kind DigitalOcean lists.
    const digitalocean = await start(
      startDigitalOceanFake({
        port: port("digitalocean"),
        switches: { resourceCount: 120 },
        digitalocean: { volumes: 6, kubernetesClusters: 2, databases: 2, loadBalancers: 1 },
      }),
    );
    // Linode and Vultr likewise: machines for several pages, and a few of each other kind they list.
    const linode = await start(
      startLinodeFake({
        port: port("linode"),
        switches: { resourceCount: 75, maxPageSize: 25 },
        linode: { volumes: 5, lkeClusters: 2, databases: 2, nodeBalancers: 2 },
      }),
    );
    const vultr = await start(
      startVultrFake({
        port: port("vultr"),
        switches: { resourceCount: 55, maxPageSize: 20 },
        vultr: { blocks: 4, kubernetesClusters: 2, databases: 2, loadBalancers: 1 },
      }),
    );
    const openstack = await start(startOpenStackFake({ port: port("openstack"), switches: { resourceCount: 30, maxPageSize: 10 } }));
    const s3 = await start(startS3Fake({ port: port("s3_compatible"), switches: { resourceCount: 30 }, s3: { buckets: null } }));

    const spec = (
      name: string,
      provider_type: ProviderType,
      api_endpoint: string,
      credentials: Record<string, unknown>,
      environment = "production",
    ) => ({
      name,
      provider_type,
      environment,
      api_endpoint,
      credentials,
    });
    const providers: DemoProviderSpec[] = [
      spec("AWS (demo)", "aws", aws.url, { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey }),
      spec("Azure (demo)", "azure", azure.url, azure.credentials()),
      {
        ...spec(DEMO_TENANT.name, "azure", azure.url, { ...azure.credentials(), subscription_id: DEMO_TENANT.platform }, "staging"),
        organization_scope: { management_group_id: null },
      },
      spec("Google Cloud (demo)", "gcp", gcp.url, gcp.keyFile()),
      spec("DigitalOcean (demo)", "digitalocean", digitalocean.url, { access_key: digitalocean.token }),
      spec("Linode (demo)", "linode", linode.url, { access_key: linode.token }, "staging"),
      spec("Vultr (demo)", "vultr", vultr.url, { access_key: vultr.token }, "staging"),
      spec("OpenStack (demo)", "openstack", openstack.keystoneUrl, { ...OPENSTACK_TEST_USER }, "development"),
      spec(
        "MinIO (demo)",
        "s3_compatible",
        s3.url,
        { access_key: S3_FAKE_KEY.accessKeyId, secret_key: S3_FAKE_KEY.secretAccessKey, force_path_style: true },
        "development",
      ),
      spec(FAILING_NAME, "digitalocean", digitalocean.url, { access_key: REVOKED_DO_TOKEN }, "other"),
      ...(gcpFederation
        ? [
            spec(FEDERATED_GCP_NAME, "gcp", federatedGcp.url, {
              auth_method: "workload_identity",
              credential_config: gcpFederation.credentialConfig(),
              project_id: federatedGcp.state.projectId,
            }),
          ]
        : []),
      ...(awsFederation
        ? [spec(FEDERATED_AWS_NAME, "aws", federatedAws.url, { auth_method: "web_identity", role_arn: FEDERATED_AWS_ROLE })]
        : []),
      ...(federatedAzure ? [spec(FEDERATED_AZURE_NAME, "azure", federatedAzure.url, federatedAzure.federatedCredentials())] : []),
    ];
    const trust = (name: string, subject: string) => {
      if (name === FEDERATED_GCP_NAME && gcpFederation && !gcpFederation.config.workloadIdentityUsers.includes(subject))
        gcpFederation.config.workloadIdentityUsers.push(subject);
      if (name === FEDERATED_AWS_NAME && awsFederation) {
        // As the setup's template creates it: the role trusts the OIDC provider for this aud and sub only.
        federatedAws.roles = [
          {
            arn: FEDERATED_AWS_ROLE,
            trusts: "",
            externalId: "",
            enforceExternalId: false,
            webIdentity: { providerUrl: issuerHostPath(options.issuer!), audience: AWS_WEB_IDENTITY_AUDIENCE, subject },
          },
        ];
      }
      // What the provider page's az command adds to the app: this issuer, this subject, Azure's audience.
      if (
        name === FEDERATED_AZURE_NAME &&
        federatedAzure &&
        options.issuer &&
        !federatedAzure.state.federatedCredentials.some((c) => c.subject === subject)
      ) {
        federatedAzure.state.federatedCredentials.push({
          name: "cloudkeep-demo",
          issuer: options.issuer,
          subject,
          audiences: [AZURE_FEDERATION_AUDIENCE],
        });
      }
    };
    return { providers, failingName: FAILING_NAME, trust, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Seeding

export type SeedOptions = {
  /** Superuser connection to the stack's database (domain calls switch to the demo user's role). */
  sql: Sql;
  ring: KeyRing;
  /** The gateway (`/auth/v1` creates the demo user like any sign-up would). */
  supabaseUrl: string;
  secretKey: string;
  fakes: DemoFakes;
  log?: (line: string) => void;
};

export type SeededProvider = {
  id: string;
  name: string;
  provider_type: ProviderType;
  created: boolean;
  /** The demo's failing provider, there to show what a failure looks like. */
  failsOnPurpose: boolean;
  healthy: boolean;
  /** The failure's message and hint, when the check failed. */
  error: string | null;
  resources: number | null;
  /** For a whole organization: what its discovery found. */
  discovered?: DiscoveryOutcome;
};

export type SeedReport = { userId: string; organizationId: string; providers: SeededProvider[] };

/** The demo user, created through the auth server's admin API on the first run. */
async function ensureDemoUser(options: SeedOptions): Promise<Claims> {
  const existing = await findUser(options.sql);
  if (existing) return existing;
  const res = await fetch(`${options.supabaseUrl}/auth/v1/admin/users`, {
    method: "POST",
    headers: { apikey: options.secretKey, authorization: `Bearer ${options.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password, email_confirm: true }),
  });
  if (!res.ok) throw new Error(`Could not create the demo user (${res.status}): ${(await res.text()).slice(0, 200)}`);
  const created = await findUser(options.sql);
  if (!created) throw new Error("The demo user was created but cannot be found in auth.users.");
  return created;
}

async function findUser(sql: Sql): Promise<Claims | null> {
  const [user] = await sql<{ id: string }[]>`select id from auth.users where lower(email) = ${DEMO_USER.email}`;
  // The claims Supabase Auth would put in the demo user's access token.
  return user ? { sub: user.id, role: "authenticated", email: DEMO_USER.email, aud: "authenticated" } : null;
}

/** The Demo organization, owned by the demo user, allowing the fakes' loopback http endpoints. */
async function ensureDemoOrganization(sql: Sql, claims: Claims): Promise<string> {
  return withRls(sql, claims, async (tx) => {
    const [mine] = await tx<{ id: string }[]>`select id from public.organizations where slug = ${DEMO_ORG.slug}`;
    let id = mine?.id;
    if (!id) {
      const [taken] = await sql<{ id: string }[]>`select id from public.organizations where slug = ${DEMO_ORG.slug}`;
      if (taken) {
        throw new Error(
          `An organization with the slug "${DEMO_ORG.slug}" already exists and ${DEMO_USER.email} is not a member. Rename it, or delete .local/ to start from an empty database.`,
        );
      }
      const created = await tx<{ id: string }[]>`select id from public.create_organization(${DEMO_ORG.name}, ${DEMO_ORG.slug})`;
      id = onlyRow(created, "public.create_organization()").id;
    }
    // The fakes speak plain http on 127.0.0.1 (trusted by the operator, see DEMO_TRUST).
    await tx`update public.organizations set allow_http_endpoints = true where id = ${id}`;
    return id;
  });
}

/** In this process the Azure and GCP adapters (and Azure discovery) get the demo CA directly (NODE_EXTRA_CA_CERTS is read only at start-up). */
const demoAdapters: AdapterLoader = async (kind) => {
  if (kind === "azure") return createAzureAdapter({ ca: TEST_CA }) as never;
  if (kind === "gcp") return createGcpAdapter({ ca: TEST_CA }) as never;
  return loadAdapter(kind);
};
const demoDiscovery: DiscoveryLoader = async (kind) => {
  if (kind === "azure") return createAzureTenantDiscovery({ ca: TEST_CA }) as never;
  return loadDiscovery(kind);
};

/** Creates the provider, or finds it by name; an endpoint that moved is followed by a credential rotation. */
async function ensureProvider(
  ctx: VaultContext,
  organizationId: string,
  spec: DemoProviderSpec,
): Promise<{ id: string; created: boolean }> {
  const [existing] = await withRls(
    ctx.sql,
    ctx.claims,
    (tx) => tx<{ id: string; api_endpoint: string | null }[]>`
    select id, api_endpoint from public.cloud_providers where organization_id = ${organizationId} and name = ${spec.name}`,
  );
  if (!existing) return { id: (await createProvider(ctx, organizationId, spec)).id, created: true };
  if (existing.api_endpoint !== spec.api_endpoint)
    await rotateProviderCredentials(ctx, existing.id, spec.credentials, { apiEndpoint: spec.api_endpoint });
  return { id: existing.id, created: false };
}

/** One health check, then (when healthy) one inventory refresh, as "Check now" and "Refresh" would. */
async function checkAndList(ctx: ConnectivityContext, id: string) {
  const { result } = await checkProviderHealth(ctx, id, "manual");
  if (!result.ok) return { healthy: false, error: `${result.error.message} ${result.error.hint}`, resources: null };
  try {
    const listing = await refreshResources(ctx, id);
    return { healthy: true, error: null, resources: listing.resources.length };
  } catch (error) {
    if (error instanceof ProviderCallError)
      return { healthy: true, error: `${error.failure.message} ${error.failure.hint}`, resources: null };
    throw error;
  }
}

/**
 * Seeds (or brings up to date) the demo: user, organization, one provider per kind and the failing
 * one, each checked once and listed once. Safe to run again: nothing is duplicated.
 */
export async function seedDemo(options: SeedOptions): Promise<SeedReport> {
  const claims = await ensureDemoUser(options);
  const organizationId = await ensureDemoOrganization(options.sql, claims);
  const trustedCidrs = [DEMO_TRUST.node.CLOUDKEEP_TRUSTED_CIDRS];
  const oidcIssuer = resolveOidcIssuer(undefined, options.supabaseUrl);
  const ctx: ConnectivityContext = { sql: options.sql, ring: options.ring, claims, adapters: demoAdapters, trustedCidrs, oidcIssuer };
  const providers: SeededProvider[] = [];
  for (const spec of options.fakes.providers) {
    let ensured: { id: string; created: boolean };
    try {
      ensured = await ensureProvider(ctx, organizationId, spec);
    } catch (error) {
      // Someone connected the same credential under another name: that provider is the demo's.
      if (error instanceof DomainError && error.code === "duplicate") {
        options.log?.(`${spec.name}: ${error.message}`);
        continue;
      }
      throw error;
    }
    options.fakes.trust?.(spec.name, federationSubject(organizationId, ensured.id));
    const failsOnPurpose = spec.name === options.fakes.failingName;
    providers.push({
      ...ensured,
      name: spec.name,
      provider_type: spec.provider_type,
      failsOnPurpose,
      healthy: false,
      error: null,
      resources: null,
    });
  }
  // Checks and listings run at once: each talks to its own fake.
  await Promise.all(
    providers.map(async (provider) => {
      try {
        Object.assign(provider, await checkAndList(ctx, provider.id));
      } catch (error) {
        // A suspended demo provider stays as its admin left it.
        if (!(error instanceof DomainError)) throw error;
        provider.error = error.message;
      }
    }),
  );
  // Whole organizations: discover their accounts once they are checked (connected ones are checked by discovery).
  for (const provider of providers) {
    const spec = options.fakes.providers.find((s) => s.name === provider.name);
    if (!spec?.organization_scope || !provider.healthy) continue;
    try {
      const outcome = await discoverOrganizationAccounts({ ...ctx, discovery: demoDiscovery }, provider.id);
      provider.discovered = outcome;
    } catch (error) {
      if (!(error instanceof DomainError || error instanceof ProviderCallError)) throw error;
      provider.error = error.message;
    }
  }
  return { userId: claims.sub, organizationId, providers };
}

/** The lines dev.ts prints after seeding. */
export function describeSeed(report: SeedReport, portalUrl: string): string[] {
  const width = Math.max(...report.providers.map((p) => p.name.length));
  const lines = report.providers.map((p) => {
    const state = p.healthy ? `healthy, ${p.resources ?? 0} resources` : p.failsOnPurpose ? "failed, on purpose:" : "FAILED:";
    const detail =
      p.error && (!p.healthy || p.resources === null)
        ? ` ${p.error}`
        : p.discovered
          ? `; ${p.discovered.connected} accounts connected, ${p.discovered.unavailable + p.discovered.failed} not`
          : "";
    return `  ${p.name.padEnd(width)}  ${state}${detail}`;
  });
  return [
    `Demo organization "${DEMO_ORG.name}": ${portalUrl}/orgs/${DEMO_ORG.slug}/providers`,
    `Sign in as ${DEMO_USER.email} with the password ${DEMO_USER.password}`,
    ...lines,
  ];
}

/** dev.ts's entry: seeds over its own connection and answers the lines to print. */
export async function seedLocalDemo(
  options: Omit<SeedOptions, "sql" | "ring"> & { databaseUrl: string; encryptionKeys: string; portalUrl: string },
): Promise<string[]> {
  const sql = postgres(options.databaseUrl, { max: 4, onnotice: () => {} });
  try {
    const report = await seedDemo({ ...options, sql, ring: parseKeyRing(options.encryptionKeys) });
    return describeSeed(report, options.portalUrl);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
