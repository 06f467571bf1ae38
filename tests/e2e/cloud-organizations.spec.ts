// A whole Azure tenant in the browser: an admin connects a subscription, then its organization from the
// provider's page; Discover now connects the tenant's other subscription and says why the disabled one
// is not connected; a scope the principal cannot read fails discovery as a whole, and the page says
// why until a discovery succeeds; the child names its parent; removing the parent asks what to do with its accounts,
// and "Keep them" leaves the child connected on its own. Against the Azure fake (TLS, its tenant
// answering Subscriptions - List) through the portal's real server actions.
import { expect, test } from "./fixtures.ts";
import { startAzureFake, type AzureFake } from "../fakes/azure.ts";
import type { TenantHost } from "../fakes/azure-tenant.ts";
import { ProvidersPage } from "./pages/providers.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

const PLATFORM = "0d0d0d0d-1111-4222-8333-000000000001";
const DISABLED = "0d0d0d0d-1111-4222-8333-000000000004";
const SECRET = "Q8~CANARY09tenantSECRET.kLmNoPq";

let sql: ReturnType<typeof database>;
let fake: AzureFake;

test.beforeAll(async () => {
  sql = database();
  fake = await startAzureFake({ subscriptionName: "Production EU", clientSecret: SECRET });
  fake.switches.resourceCount = 3;
  (fake as TenantHost).tenant = {
    tenantId: fake.state.tenantId,
    rootGroup: fake.state.tenantId,
    groups: { [fake.state.tenantId]: null },
    subscriptions: [
      { id: PLATFORM, name: "Platform", state: "Enabled" },
      { id: fake.state.subscriptionId, name: "Production EU", state: "Enabled" },
      { id: DISABLED, name: "Old trial", state: "Disabled" },
    ],
    forbiddenGroups: [],
  };
});

/** The Platform subscription's client-secret credential, as the add dialog asks for it. */
const platformFields = () => ({
  "Directory (tenant) ID": fake.state.tenantId,
  "Application (client) ID": fake.state.clientId,
  "Client secret": SECRET,
  "Subscription ID": PLATFORM,
});

test.afterAll(async () => {
  await fake?.close();
  await sql?.end();
});

