// A wire-level fake of Azure for the official SDKs: Entra ID (AAD v2 client-credentials grant — with a
// client secret, or with a client assertion checked against the app's federated identity credentials
// the way Entra does, see verifyAssertion — with its OpenID configuration and AADSTS errors) and Resource Manager (cloud metadata, subscriptions, virtual
// machines with nextLink pages and statusOnly power states, VM scale sets and the instances of Uniform
// ones; managed disks, AKS clusters, SQL servers and their databases, PostgreSQL flexible servers,
// storage accounts and load balancers, each a subscription-wide list with $skiptoken nextLinks), all on one HTTPS origin signed by the test CA in tests/fakes/certs — @azure/identity and the
// ARM clients refuse plain http.
//
// Point an adapter at it with apiEndpoint = fake.url: the fake's /metadata/endpoints names itself as
// the login endpoint and token audience, exactly as Azure Stack Hub does.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { answerTenant } from "./azure-tenant.ts";
import { createOidcVerifier, type OidcVerifier } from "./oidc-verify.ts";
import { bearerToken, cycle, group, startFake, type Fake, type FakeRequest, type FakeResponse } from "./server.ts";

const certs = new URL("./certs/", import.meta.url);
/** The test CA that signed the fake's certificate: hand it to the adapter (createAzureAdapter({ ca })). */
export const TEST_CA = readFileSync(new URL("ca.pem", certs), "utf8");
export const TEST_TLS = {
  key: readFileSync(new URL("server-key.pem", certs), "utf8"),
  cert: readFileSync(new URL("server.pem", certs), "utf8"),
};

export type AzureFakeState = {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  subscriptionName: string;
  /** Enabled, Warned, PastDue, Disabled or Deleted. */
  subscriptionState: string;
  /** The service principal has no role on the subscription: ARM answers 403 AuthorizationFailed. */
  noRole: boolean;
  /** The client secret expired: AADSTS7000222. */
  secretExpired: boolean;
  /** Power-state listing (statusOnly=true) fails with 500 while the VM listing works. */
  statusOnlyBroken: boolean;
  /** Microsoft.Network listings (network interfaces, public IPs) answer 403 while the VM listing works. */
  networkForbidden: boolean;
  /** A hostile endpoint: error descriptions echo the request body and Authorization header back. */
  echoSecrets: boolean;
  /** Tokens issued with this lifetime in seconds. */
  tokenLifetime: number;
  /** VM scale sets in the subscription; a Uniform set's instances are listed under it, not among the VMs. */
  scaleSets: FakeScaleSet[];
  /** A hostile or broken front: VM listing nextLinks point at this origin instead of the fake's own. */
  nextLinkOrigin: string | null;
  /** The app's federated identity credentials: which external tokens Entra accepts as its client assertion. */
  federatedCredentials: FederatedIdentityCredential[];
  /**
   * Signature algorithms Entra accepts on a federated token: RSA only, as Entra (ES256 is refused with
   * AADSTS5002738, AzureAD/microsoft-identity-web#3467). Cloudkeep signs Azure's tokens with RS256.
   */
  assertionAlgorithms: string[];
  /** How many of each type beside VMs the subscription holds (SQL: servers, each with `sqlDatabasesPerServer` plus master). */
  disks: number;
  managedClusters: number;
  sqlServers: number;
  sqlDatabasesPerServer: number;
  postgresServers: number;
  storageAccounts: number;
  loadBalancers: number;
  /** List operations that answer 403 AuthorizationFailed, as for a principal whose role lacks their read action. */
  forbidden: AzureListing[];
  /**
   * A careless or hostile endpoint that puts an administrator password where ARM never returns one (SQL and
   * PostgreSQL servers' administratorLoginPassword): the adapter must not carry it anywhere. null: ARM's behaviour.
   */
  leakedPassword: string | null;
};

/** The list operations beside VMs, by the resource type Cloudkeep files them under. */
export type AzureListing =
  "disks" | "managedClusters" | "sqlServers" | "sqlDatabases" | "postgresServers" | "storageAccounts" | "loadBalancers";

/** As `az ad app federated-credential create` takes it: matched case-sensitively, all three at once. */
export type FederatedIdentityCredential = { name?: string; issuer: string; subject: string; audiences: string[] };

/** A client assertion Entra accepted or refused: its claims only, never the token. */
export type AssertionRecord = { ok: boolean; iss: unknown; sub: unknown; aud: unknown; aadsts?: number };

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export type FakeScaleSet = { name: string; resourceGroup: string; orchestrationMode: "Uniform" | "Flexible"; capacity: number };

export type AzureFake = Fake & {
  state: AzureFakeState;
  /** Canonical credentials that the fake accepts. */
  credentials: () => { tenant_id: string; client_id: string; client_secret: string; subscription_id: string };
  /** Token requests the fake answered (each a POST to /<tenant>/oauth2/v2.0/token). */
  tokenRequests: () => FakeRequest[];
  /** Every client assertion presented, in order. */
  assertions: AssertionRecord[];
  /** How this Entra fetches and caches an issuer's keys (shared with the tests that rotate them). */
  verifier: OidcVerifier;
  /** Federated credentials for the app, as the fake accepts them. */
  federatedCredentials: () => { tenant_id: string; client_id: string; subscription_id: string; auth_method: "federated" };
};

