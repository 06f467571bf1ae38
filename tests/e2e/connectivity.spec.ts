// Connectivity in the browser, against the wire-level DigitalOcean fake on loopback (which
// the organization allow-lists, as a customer would an on-premises endpoint): test a
// connection before saving, check a provider, page through its resources, and see a failing
// provider's actionable message.
import { expect, test } from "./fixtures.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { ProvidersPage } from "./pages/providers.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
let fake: DigitalOceanFake;

test.beforeAll(async () => {
  sql = database();
  fake = await startDigitalOceanFake();
});

test.afterAll(async () => {
  await fake?.close();
  await sql?.end();
});

test("an admin tests a connection, sees the provider healthy, pages through its resources, and sees what to do when it fails", async ({
  page,
}) => {
  test.setTimeout(180_000);
  fake.switches.resourceCount = 60;
  fake.switches.badCredentials = false;
  const { slug } = await adminWithOrganization(page, "conn");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;

  const providers = new ProvidersPage(page, slug);
  await providers.openAddDialog();
  const dialog = providers.dialog;
  await dialog.chooseKind("digitalocean");
  await dialog.fillDetails({ name: "Droplets", endpoint: fake.url });
  await dialog.next();

  // A token the cloud refuses: the test says so and what to do, before anything is saved.
  await dialog.fillCredentials({ fields: { "Personal access token": `dop_v1_${"f".repeat(64)}` } });
  await dialog.root.getByRole("button", { name: "Test connection" }).click();
  const result = dialog.root.locator("[data-test=test-connection-result]");
  await expect(result.locator("[data-ok=false]")).toBeVisible();
  await expect(result).toContainText(/token/i);
  expect(await providersIn(slug)).toBe(0);

  await dialog.fillCredentials({ fields: { "Personal access token": fake.token } });
  await dialog.root.getByRole("button", { name: "Test connection" }).click();
  await expect(result.locator("[data-ok=true]")).toContainText("Connected to");
  await dialog.next();
  await dialog.save();
  await expect(dialog.root).toBeHidden();

  // Check now, from the card.
  const card = providers.card("Droplets");
  await card.getByRole("button", { name: "Check now" }).click();
  await expect(card.locator("[data-test=provider-status]")).toHaveText("Healthy");

  // The detail page: identity, latency and the uptime chart on Overview.
  await card.getByRole("link", { name: "Droplets" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Droplets" })).toBeVisible();
  const health = page.locator("[data-test=provider-health]");
  await expect(health).toContainText("ms (last check)");
  await expect(health).toContainText("100% of the last 1 checks");
  await expect(page.locator("[data-test=uptime-chart] rect[data-ok=true]")).toHaveCount(1);
  await page.screenshot({ path: "test-results/screens/provider-overview.png", fullPage: true });

  // Resources: nothing until a refresh, then 60 droplets in pages of 25.
  await page.getByRole("link", { name: /^Resources/ }).click();
  await expect(page.locator("[data-test=inventory-state]")).toHaveText("Never listed yet.");
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.locator("[data-test=inventory-state]")).toContainText("60 resources");
  const rows = page.locator("[data-test=resource-row]");
  await expect(rows).toHaveCount(25);
  const pagination = page.locator("[data-test=provider-pagination]");
  await expect(pagination).toContainText("1–25 of 60");
  // The fake's droplets are s-1vcpu-1gb, a size DigitalOcean publishes a monthly price for.
  await expect(rows.first().locator("[data-test=list-price]")).toHaveText("≈ $6/mo (list price)");
  await pagination.getByRole("link", { name: /next/i }).click();
  await expect(pagination).toContainText("26–50 of 60");
  await expect(rows).toHaveCount(25);
  await page.screenshot({ path: "test-results/screens/provider-resources.png", fullPage: true });

  // Sorting and filtering run on the server and live in the URL.
  await page.getByRole("link", { name: /^Name/ }).click();
  await expect(page).toHaveURL(/sort=name&dir=desc/);
  await expect(rows.first()).toContainText("droplet-9");
  await page.getByRole("combobox", { name: "Status" }).click();
  await page.getByRole("option", { name: "Stopped" }).click();
  await expect(page).toHaveURL(/status=stopped/);
  await expect(pagination).toContainText("of 15");
  await page.getByLabel("Search resources").fill("droplet-42");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByRole("link", { name: /Open/ })).toHaveAttribute(
    "href",
    /^https:\/\/cloud\.digitalocean\.com\/droplets\/300000042/,
  );

  // The token stops working: Check now says what failed and what to do, and history keeps it.
  fake.switches.badCredentials = true;
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("button", { name: "Check now" }).click();
  const lastError = page.locator("[data-test=provider-last-error]");
  await expect(lastError).toBeVisible();
  await expect(lastError).toContainText(/token/i);
  await page.getByRole("link", { name: "Health history" }).click();
  const history = page.locator("[data-test=health-history] tbody tr");
  await expect(history).toHaveCount(2);
  await expect(history.first()).toHaveAttribute("data-ok", "false");
  await expect(history.first()).toContainText("Check now");
  await page.screenshot({ path: "test-results/screens/provider-history.png", fullPage: true });

  await providers.goto();
  await expect(providers.card("Droplets").locator("[data-test=provider-card-error]")).toBeVisible();
});

