// Whole Google Cloud organizations (issue 15 part 3): the parent's identity finds every project under an
// organization or folder, nested folders included, with two Resource Manager searches, through a
// service-account key or workload identity federation, against the Google fake; each project becomes a
// child with the parent's credential and another project_id.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearWorkloadIdentityTokens } from "../../supabase/functions/_shared/providers/gcp-workload-identity.ts";
import { createGcpOrganizationDiscovery, RESOURCE_MANAGER_SCOPE } from "../../supabase/functions/_shared/providers/gcp-organization.ts";
import type { DiscoveredAccount } from "../../supabase/functions/_shared/providers/discovery.ts";
import type { AdapterContext } from "../../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema, type GcpCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import type { GcpWorkloadIdentityCredentials } from "../../supabase/functions/_shared/schemas/providers/gcp-workload-identity.ts";
import { enableGcpFederation, type GcpFederation } from "../fakes/gcp-federation.ts";
import { enableGcpResourceManager, type ResourceManagerState } from "../fakes/gcp-resource-manager.ts";
import { startGcpFake, TEST_CA, type GcpFake } from "../fakes/gcp.ts";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer.ts";

const discovery = createGcpOrganizationDiscovery({ ca: TEST_CA, backoffBaseMs: 20 });
const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
const ORG = "organizations/123456789012";
const CANARY = `canary-${randomUUID()}`;
let fake: GcpFake;
let rm: ResourceManagerState;
let issuer: LocalIssuer;
let federation: GcpFederation;

const hierarchy = (): Pick<ResourceManagerState, "folders" | "projects"> => ({
  folders: [
    { name: "folders/100", parent: ORG, displayName: "Platform" },
    { name: "folders/110", parent: "folders/100", displayName: "Prod" },
    { name: "folders/111", parent: "folders/110", displayName: "Prod EU" },
    { name: "folders/200", parent: ORG, displayName: "Old", state: "DELETE_REQUESTED" },
    { name: "folders/900", parent: "organizations/999999999999", displayName: "Elsewhere" },
  ],
  projects: [
    { projectId: "org-level-1", number: "1001", parent: ORG, displayName: "Org level" },
    { projectId: "platform-shared", number: "1002", parent: "folders/100", displayName: "Platform shared" },
    { projectId: "prod-web-eu", number: "1003", parent: "folders/111", displayName: "Prod web EU", labels: { password: CANARY } },
    { projectId: "prod-leaving", number: "1004", parent: "folders/110", displayName: "Prod leaving", state: "DELETE_REQUESTED" },
    { projectId: "old-stuff", number: "1005", parent: "folders/200", displayName: "Old stuff" },
    { projectId: "someone-else", number: "1006", parent: "folders/900", displayName: "Someone else's" },
  ],
});

beforeAll(async () => {
  fake = await startGcpFake();
  rm = enableGcpResourceManager(fake);
  issuer = await startLocalIssuer("ES256");
  federation = enableGcpFederation(fake, { issuer: issuer.issuer });
});
afterAll(async () => {
  await fake.close();
  await issuer.close();
});
beforeEach(() => {
  fake.reset();
  fake.revokeTokens();
  clearWorkloadIdentityTokens();
  Object.assign(rm, hierarchy(), { browsers: null, apiDisabled: false });
});

const keyParent = (): GcpCredentials => credentialsSchema("gcp", { allowHttp: false }).parse(fake.keyFile()) as GcpCredentials;
const wifParent = (impersonate = true) =>
  credentialsSchema("gcp").parse({
    ...federation.credentialConfig({ impersonate }),
    project_id: fake.state.projectId,
  }) as GcpWorkloadIdentityCredentials;
const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 8_000,
  ...overrides,
});
const ids = (accounts: DiscoveredAccount[]) => accounts.map((a) => a.account).sort();
const byId = (accounts: DiscoveredAccount[]) => Object.fromEntries(accounts.map((a) => [a.account, a]));