const LOCATIONS = ["westeurope", "eastus", "northeurope", "eastus2"];
const SIZES = ["Standard_B2s", "Standard_D2s_v5", "Standard_E4s_v5"];
const POWER = ["PowerState/running", "PowerState/deallocated", "PowerState/stopped", "PowerState/starting"];

function vmModel(state: AzureFakeState, index: number) {
  const name = `vm-${String(index + 1).padStart(4, "0")}`;
  const rg = index % 2 === 0 ? "rg-web" : "rg-Batch";
  const id = `/subscriptions/${state.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
  return {
    id,
    name,
    type: "Microsoft.Compute/virtualMachines",
    location: cycle(LOCATIONS, index),
    ...(index % 3 === 0 ? { zones: [String((index % 3) + 1)] } : {}),
    tags: { env: index % 2 === 0 ? "production" : "staging", owner: "team-a" },
    properties: {
      vmId: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      hardwareProfile: { vmSize: cycle(SIZES, index) },
      storageProfile: { osDisk: { osType: "Linux", name: `${name}-osdisk`, createOption: "FromImage" } },
      osProfile: { computerName: name, adminUsername: "azureuser" },
      networkProfile: {
        networkInterfaces: [
          { id: `/subscriptions/${state.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}-nic` },
        ],
      },
      provisioningState: "Succeeded",
      timeCreated: new Date(Date.UTC(2025, 0, 1 + (index % 28), 12, 0, 0)).toISOString(),
    },
  };
}

/** VM n's network interface: private address 10.0.<n / 250>.<n % 250 + 4>; every other VM also has a public IP. */
function nicModel(state: AzureFakeState, index: number) {
  const vm = vmModel(state, index);
  const publicIp = index % 2 === 0 ? { publicIPAddress: { id: publicIpModel(state, index).id } } : {};
  const [nic] = vm.properties.networkProfile.networkInterfaces;
  if (!nic) throw new Error(`${vm.name} has no network interface.`);
  return {
    id: nic.id,
    name: `${vm.name}-nic`,
    type: "Microsoft.Network/networkInterfaces",
    location: vm.location,
    properties: {
      provisioningState: "Succeeded",
      // ARM spells resource-group names in ids as they were created; the VM's id may differ in case.
      virtualMachine: { id: index % 4 === 1 ? vm.id.toUpperCase() : vm.id },
      ipConfigurations: [
        {
          name: "ipconfig1",
          properties: {
            privateIPAddress: `10.0.${Math.floor(index / 250)}.${(index % 250) + 4}`,
            privateIPAllocationMethod: "Dynamic",
            ...publicIp,
          },
        },
      ],
    },
  };
}

function publicIpModel(state: AzureFakeState, index: number) {
  const name = `vm-${String(index + 1).padStart(4, "0")}-ip`;
  const rg = index % 2 === 0 ? "rg-web" : "rg-Batch";
  return {
    id: `/subscriptions/${state.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Network/publicIPAddresses/${name}`,
    name,
    type: "Microsoft.Network/publicIPAddresses",
    properties: { ipAddress: `20.${Math.floor(index / 250)}.${index % 250}.${(index % 7) + 1}`, publicIPAllocationMethod: "Static" },
  };
}

function statusModel(state: AzureFakeState, index: number) {
  const vm = vmModel(state, index);
  return {
    id: vm.id,
    name: vm.name,
    type: vm.type,
    location: vm.location,
    properties: {
      instanceView: {
        computerName: vm.name,
        statuses: [
          { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
          { code: cycle(POWER, index), level: "Info", displayStatus: "VM state" },
        ],
      },
    },
  };
}

function scaleSetModel(state: AzureFakeState, set: FakeScaleSet) {
  return {
    id: `/subscriptions/${state.subscriptionId}/resourceGroups/${set.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${set.name}`,
    name: set.name,
    type: "Microsoft.Compute/virtualMachineScaleSets",
    location: "westeurope",
    sku: { name: "Standard_D2s_v5", tier: "Standard", capacity: set.capacity },
    properties: {
      orchestrationMode: set.orchestrationMode,
      upgradePolicy: { mode: "Manual" },
      provisioningState: "Succeeded",
      uniqueId: `5a4e1f2b-0000-4000-8000-${String(set.capacity).padStart(12, "0")}`,
      timeCreated: "2025-03-01T09:00:00.000Z",
    },
  };
}

/** Instance n of a Uniform scale set, with its instance view as `$expand=instanceView` returns it. */
function scaleSetVmModel(state: AzureFakeState, set: FakeScaleSet, index: number) {
  const parent = scaleSetModel(state, set);
  return {
    id: `${parent.id}/virtualMachines/${index}`,
    name: `${set.name}_${index}`,
    type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
    location: parent.location,
    tags: { pool: set.name },
    instanceId: String(index),
    sku: { name: parent.sku.name, tier: "Standard" },
    ...(index % 2 === 0 ? { zones: ["1"] } : {}),
    properties: {
      latestModelApplied: true,
      vmId: `11111111-0000-4000-8000-${String(index).padStart(12, "0")}`,
      instanceView: {
        statuses: [
          { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
          { code: cycle(POWER, index), level: "Info", displayStatus: "VM state" },
        ],
      },
      hardwareProfile: {},
      provisioningState: "Succeeded",
      timeCreated: new Date(Date.UTC(2025, 2, 1 + (index % 28), 9, 0, 0)).toISOString(),
    },
  };
}

const sub = (state: AzureFakeState) => `/subscriptions/${state.subscriptionId}`;
const created = (index: number) => new Date(Date.UTC(2025, 4, 1 + (index % 28), 8, 30, 0)).toISOString();
const pad = (index: number) => String(index + 1).padStart(3, "0");

const DISK_STATES = ["Attached", "Unattached", "Reserved", "ActiveSAS"];
const DISK_SKUS = ["Premium_LRS", "StandardSSD_LRS", "Standard_LRS"];

/** A managed disk (Disks_List item). */
export function diskModel(state: AzureFakeState, index: number) {
  const name = `disk-${pad(index)}`;
  const diskState = cycle(DISK_STATES, index);
  const id = `${sub(state)}/resourceGroups/rg-data/providers/Microsoft.Compute/disks/${name}`;
  return {
    id,
    name,
    type: "Microsoft.Compute/disks",
    location: cycle(LOCATIONS, index),
    ...(index % 3 === 0 ? { zones: ["2"] } : {}),
    tags: { env: "production" },
    ...(diskState === "Attached" ? { managedBy: vmModel(state, index).id } : {}),
    sku: { name: cycle(DISK_SKUS, index), tier: index % 3 === 0 ? "Premium" : "Standard" },
    properties: {
      osType: "Linux",
      creationData: { createOption: "Empty" },
      diskSizeGB: 128 + index,
      diskSizeBytes: (128 + index) * 2 ** 30,
      uniqueId: `d15c0000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      provisioningState: "Succeeded",
      diskState,
      timeCreated: created(index),
    },
  };
}