test("an admin adds a read-only credential, and checks use it instead of the full one", async ({ page }) => {
  fake.switches.badCredentials = false;
  const { slug } = await adminWithOrganization(page, "readonly");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;
  const providers = new ProvidersPage(page, slug);
  // The full token is one the fake refuses: a check with it fails.
  await providers.add({
    kind: "digitalocean",
    name: "Paired droplets",
    endpoint: fake.url,
    fields: { "Personal access token": `dop_v1_${"e".repeat(64)}` },
    canaries: [],
  });
  const card = providers.card("Paired droplets");
  await card.getByRole("button", { name: "Check now" }).click();
  await expect(card.locator("[data-test=provider-card-error]")).toBeVisible();

  await providers.cardAction("Paired droplets", "Read-only credential");
  const dialog = page.getByRole("dialog", { name: "Read-only credential" });
  await expect(dialog).toContainText("Current read-only credential: none");
  await dialog.getByLabel(/^Personal access token/).fill(fake.token);
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.locator("[data-test=test-connection-result] [data-ok=true]")).toBeVisible();
  await dialog.getByRole("button", { name: "Save read-only credential" }).click();
  await expect(dialog).toBeHidden();

  await card.getByRole("button", { name: "Check now" }).click();
  await expect(card.locator("[data-test=provider-status]")).toHaveText("Healthy");
  await card.getByRole("link", { name: "Paired droplets" }).click();
  await expect(page.locator("[data-test=provider-overview]")).toContainText(`…${fake.token.slice(-4)} · used for checks and listings`);
});

test("a viewer sees stored health and resources but cannot run live calls", async ({ browser }) => {
  // Set up as the admin above would, then look as a viewer of the same organization.
  const adminPage = await browser.newPage();
  const { slug } = await adminWithOrganization(adminPage, "connview");
  await adminPage.close();
  const viewerPage = await browser.newPage();
  const { slug: own } = await adminWithOrganization(viewerPage, "viewerself");
  const { id: viewerId } = firstRow(
    await sql<{ id: string }[]>`
    select m.user_id as id from public.organization_members m join public.organizations o on o.id = m.organization_id where o.slug = ${own}`,
  );
  await sql`insert into public.organization_members (organization_id, user_id, role) select id, ${viewerId}, 'viewer' from public.organizations where slug = ${slug}`;
  const org = firstRow(await sql<{ id: string }[]>`select id from public.organizations where slug = ${slug}`);
  await sql`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint, environment)
    values (${org.id}, 'Stored only', 'vultr', 'api_token', '{"ct": "unused", "wk": "unused"}'::jsonb, '…abcd', 'e2e-viewer-fixture', 'production')`;

  await viewerPage.goto(`/orgs/${slug}/providers`);
  const card = viewerPage.locator("[data-test=provider-card]", { hasText: "Stored only" });
  await expect(card).toBeVisible();
  await expect(card.getByRole("button", { name: "Check now" })).toHaveCount(0);
  await card.getByRole("link", { name: "Stored only" }).click();
  await expect(viewerPage.getByRole("heading", { level: 1, name: "Stored only" })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Check now" })).toHaveCount(0);
  await viewerPage.getByRole("link", { name: /^Resources/ }).click();
  await expect(viewerPage.getByText("A member of the organization can list what runs behind this provider.")).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Refresh" })).toHaveCount(0);
  await viewerPage.close();
});

async function providersIn(slug: string) {
  const { n } = firstRow(
    await sql<{ n: number }[]>`
    select count(*)::int as n from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`,
  );
  return n;
}