describe("Google Cloud organization discovery", () => {
  it("finds every project under the organization however deep, with two searches paged to the end", async () => {
    fake.switches.maxPageSize = 2;
    const { accounts } = await discovery.discoverAccounts(keyParent(), { cloud: "gcp", parent: ORG }, context());
    // Not the deleted folder's project, not another organization's.
    expect(ids(accounts)).toEqual(["org-level-1", "platform-shared", "prod-leaving", "prod-web-eu"]);
    expect(fake.hits("/v3/folders:search")).toHaveLength(3);
    expect(fake.hits("/v3/projects:search")).toHaveLength(3);
    expect(byId(accounts)["prod-web-eu"]).toEqual({
      account: "prod-web-eu",
      name: "Prod web EU",
      unavailable: null,
      details: { state: "ACTIVE", parent: "folders/111", project_number: "1003" },
    });
    // The token asked for Resource Manager's read-only scope, not Compute's.
    expect(fake.assertions.at(-1)?.scope).toBe(RESOURCE_MANAGER_SCOPE);
  });

  it("finds a folder's projects only, and says a project scheduled for deletion will not be connected", async () => {
    const { accounts } = await discovery.discoverAccounts(keyParent(), { cloud: "gcp", parent: "folders/110" }, context());
    expect(ids(accounts)).toEqual(["prod-leaving", "prod-web-eu"]);
    expect(byId(accounts)["prod-leaving"]?.unavailable).toEqual({
      code: "project_delete_requested",
      message: expect.stringMatching(/scheduled for deletion/),
    });
  });

  it("says which role to grant when the identity sees nothing of the organization", async () => {
    rm.browsers = ["someone-else@example.iam.gserviceaccount.com"];
    await expect(discovery.discoverAccounts(keyParent(), { cloud: "gcp", parent: ORG }, context())).rejects.toMatchObject({
      code: "organization_not_visible",
      status: 403,
      hint: expect.stringMatching(/roles\/browser/),
    });
  });

  it("names the API to enable when Resource Manager is disabled", async () => {
    rm.apiDisabled = true;
    const error = await discovery.discoverAccounts(keyParent(), { cloud: "gcp", parent: ORG }, context()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "resource_manager_forbidden", hint: expect.stringMatching(/Cloud Resource Manager API/) });
  });

  it("refuses a parent that is neither an organization nor a folder before any call", async () => {
    await expect(discovery.discoverAccounts(keyParent(), { cloud: "gcp", parent: "projects/abc" }, context())).rejects.toMatchObject({
      code: "invalid_parent",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("lists with a workload identity parent, impersonating its service account or as the federated principal itself", async () => {
    const subject = `org:${randomUUID()}:provider:${randomUUID()}`;
    federation.config.workloadIdentityUsers = [subject];
    const withFederation = context({ federation: issuer.supplier(subject) });
    expect(ids((await discovery.discoverAccounts(wifParent(true), { cloud: "gcp", parent: ORG }, withFederation)).accounts)).toHaveLength(
      4,
    );
    const impersonation = fake.requests.find((r) => r.path.endsWith(":generateAccessToken"));
    expect(JSON.parse(impersonation!.body)).toMatchObject({ scope: [RESOURCE_MANAGER_SCOPE] });
    clearWorkloadIdentityTokens();
    rm.browsers = [federation.principalOf(subject)];
    expect(ids((await discovery.discoverAccounts(wifParent(false), { cloud: "gcp", parent: ORG }, withFederation)).accounts)).toHaveLength(
      4,
    );
  });

  it("never lets the key, a token or a project's labels into what it returns or throws (canary)", async () => {
    const parent = keyParent();
    const result = await discovery.discoverAccounts(parent, { cloud: "gcp", parent: ORG }, context());
    const text = JSON.stringify(result);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain("PRIVATE KEY");
    rm.apiDisabled = true;
    const error = await discovery.discoverAccounts(parent, { cloud: "gcp", parent: ORG }, context()).catch((e: unknown) => e);
    const said = `${JSON.stringify(error)} ${(error as Error).message} ${(error as { hint?: string }).hint}`;
    expect(said).not.toContain(parent.private_key.slice(40, 80));
    expect(said).not.toMatch(/ya29\./);
  });
});

describe("Google Cloud project credentials", () => {
  const account: DiscoveredAccount = { account: "prod-web-eu", name: "Prod web EU", unavailable: null };

  it("gives a key parent's child the same key with the project replaced", () => {
    const parent = keyParent();
    expect(discovery.childCredentials(parent, { cloud: "gcp", parent: ORG }, account)).toEqual({ ...parent, project_id: "prod-web-eu" });
  });

  it("gives a workload identity parent's child the same configuration with the project replaced", () => {
    const parent = wifParent();
    expect(discovery.childCredentials(parent, { cloud: "gcp", parent: ORG }, account)).toEqual({ ...parent, project_id: "prod-web-eu" });
  });

  it("refuses an account that is not a project ID", () => {
    expect(() => discovery.childCredentials(keyParent(), { cloud: "gcp", parent: ORG }, { ...account, account: "Not A Project" })).toThrow(
      /project ID/,
    );
  });
});