const CLUSTER_STATES: [provisioning: string, power: string][] = [
  ["Succeeded", "Running"],
  ["Succeeded", "Stopped"],
  ["Upgrading", "Running"],
  ["Failed", "Running"],
];

/** An AKS cluster (ManagedClusters_List item) with a system and a user agent pool. */
export function managedClusterModel(state: AzureFakeState, index: number) {
  const name = `aks-${pad(index)}`;
  const [provisioningState, power] = cycle(CLUSTER_STATES, index);
  const location = cycle(LOCATIONS, index);
  const pool = (poolName: string, mode: string, vmSize: string, count: number) => ({
    name: poolName,
    count,
    vmSize,
    osType: "Linux",
    type: "VirtualMachineScaleSets",
    mode,
    orchestratorVersion: "1.30.6",
    provisioningState,
    powerState: { code: power },
  });
  return {
    id: `${sub(state)}/resourceGroups/rg-k8s/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    type: "Microsoft.ContainerService/ManagedClusters",
    location,
    tags: { team: "platform" },
    sku: { name: "Base", tier: "Free" },
    identity: { type: "SystemAssigned", principalId: "3f9c0000-0000-4000-8000-000000000001", tenantId: state.tenantId },
    systemData: { createdAt: created(index), createdByType: "User", lastModifiedAt: created(index + 1), lastModifiedByType: "User" },
    properties: {
      provisioningState,
      powerState: { code: power },
      kubernetesVersion: "1.30",
      currentKubernetesVersion: "1.30.6",
      dnsPrefix: name,
      fqdn: `${name}-dns-1a2b3c4d.hcp.${location}.azmk8s.io`,
      agentPoolProfiles: [pool("system", "System", "Standard_D4s_v5", 3), pool("user", "User", "Standard_E4s_v5", 1 + (index % 2))],
      nodeResourceGroup: `MC_rg-k8s_${name}_${location}`,
      enableRBAC: true,
    },
  };
}

/** An Azure SQL logical server (Servers_List item). */
export function sqlServerModel(state: AzureFakeState, index: number) {
  const name = `sql-${pad(index)}`;
  return {
    id: `${sub(state)}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/${name}`,
    name,
    type: "Microsoft.Sql/servers",
    location: cycle(LOCATIONS, index),
    tags: { env: "production" },
    kind: "v12.0",
    properties: {
      administratorLogin: "sqladmin",
      ...(state.leakedPassword ? { administratorLoginPassword: state.leakedPassword } : {}),
      version: "12.0",
      state: "Ready",
      fullyQualifiedDomainName: `${name}.database.windows.net`,
      publicNetworkAccess: "Enabled",
    },
  };
}

const SQL_STATUSES = ["Online", "Paused", "Creating", "Online"];

/** Database n of a SQL server (Databases_ListByServer item); n = -1 is master, the server's system database. */
export function sqlDatabaseModel(state: AzureFakeState, serverIndex: number, index: number) {
  const server = sqlServerModel(state, serverIndex);
  const master = index < 0;
  const name = master ? "master" : `app-${index + 1}`;
  return {
    id: `${server.id}/databases/${name}`,
    name,
    type: "Microsoft.Sql/servers/databases",
    location: server.location,
    tags: master ? {} : { app: "shop" },
    kind: master ? "v12.0,system" : "v12.0,user,vcore",
    sku: master
      ? { name: "System", tier: "System", capacity: 0 }
      : { name: "GP_Gen5", tier: "GeneralPurpose", family: "Gen5", capacity: 2 },
    properties: {
      collation: "SQL_Latin1_General_CP1_CI_AS",
      maxSizeBytes: master ? 32 * 2 ** 30 : 34359738368 * (index + 1),
      status: master ? "Online" : SQL_STATUSES[(serverIndex + index) % SQL_STATUSES.length],
      databaseId: `5d1b0000-0000-4000-8000-${String(serverIndex * 100 + index + 1).padStart(12, "0")}`,
      creationDate: created(serverIndex * 10 + index + 1),
      currentServiceObjectiveName: master ? "System0" : "GP_Gen5_2",
    },
  };
}

const POSTGRES_STATES = ["Ready", "Stopped", "Updating", "Ready"];

/** A PostgreSQL flexible server (Servers_List item). */
export function postgresServerModel(state: AzureFakeState, index: number) {
  const name = `pg-${pad(index)}`;
  return {
    id: `${sub(state)}/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
    name,
    type: "Microsoft.DBforPostgreSQL/flexibleServers",
    location: cycle(LOCATIONS, index),
    tags: { env: "staging" },
    sku: { name: "Standard_D2ds_v4", tier: "GeneralPurpose" },
    systemData: { createdAt: created(index), createdByType: "User" },
    properties: {
      administratorLogin: "pgadmin",
      ...(state.leakedPassword ? { administratorLoginPassword: state.leakedPassword } : {}),
      version: "16",
      state: cycle(POSTGRES_STATES, index),
      fullyQualifiedDomainName: `${name}.postgres.database.azure.com`,
      storage: { storageSizeGB: 128 },
      network: { publicNetworkAccess: "Enabled" },
      availabilityZone: "1",
    },
  };
}