test("an admin connects a whole Azure tenant, sees each subscription connected or why not, and keeps them when removing the parent", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "cloudorg");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;

  const providers = new ProvidersPage(page, slug);
  await providers.add({
    kind: "azure",
    name: "Contoso platform",
    endpoint: fake.url,
    variant: /^Client secret/,
    fields: platformFields(),
    canaries: [SECRET],
  });
  await providers.card("Contoso platform").getByRole("link", { name: "Contoso platform" }).click();

  // One subscription connected; the page offers the rest of the organization.
  const offer = page.locator("[data-test=connect-organization]");
  await expect(offer).toBeVisible();
  await offer.getByRole("button", { name: "Connect organization" }).click();
  const scopeDialog = page.getByRole("dialog", { name: "Connect the whole organization" });
  // A management group ID with a space is refused on the field, and nothing is stored.
  await scopeDialog.getByLabel("Management group ID (optional)").fill("not valid");
  await scopeDialog.getByRole("button", { name: "Connect" }).click();
  await expect(scopeDialog.getByRole("alert")).toContainText("management group ID");
  await scopeDialog.getByLabel("Management group ID (optional)").fill("");
  await scopeDialog.getByRole("button", { name: "Connect" }).click();
  await expect(scopeDialog).toBeHidden();

  const panel = page.locator("[data-test=organization-accounts]");
  await expect(panel).toContainText("every subscription its principal can read in the tenant");
  await expect(panel.locator("[data-test=organization-accounts-empty]")).toBeVisible();
  await panel.getByRole("button", { name: "Discover now" }).click();
  await expect(page.getByText("1 new account connected")).toBeVisible();

  const rows = panel.locator("[data-test=discovered-account]");
  await expect(rows).toHaveCount(2);
  const disabled = rows.filter({ hasText: "Old trial" });
  await expect(disabled).toHaveAttribute("data-state", "unavailable");
  await expect(disabled).toContainText("The subscription is disabled");
  const connected = rows.filter({ hasText: "Production EU" });
  await expect(connected).toHaveAttribute("data-state", "connected");
  await expect(panel.locator("[data-test=organization-accounts-counts]")).toHaveText("1 connected · 1 unavailable");
  await page.screenshot({ path: test.info().outputPath("organization-accounts.png"), fullPage: true });

  // A management group the principal cannot read: discovery fails as a whole. The admin is told, and
  // the page keeps saying why (with what was seen before) until a discovery succeeds.
  await panel.getByRole("button", { name: "Change scope" }).click();
  const changeScope = page.getByRole("dialog", { name: "Organization scope" });
  await changeScope.getByLabel("Management group ID (optional)").fill("finance");
  await changeScope.getByRole("button", { name: "Save" }).click();
  await expect(changeScope).toBeHidden();
  await panel.getByRole("button", { name: "Discover now" }).click();
  const failed = panel.locator("[data-test=discovery-failed]");
  await expect(failed).toContainText("could not list the organization");
  await expect(failed).toContainText("Microsoft.Management/managementGroups/descendants/read");
  await expect(failed).toContainText("The accounts below are as an earlier discovery saw them.");
  await expect(rows).toHaveCount(2);
  await page.reload();
  await expect(failed).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("organization-discovery-failed.png"), fullPage: true });
  await panel.getByRole("button", { name: "Change scope" }).click();
  await changeScope.getByLabel("Management group ID (optional)").fill("");
  await changeScope.getByRole("button", { name: "Save" }).click();
  await expect(changeScope).toBeHidden();
  await panel.getByRole("button", { name: "Discover now" }).click();
  await expect(page.getByText("No new accounts")).toBeVisible();
  await expect(failed).toHaveCount(0);

  // The child is a provider of its own, and names its parent.
  await connected.getByRole("link", { name: "Production EU" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Production EU" })).toBeVisible();
  await expect(page.locator("[data-test=discovered-through]")).toContainText("Discovered through Contoso platform");
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.getByText("Production EU is healthy")).toBeVisible();

  // Removing the parent asks about its accounts; "Keep them" leaves the child connected.
  await providers.goto();
  await expect(providers.card("Contoso platform").locator("[data-test=organization-badge]")).toBeVisible();
  await expect(providers.card("Production EU").locator("[data-test=discovered-badge]")).toBeVisible();
  await providers.cardAction("Contoso platform", "Delete");
  const dialog = page.getByRole("dialog", { name: "Delete Contoso platform?" });
  await dialog.getByLabel(/to confirm$/).fill("Contoso platform");
  await dialog.getByRole("button", { name: "Delete provider" }).click();
  await expect(dialog.locator("[data-test=delete-children]").getByRole("alert")).toContainText("Choose what happens");
  await dialog.getByRole("radio", { name: /^Keep them/ }).check();
  await dialog.getByRole("button", { name: "Delete provider" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("1 account stays connected on its own.")).toBeVisible();
  await expect(providers.card("Contoso platform")).toHaveCount(0);
  await expect(providers.card("Production EU")).toBeVisible();
  await expect(providers.card("Production EU").locator("[data-test=discovered-badge]")).toHaveCount(0);

  // The secret never reached the browser.
  expect(await page.content()).not.toContain(SECRET);
});

test("an admin connects a whole Azure tenant from the add dialog, with a bad scope refused on its field first", async ({ page }) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "cloudorgadd");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;

  const providers = new ProvidersPage(page, slug);
  const dialog = providers.dialog;
  await providers.openAddDialog();
  await dialog.chooseKind("azure");
  await dialog.fillDetails({ name: "Contoso tenant", endpoint: fake.url });
  await dialog.next();
  await dialog.fillCredentials({
    variant: /^Client secret/,
    fields: platformFields(),
  });
  await dialog.next();

  // Off by default; on, the management group field (empty: the whole tenant).
  const option = dialog.root.locator("[data-test=add-organization]");
  await expect(option.getByLabel("Management group ID (optional)")).toHaveCount(0);
  await option.getByRole("checkbox", { name: /^Also connect every subscription/ }).check();
  await dialog.field("Management group ID (optional)").fill("not valid");
  await dialog.save();
  // The server refuses the scope on its field, on the review step, and stores nothing.
  await expect(await dialog.fieldError("Management group ID (optional)")).toContainText("management group ID");
  await expect(dialog.field("Management group ID (optional)")).toBeFocused();
  await page.screenshot({ path: test.info().outputPath("add-organization-refused.png") });
  const { count } = firstRow(
    await sql<{ count: number }[]>`
    select count(*)::int as count from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`,
  );
  expect(count).toBe(0);

  await dialog.field("Management group ID (optional)").fill("");
  await dialog.save();
  await expect(dialog.root).toBeHidden();
  // Saved, it opens on its page, where its accounts are discovered.
  await expect(page.getByRole("heading", { level: 1, name: "Contoso tenant" })).toBeVisible();
  const panel = page.locator("[data-test=organization-accounts]");
  await expect(panel).toContainText("every subscription its principal can read in the tenant");
  await panel.getByRole("button", { name: "Discover now" }).click();
  await expect(page.getByText("1 new account connected")).toBeVisible();
  await expect(panel.locator("[data-test=discovered-account]")).toHaveCount(2);
  expect(await page.content()).not.toContain(SECRET);
});
