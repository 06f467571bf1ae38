// Organization settings (network allow-list, credential ages, the webhook and its secret shown
// once) and the Needs attention page, in the browser.
import { expect, test } from "./fixtures.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
test.beforeAll(() => {
  sql = database();
});
test.afterAll(async () => {
  await sql?.end();
});

const ENVELOPE = { v: 1, alg: "A256GCM", kid: "unused", wk: "d2s=", wiv: "aXY=", iv: "aXY=", ct: "Y3Q=" };

test("an admin allow-lists a network, sets credential ages, and adds a webhook whose secret is shown once", async ({ page }) => {
  const { slug } = await adminWithOrganization(page, "settings");
  await page.goto(`/orgs/${slug}/settings`);
  const form = page.locator("[data-test=settings-form]");

  await form.getByLabel("Allowed private networks").fill("10.20.0.0/16\n10.0.0.300/8");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#settings-cidrs-error")).toContainText("10.0.0.300/8");

  // The metadata service and loopback are never allow-listable, whoever asks.
  await form.getByLabel("Allowed private networks").fill("10.20.0.0/16\n169.254.169.254/32\n127.0.0.0/8");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#settings-cidrs-error")).toContainText("169.254.169.254/32");
  await expect(page.locator("#settings-cidrs-error")).toContainText("can never be allow-listed");

  await form.getByLabel("Allowed private networks").fill("10.20.0.0/16");
  await form.getByLabel("Warn after (days)").fill("100");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#settings-warning-error")).toContainText("below the critical age");

  await form.getByLabel("Warn after (days)").fill("30");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved")).toBeVisible();
  const [org] = await sql<{ allowed_private_cidrs: string[]; credential_warning_days: number }[]>`
    select allowed_private_cidrs::text[] as allowed_private_cidrs, credential_warning_days from public.organizations where slug = ${slug}`;
  expect(org).toEqual({ allowed_private_cidrs: ["10.20.0.0/16"], credential_warning_days: 30 });

  const webhook = page.locator("[data-test=webhook-form]");
  await webhook.getByLabel("Payload URL").fill("http://hooks.example.com/cloudkeep");
  await webhook.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.locator("#webhook-url-error")).toContainText("https");
  await webhook.getByLabel("Payload URL").fill("https://hooks.example.com/cloudkeep");
  await webhook.getByRole("button", { name: "Add webhook" }).click();
  const shown = page.locator("[data-test=webhook-secret] code");
  await expect(shown).toHaveText(/^whsec_/);
  const secret = (await shown.textContent())!;

  // Gone after a reload: only the hint remains, in the page and in what the server sent.
  await page.reload();
  await expect(page.locator("[data-test=webhook-secret]")).toHaveCount(0);
  await expect(webhook).toContainText(`whsec_…${secret.slice(-4)}`);
  expect(await page.content()).not.toContain(secret);
  const row = firstRow(
    await sql`select secret::text as secret from public.organization_webhooks w join public.organizations o on o.id = w.organization_id where o.slug = ${slug}`,
  );
  expect(row.secret).not.toContain(secret.slice(6));
});

test("Needs attention lists a failing provider and an old credential with what to do; a viewer sees it without edit controls", async ({
  browser,
}) => {
  const adminPage = await browser.newPage();
  const { slug } = await adminWithOrganization(adminPage, "attention");
  const org = firstRow(await sql<{ id: string }[]>`select id from public.organizations where slug = ${slug}`);
  await sql`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, credential_hint, created_at)
    values (${org.id}, 'Broken droplets', 'digitalocean', 'api_token', ${sql.json(ENVELOPE)}, 'fp-broken', '…dead', now()),
           (${org.id}, 'Ancient keys', 'linode', 'api_token', ${sql.json(ENVELOPE)}, 'fp-ancient', '…0ld0', now() - interval '120 days'),
           (${org.id}, 'Fine keys', 'vultr', 'api_token', ${sql.json(ENVELOPE)}, 'fp-fine', '…f1ne', now())`;
  await sql`update public.cloud_providers set status = 'failed', last_error_code = 'unauthorized', last_error_message = 'DigitalOcean refused the token (401 Unauthorized).'
            where organization_id = ${org.id} and name = 'Broken droplets'`;

  await adminPage.getByRole("link", { name: "Needs attention" }).first().click();
  const items = adminPage.locator("[data-test=attention-item]");
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText("Broken droplets");
  await expect(items.first()).toContainText("DigitalOcean refused the token");
  await expect(items.first()).toHaveAttribute("data-severity", "critical");
  await expect(adminPage.locator("[data-test=attention-list]")).toContainText("120 days old, past the 90-day limit");
  await expect(adminPage.locator("[data-test=attention-list]")).not.toContainText("Fine keys");
  await expect(adminPage.locator("[data-test=notifications]")).toContainText("Broken droplets is failing");
  await adminPage.screenshot({ path: "test-results/screens/needs-attention.png", fullPage: true });
  await adminPage.close();

  const viewerPage = await browser.newPage();
  const { slug: own } = await adminWithOrganization(viewerPage, "attnviewer");
  await sql`
    insert into public.organization_members (organization_id, user_id, role)
    select ${org.id}, m.user_id, 'viewer' from public.organization_members m join public.organizations o on o.id = m.organization_id where o.slug = ${own}`;
  await viewerPage.goto(`/orgs/${slug}/attention`);
  await expect(viewerPage.locator("[data-test=attention-item]")).toHaveCount(2);

  // A long list comes in pages of 25, most urgent first, with the whole count above it.
  await sql`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, credential_hint, created_at)
    select ${org.id}, 'Stale ' || lpad(g::text, 2, '0'), 'vultr', 'api_token', ${sql.json(ENVELOPE)}, 'fp-stale-' || g, '…s' || lpad(g::text, 3, '0'), now() - interval '70 days'
    from generate_series(1, 26) g`;
  await viewerPage.reload();
  await expect(viewerPage.locator("[data-test=attention-summary]")).toContainText(
    "28 providers need attention: 2 critical, 26 to plan for",
  );
  await expect(viewerPage.locator("[data-test=attention-item]")).toHaveCount(25);
  await expect(viewerPage.locator("[data-test=attention-item]").nth(1)).toHaveAttribute("data-severity", "critical");
  await viewerPage.getByRole("link", { name: "Next" }).click();
  await expect(viewerPage).toHaveURL(/\/attention\?page=2$/);
  await expect(viewerPage.locator("[data-test=attention-item]")).toHaveCount(3);
  await expect(viewerPage.getByText("Page 2 of 2")).toBeVisible();
  await viewerPage.goto(`/orgs/${slug}/settings`);
  await expect(viewerPage.getByLabel("Allowed private networks")).toBeDisabled();
  await expect(viewerPage.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  await expect(viewerPage.locator("[data-test=webhook-form]")).toHaveCount(0);
  await viewerPage.close();
});