/** A storage account (StorageAccounts_List item): provisioning at index 2 mod 4, its primary unavailable at 3 mod 4. */
export function storageAccountModel(state: AzureFakeState, index: number) {
  const name = `stcloudkeep${pad(index)}`;
  const creating = index % 4 === 2;
  const location = cycle(LOCATIONS, index);
  return {
    id: `${sub(state)}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/${name}`,
    name,
    type: "Microsoft.Storage/storageAccounts",
    location,
    tags: { env: "production" },
    sku: { name: index % 2 === 0 ? "Standard_LRS" : "Standard_GRS", tier: "Standard" },
    kind: "StorageV2",
    properties: {
      provisioningState: creating ? "Creating" : "Succeeded",
      ...(creating
        ? {}
        : {
            primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/`, web: `https://${name}.z6.web.core.windows.net/` },
            primaryLocation: location,
            statusOfPrimary: index % 4 === 3 ? "unavailable" : "available",
          }),
      creationTime: created(index),
      accessTier: "Hot",
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
    },
  };
}

/** Load balancer n's public frontend address (even n only), listed among the subscription's public IPs. */
function loadBalancerIpModel(state: AzureFakeState, index: number) {
  const name = `lb-${pad(index)}-ip`;
  return {
    id: `${sub(state)}/resourceGroups/rg-net/providers/Microsoft.Network/publicIPAddresses/${name}`,
    name,
    type: "Microsoft.Network/publicIPAddresses",
    properties: { ipAddress: `52.${Math.floor(index / 250)}.${index % 250}.10`, publicIPAllocationMethod: "Static" },
  };
}

