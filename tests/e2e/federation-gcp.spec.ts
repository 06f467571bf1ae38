// Google Cloud with no secret, in the browser: an admin pastes the credential configuration gcloud
// wrote, saves, lands on the provider's page with the exact issuer, subject and audience to copy,
// sees Check now name the missing binding, binds the subject in the (fake) cloud, and Check now
// succeeds. The Google fake verifies every token against the test stack's live OIDC issuer.
import { expect, test } from "./fixtures.ts";
import { enableGcpFederation, type GcpFederation } from "../fakes/gcp-federation.ts";
import { startGcpFake, type GcpFake } from "../fakes/gcp.ts";
import { ProvidersPage } from "./pages/providers.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
let fake: GcpFake;
let federation: GcpFederation;
const issuer = () => `${process.env.E2E_SUPABASE_URL}/functions/v1/oidc`;

test.beforeAll(async () => {
  sql = database();
  fake = await startGcpFake({ projectId: "cloudkeep-e2e-federated" }, { http: true });
  federation = enableGcpFederation(fake, { issuer: issuer() });
  federation.config.computeViewers = [`serviceAccount:${federation.config.serviceAccount}`];
});

test.afterAll(async () => {
  await fake?.close();
  await sql?.end();
});

class FederationSetupPanel {
  constructor(readonly page: import("@playwright/test").Page) {}
  get root() {
    return this.page.locator("[data-test=federation-setup]");
  }
  value(name: "issuer" | "subject" | "audience" | "principal") {
    return this.root.locator(`[data-test=federation-${name}]`);
  }
}

test("an admin connects Google Cloud by workload identity federation and Check now succeeds once the subject is bound", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "fedgcp");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;

  const providers = new ProvidersPage(page, slug);
  await providers.openAddDialog();
  const dialog = providers.dialog;
  await dialog.chooseKind("gcp");
  await dialog.fillDetails({ name: "GCP without a key", endpoint: fake.url });
  await dialog.next();
  // Offered first, and chosen by default.
  const methods = dialog.root.locator("[data-test=auth-method]").getByRole("radio");
  await expect(methods.first()).toHaveAccessibleName(/^No secret \(federation\)/);
  await expect(methods.first()).toBeChecked();
  await dialog.field("Credential configuration (JSON)").fill(JSON.stringify(federation.credentialConfig(), null, 2));
  await dialog.field("Project ID").fill(fake.state.projectId);
  const preview = dialog.root.locator("[data-test=federation-preview]");
  await expect(preview.locator("[data-test=federation-preview-issuer]")).toHaveText(issuer());
  await expect(preview.locator("[data-test=federation-preview-audience]")).toHaveText(`https:${federation.audience}`);
  await dialog.next();
  await dialog.save();

  // Saved: the provider's page shows the exact values to paste.
  const setup = new FederationSetupPanel(page);
  await expect(setup.root).toBeVisible();
  const { id, organization_id: org } = firstRow(
    await sql<{ id: string; organization_id: string }[]>`
    select p.id, p.organization_id from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`,
  );
  const subject = `org:${org}:provider:${id}`;
  await expect(setup.value("issuer")).toHaveText(issuer());
  await expect(setup.value("subject")).toHaveText(subject);
  await expect(setup.value("audience")).toHaveText(`https:${federation.audience}`);
  await expect(setup.value("principal")).toHaveText(federation.principalOf(subject));
  await expect(page.locator("[data-test=federation-commands]")).toContainText(`--member="${federation.principalOf(subject)}"`);
  // Nothing secret was stored: the credential hint names the service account and the pool.
  const stored = firstRow(
    await sql<
      { auth_method: string; credential_hint: string }[]
    >`select auth_method, credential_hint from public.cloud_providers where id = ${id}`,
  );
  expect(stored.auth_method).toBe("workload_identity");

  // Not bound yet: Check now says so, with the binding to add.
  const checkNow = page.getByRole("button", { name: /^Check now/ }).first();
  await checkNow.click();
  await expect(page.getByText(/has no Workload Identity User binding/).first()).toBeVisible();

  // The admin binds the subject in Google Cloud; the next check is healthy.
  federation.config.workloadIdentityUsers = [subject];
  await checkNow.click();
  await expect
    .poll(async () => firstRow(await sql<{ status: string }[]>`select status from public.cloud_providers where id = ${id}`).status, {
      timeout: 20_000,
    })
    .toBe("healthy");
  expect(federation.exchanges.filter((e) => e.ok).map((e) => e.sub)).toContain(subject);
});