/** A load balancer (LoadBalancers_ListAll item): public frontends at even indexes, internal ones at odd. */
export function loadBalancerModel(state: AzureFakeState, index: number) {
  const name = `lb-${pad(index)}`;
  const id = `${sub(state)}/resourceGroups/rg-net/providers/Microsoft.Network/loadBalancers/${name}`;
  const frontend =
    index % 2 === 0
      ? { publicIPAddress: { id: loadBalancerIpModel(state, index).id } }
      : { privateIPAddress: `10.1.0.${(index % 250) + 4}`, privateIPAllocationMethod: "Dynamic" };
  return {
    id,
    name,
    type: "Microsoft.Network/loadBalancers",
    location: cycle(LOCATIONS, index),
    tags: {},
    etag: `W/"${index}"`,
    sku: { name: "Standard", tier: "Regional" },
    properties: {
      provisioningState: index % 4 === 3 ? "Updating" : "Succeeded",
      resourceGuid: `1b000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      frontendIPConfigurations: [{ id: `${id}/frontendIPConfigurations/frontend`, name: "frontend", properties: frontend }],
    },
  };
}

/** The subscription-wide list operations beside VMs: the listing each belongs to, and its items. */
const EXTRA_LISTS: { path: RegExp; listing: AzureListing; items: (state: AzureFakeState) => unknown[] }[] = [
  { path: /^\/providers\/Microsoft\.Compute\/disks$/i, listing: "disks", items: (s) => times(s.disks, (i) => diskModel(s, i)) },
  {
    path: /^\/providers\/Microsoft\.ContainerService\/managedClusters$/i,
    listing: "managedClusters",
    items: (s) => times(s.managedClusters, (i) => managedClusterModel(s, i)),
  },
  {
    path: /^\/providers\/Microsoft\.Sql\/servers$/i,
    listing: "sqlServers",
    items: (s) => times(s.sqlServers, (i) => sqlServerModel(s, i)),
  },
  {
    path: /^\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers$/i,
    listing: "postgresServers",
    items: (s) => times(s.postgresServers, (i) => postgresServerModel(s, i)),
  },
  {
    path: /^\/providers\/Microsoft\.Storage\/storageAccounts$/i,
    listing: "storageAccounts",
    items: (s) => times(s.storageAccounts, (i) => storageAccountModel(s, i)),
  },
  {
    path: /^\/providers\/Microsoft\.Network\/loadBalancers$/i,
    listing: "loadBalancers",
    items: (s) => times(s.loadBalancers, (i) => loadBalancerModel(s, i)),
  },
];

const times = <T>(count: number, item: (index: number) => T): T[] => Array.from({ length: count }, (_, i) => item(i));

function aadError(status: number, error: string, aadsts: number, text: string): FakeResponse {
  const now = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${text} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${now}`,
      error_codes: [aadsts],
      timestamp: now,
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}

const FEDERATION_DOCS = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

/** Entra's time format in AADSTS700024: 2024-05-28T06:01:42.5853621Z. */
function entraTime(seconds: number | undefined): string {
  return `${new Date((seconds ?? 0) * 1000).toISOString().slice(0, -1)}0000Z`;
}

/**
 * Entra's check of a client assertion against the app's federated identity credentials: a credential
 * must name the token's issuer, whose discovery and JWKS Entra fetches; RSA-signed (see
 * assertionAlgorithms), a published key, a good signature and a current time window; then one
 * credential matching issuer, subject and audience exactly. Each refusal with Entra's own code and words.
 */
async function verifyAssertion(
  state: AzureFakeState,
  verifier: OidcVerifier,
  assertion: string,
  records: AssertionRecord[],
): Promise<FakeResponse | null> {
  let claims: Record<string, unknown>;
  let header: { alg?: string; kid?: string };
  try {
    claims = decodeJwt(assertion);
    header = decodeProtectedHeader(assertion);
  } catch {
    records.push({ ok: false, iss: undefined, sub: undefined, aud: undefined, aadsts: 50027 });
    return aadError(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
  }
  const refuse = (status: number, error: string, code: number, text: string) => {
    records.push({ ok: false, iss: claims.iss, sub: claims.sub, aud: claims.aud, aadsts: code });
    return aadError(status, error, code, text);
  };
  const issuer = String(claims.iss);
  const trusting = state.federatedCredentials.filter((credential) => credential.issuer === issuer);
  if (!trusting.length) {
    return refuse(
      401,
      "invalid_client",
      700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOCS}`,
    );
  }
  if (!state.assertionAlgorithms.includes(String(header.alg))) {
    return refuse(400, "invalid_request", 5002738, `Invalid JWT token. '${String(header.alg)}' is not a supported signature algorithm.`);
  }
  const verdict = await verifier.verify(assertion, {
    issuer,
    audiences: [...new Set(trusting.flatMap((credential) => credential.audiences))],
  });
  if (!verdict.ok) {
    switch (verdict.refusal) {
      case "issuer_unreachable":
        return refuse(400, "invalid_request", 50166, "Request to External OIDC endpoint failed.");
      case "unknown_key":
        return refuse(
          401,
          "invalid_client",
          7000272,
          `The certificate with identifier ${String(header.kid)} used to sign the federated credential could not be found in the metadata of identity provider ${issuer}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
        );
      case "expired":
      case "not_yet_valid":
        return refuse(
          401,
          "invalid_client",
          700024,
          `Client assertion is not within its valid time range. Current time: ${entraTime(Date.now() / 1000)}, assertion valid from ${entraTime(claims.nbf as number | undefined)}, expiry time of assertion ${entraTime(claims.exp as number | undefined)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
        );
      case "audience_mismatch":
        return refuse(
          401,
          "invalid_client",
          700212,
          `No matching federated identity record found for presented assertion audience '${String(claims.aud)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOCS}`,
        );
      case "malformed":
        return refuse(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
      default:
        return refuse(
          401,
          "invalid_client",
          50013,
          "Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
        );
    }
  }
  const subject = String(claims.sub);
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud)];
  const bySubject = trusting.filter((credential) => credential.subject === subject);
  if (!bySubject.length) {
    if (trusting.some((credential) => credential.subject.toLowerCase() === subject.toLowerCase())) {
      return refuse(
        401,
        "invalid_client",
        7002138,
        `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: ${FEDERATION_DOCS}.`,
      );
    }
    return refuse(
      401,
      "invalid_client",
      700213,
      `No matching federated identity record found for presented assertion subject '${subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOCS}`,
    );
  }
  if (!bySubject.some((credential) => credential.audiences.some((audience) => audiences.includes(audience)))) {
    return refuse(
      401,
      "invalid_client",
      700212,
      `No matching federated identity record found for presented assertion audience '${audiences.join(",")}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOCS}`,
    );
  }
  records.push({ ok: true, iss: claims.iss, sub: claims.sub, aud: claims.aud });
  return null;
}

function armError(status: number, code: string, message: string): FakeResponse {
  return { status, headers: { "x-ms-failure-cause": "gateway" }, body: { error: { code, message } } };
}

/** `verifier`: how the fake fetches and caches issuers' keys (default: a fresh cache of five minutes, like a cloud's). */
export async function startAzureFake(
  initial: Partial<AzureFakeState> = {},
  options: { port?: number; verifier?: OidcVerifier } = {},
): Promise<AzureFake> {
  const state: AzureFakeState = {
    tenantId: "11111111-2222-3333-4444-555555555555",
    clientId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    clientSecret: "Xy8Q~fake.secret_value-0123456789abcdefABCD",
    subscriptionId: "99999999-8888-4777-8666-555555555555",
    subscriptionName: "Contoso Production",
    subscriptionState: "Enabled",
    noRole: false,
    secretExpired: false,
    statusOnlyBroken: false,
    networkForbidden: false,
    echoSecrets: false,
    tokenLifetime: 3599,
    scaleSets: [],
    nextLinkOrigin: null,
    federatedCredentials: [],
    assertionAlgorithms: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
    disks: 0,
    managedClusters: 0,
    sqlServers: 0,
    sqlDatabasesPerServer: 2,
    postgresServers: 0,
    storageAccounts: 0,
    loadBalancers: 0,
    forbidden: [],
    leakedPassword: null,
    ...initial,
  };
  const verifier = options.verifier ?? createOidcVerifier();
  const assertions: AssertionRecord[] = [];
  /** Issued tokens: opaque strings, like AAD's from a client's point of view. */
  const issued = new Map<string, { audience: string; tenant: string; expires: number }>();

  const handler = async (request: FakeRequest, fake: Fake): Promise<FakeResponse> => {
    const base = fake.url;
    const path = request.path;
    /** One page of `all` from $skiptoken on, maxPageSize long, with a nextLink on ARM's origin while more remain. */
    const page = (all: unknown[], listPath: string, apiVersion: string): FakeResponse => {
      const skip = Number(request.url.searchParams.get("$skiptoken") ?? "0");
      const start = Number.isInteger(skip) && skip >= 0 ? skip : 0;
      const end = Math.min(start + fake.switches.maxPageSize, all.length);
      const next = new URL(`${base}${listPath}`);
      next.searchParams.set("api-version", apiVersion);
      next.searchParams.set("$skiptoken", String(end));
      return { body: end < all.length ? { value: all.slice(start, end), nextLink: next.href } : { value: all.slice(start, end) } };
    };
    const forbidden = (type: string) =>
      armError(
        403,
        "AuthorizationFailed",
        `The client '${state.clientId}' with object id '${state.clientId}' does not have authorization to perform action '${type}/read' over scope '/subscriptions/${state.subscriptionId}' or the scope is invalid.`,
      );
    const echo = (what: string) => (state.echoSecrets ? ` Received: ${what}` : "");

    // --- Resource Manager's cloud metadata (unauthenticated, as on real ARM and Azure Stack Hub)
    if (request.method === "GET" && path === "/metadata/endpoints") {
      return {
        body: [
          {
            name: "CloudkeepFake",
            portal: "https://portal.azure.com",
            resourceManager: `${base}/`,
            authentication: { loginEndpoint: `${base}/`, audiences: [`${base}/`], tenant: "common", identityProvider: "AAD" },
            suffixes: {},
          },
        ],
      };
    }

    // --- Entra ID
    const openid = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (request.method === "GET" && openid) {
      const tenant = decodeURIComponent(group(openid, 1));
      if (tenant !== state.tenantId)
        return aadError(
          400,
          "invalid_tenant",
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        );
      return {
        body: {
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          response_modes_supported: ["query", "fragment", "form_post"],
          subject_types_supported: ["pairwise"],
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
          scopes_supported: ["openid", "profile", "email", "offline_access"],
          issuer: `${base}/${tenant}/v2.0`,
          request_uri_parameter_supported: false,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
          http_logout_supported: true,
          frontchannel_logout_supported: true,
          end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
          claims_supported: ["sub", "iss", "aud", "exp", "iat", "tid"],
          tenant_region_scope: "EU",
          cloud_instance_name: "cloudkeep.fake",
          cloud_graph_host_name: "graph.fake",
          msgraph_host: "graph.fake",
        },
      };
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token) {
      if (request.method !== "POST") return { status: 405, body: { error: "invalid_request" } };
      const tenant = decodeURIComponent(group(token, 1));
      const form = new URLSearchParams(request.body);
      if (tenant !== state.tenantId) return aadError(400, "invalid_tenant", 90002, `Tenant '${tenant}' not found.${echo(request.body)}`);
      if (form.get("grant_type") !== "client_credentials")
        return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
      if (form.get("client_id") !== state.clientId) {
        return aadError(
          400,
          "unauthorized_client",
          700016,
          `Application with identifier '${form.get("client_id")}' was not found in the directory '${tenant}'.${echo(request.body)}`,
        );
      }
      const assertion = form.get("client_assertion");
      if (assertion !== null) {
        // No secret: the client proves itself with an external token the app's federated credentials trust.
        if (form.get("client_assertion_type") !== JWT_BEARER) {
          return aadError(
            400,
            "invalid_request",
            90014,
            "The required field 'client_assertion_type' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
          );
        }
        if (form.get("client_secret") !== null)
          return aadError(
            400,
            "invalid_request",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
          );
        const refused = await verifyAssertion(state, verifier, assertion, assertions);
        if (refused) {
          if (state.echoSecrets && refused.body && typeof refused.body === "object") {
            const body = refused.body as { error_description: string };
            body.error_description = `${body.error_description}${echo(request.body)}`;
          }
          return refused;
        }
      } else if (state.secretExpired) {
        return aadError(
          401,
          "invalid_client",
          7000222,
          `The provided client secret keys for app '${state.clientId}' are expired.${echo(request.body)}`,
        );
      } else if (fake.switches.badCredentials || form.get("client_secret") !== state.clientSecret) {
        return aadError(
          401,
          "invalid_client",
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${state.clientId}'.${echo(request.body)}`,
        );
      }
      const scope = form.get("scope") ?? "";
      const audience = scope.endsWith("/.default") ? scope.slice(0, -"/.default".length).replace(/\/+$/, "") : null;
      if (!audience)
        return aadError(
          400,
          "invalid_scope",
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
        );
      if (audience !== base) {
        return aadError(
          500,
          "invalid_resource",
          500011,
          `The resource principal named ${audience} was not found in the tenant named ${tenant}.`,
        );
      }
      const accessToken = `fake-aad.${randomUUID()}`;
      issued.set(accessToken, { audience, tenant, expires: Date.now() + state.tokenLifetime * 1000 });
      return {
        body: { token_type: "Bearer", expires_in: state.tokenLifetime, ext_expires_in: state.tokenLifetime, access_token: accessToken },
      };
    }

    // --- Resource Manager
    if (path.startsWith("/subscriptions") || path.startsWith("/providers/Microsoft.Management/")) {
      const presented = bearerToken(request);
      const grant = presented ? issued.get(presented) : undefined;
      if (!grant || grant.expires < Date.now() || grant.audience !== base) {
        return armError(401, "InvalidAuthenticationToken", `The access token is invalid.${echo(request.headers.authorization ?? "")}`);
      }
      const apiVersion = request.url.searchParams.get("api-version");
      if (!apiVersion)
        return armError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
      const tenantAnswer = answerTenant(request, fake, apiVersion, state.clientId, state.subscriptionId);
      if (tenantAnswer) return tenantAnswer;

      const subscription = /^\/subscriptions\/([^/]+)$/.exec(path);
      if (request.method === "GET" && subscription) {
        const id = decodeURIComponent(group(subscription, 1));
        if (id !== state.subscriptionId) return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
        if (state.noRole) {
          return armError(
            403,
            "AuthorizationFailed",
            `The client '${state.clientId}' with object id '${state.clientId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/${id}' or the scope is invalid.`,
          );
        }
        return {
          body: {
            id: `/subscriptions/${id}`,
            authorizationSource: "RoleBased",
            managedByTenants: [],
            subscriptionId: id,
            tenantId: state.tenantId,
            displayName: state.subscriptionName,
            state: state.subscriptionState,
            subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
          },
        };
      }

      const vms = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines$/i.exec(path);
      if (request.method === "GET" && vms) {
        const id = decodeURIComponent(group(vms, 1));
        if (id !== state.subscriptionId) return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
        if (state.noRole) {
          return armError(
            403,
            "AuthorizationFailed",
            `The client '${state.clientId}' does not have authorization to perform action 'Microsoft.Compute/virtualMachines/read' over scope '/subscriptions/${id}'.`,
          );
        }
        const statusOnly = request.url.searchParams.get("statusOnly") === "true";
        if (statusOnly && state.statusOnlyBroken) return armError(500, "InternalServerError", "Encountered internal server error.");
        const skip = Number(request.url.searchParams.get("$skiptoken") ?? "0");
        const start = Number.isInteger(skip) && skip >= 0 ? skip : 0;
        const size = fake.switches.maxPageSize;
        const end = Math.min(start + size, fake.switches.resourceCount);
        const value = [];
        for (let i = start; i < end; i++) value.push(statusOnly ? statusModel(state, i) : vmModel(state, i));
        const next = new URL(`${state.nextLinkOrigin ?? base}${path}`);
        next.searchParams.set("api-version", apiVersion);
        if (statusOnly) next.searchParams.set("statusOnly", "true");
        next.searchParams.set("$skiptoken", String(end));
        return { body: end < fake.switches.resourceCount ? { value, nextLink: next.href } : { value } };
      }
      const scaleSets = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets$/i.exec(path);
      if (request.method === "GET" && scaleSets) {
        const id = decodeURIComponent(group(scaleSets, 1));
        if (id !== state.subscriptionId) return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
        return { body: { value: state.scaleSets.map((set) => scaleSetModel(state, set)) } };
      }
      const setVms =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)\/virtualMachines$/i.exec(
          path,
        );
      if (request.method === "GET" && setVms) {
        const set = state.scaleSets.find(
          (s) =>
            s.resourceGroup.toLowerCase() === decodeURIComponent(group(setVms, 2)).toLowerCase() &&
            s.name === decodeURIComponent(group(setVms, 3)),
        );
        if (decodeURIComponent(group(setVms, 1)) !== state.subscriptionId || !set) {
          return armError(
            404,
            "ResourceNotFound",
            `The Resource 'Microsoft.Compute/virtualMachineScaleSets/${group(setVms, 3)}' under resource group '${group(setVms, 2)}' was not found.`,
          );
        }
        const expand = request.url.searchParams.get("$expand") === "instanceView";
        const skip = Number(request.url.searchParams.get("$skiptoken") ?? "0");
        const start = Number.isInteger(skip) && skip >= 0 ? skip : 0;
        const end = Math.min(start + fake.switches.maxPageSize, set.capacity);
        const value = [];
        for (let i = start; i < end; i++) {
          const vm = scaleSetVmModel(state, set, i);
          if (!expand) delete (vm.properties as { instanceView?: unknown }).instanceView;
          value.push(vm);
        }
        const next = new URL(`${base}${path}`);
        next.searchParams.set("api-version", apiVersion);
        if (expand) next.searchParams.set("$expand", "instanceView");
        next.searchParams.set("$skiptoken", String(end));
        return { body: end < set.capacity ? { value, nextLink: next.href } : { value } };
      }
      const network = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Network\/(networkInterfaces|publicIPAddresses)$/i.exec(path);
      if (request.method === "GET" && network) {
        const id = decodeURIComponent(group(network, 1));
        if (id !== state.subscriptionId) return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
        if (state.networkForbidden) {
          return armError(
            403,
            "AuthorizationFailed",
            `The client '${state.clientId}' does not have authorization to perform action 'Microsoft.Network/${group(network, 2)}/read'.`,
          );
        }
        const nics = group(network, 2).toLowerCase() === "networkinterfaces";
        const indexes = Array.from({ length: fake.switches.resourceCount }, (_, i) => i).filter((i) => nics || i % 2 === 0);
        const all = nics
          ? indexes.map((i) => nicModel(state, i))
          : [
              ...indexes.map((i) => publicIpModel(state, i)),
              ...times(state.loadBalancers, (i) => i)
                .filter((i) => i % 2 === 0)
                .map((i) => loadBalancerIpModel(state, i)),
            ];
        return page(all, path, apiVersion);
      }
      const subscriptionWide = /^\/subscriptions\/([^/]+)(\/providers\/.+)$/i.exec(path);
      const extra = subscriptionWide && EXTRA_LISTS.find((list) => list.path.test(group(subscriptionWide, 2)));
      if (request.method === "GET" && subscriptionWide && extra) {
        const id = decodeURIComponent(group(subscriptionWide, 1));
        if (id !== state.subscriptionId) return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
        if (state.noRole || state.forbidden.includes(extra.listing))
          return forbidden(group(subscriptionWide, 2).slice("/providers/".length));
        return page(extra.items(state), path, apiVersion);
      }
      const databases = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/servers\/([^/]+)\/databases$/i.exec(
        path,
      );
      if (request.method === "GET" && databases) {
        const index = times(state.sqlServers, (i) => i).find(
          (i) => sqlServerModel(state, i).name === decodeURIComponent(group(databases, 3)),
        );
        if (decodeURIComponent(group(databases, 1)) !== state.subscriptionId || index === undefined) {
          return armError(
            404,
            "ResourceNotFound",
            `The Resource 'Microsoft.Sql/servers/${group(databases, 3)}' under resource group '${group(databases, 2)}' was not found.`,
          );
        }
        if (state.noRole || state.forbidden.includes("sqlDatabases")) return forbidden("Microsoft.Sql/servers/databases");
        return page(
          [sqlDatabaseModel(state, index, -1), ...times(state.sqlDatabasesPerServer, (i) => sqlDatabaseModel(state, index, i))],
          path,
          apiVersion,
        );
      }
      return armError(404, "InvalidResourceType", `The resource type could not be found in the namespace for api version '${apiVersion}'.`);
    }

    return { status: 404, body: { error: { code: "NotFound", message: `No route for ${request.method} ${path}` } } };
  };

  const fake = (await startFake(handler, { https: TEST_TLS, port: options.port })) as AzureFake;
  fake.state = state;
  fake.credentials = () => ({
    tenant_id: state.tenantId,
    client_id: state.clientId,
    client_secret: state.clientSecret,
    subscription_id: state.subscriptionId,
  });
  fake.tokenRequests = () => fake.hits(/\/oauth2\/v2\.0\/token$/);
  fake.assertions = assertions;
  fake.verifier = verifier;
  fake.federatedCredentials = () => ({
    auth_method: "federated",
    tenant_id: state.tenantId,
    client_id: state.clientId,
    subscription_id: state.subscriptionId,
  });
  return fake;
}
