// AWS without stored keys, in the browser: an admin connects an account by role, copies the
// CloudFormation template with the external ID Cloudkeep issued, sees the provider healthy
// once the role trusts Cloudkeep, and reads the account's CloudTrail activity. The AWS fake
// answers on the port global-setup gave the portal as Cloudkeep's STS endpoint.
import { expect, test } from "./fixtures.ts";
import { fakeTrailEvents } from "../fakes/aws-cloudtrail.ts";
import { CLOUDKEEP_KEY, startAwsFake, type AwsFake } from "../fakes/aws.ts";
import { ProvidersPage } from "./pages/providers.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";

const ROLE = "arn:aws:iam::444455556666:role/CloudkeepReadOnly";
let sql: ReturnType<typeof database>;
let fake: AwsFake;

test.beforeAll(async () => {
  sql = database();
  fake = await startAwsFake({ keys: [CLOUDKEEP_KEY], port: Number(process.env.E2E_AWS_FAKE_PORT) });
  fake.aws.trail["us-east-1"] = fakeTrailEvents("us-east-1", 60);
});

test.afterAll(async () => {
  await fake?.close();
  await sql?.end();
});

test("an admin connects AWS by role, copies the template, sees it healthy and reads the activity", async ({ page }) => {
  test.setTimeout(180_000);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const { slug } = await adminWithOrganization(page, "awsrole");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;

  const providers = new ProvidersPage(page, slug);
  await providers.openAddDialog();
  const dialog = providers.dialog;
  await dialog.chooseKind("aws");
  await dialog.fillDetails({ name: "AWS by role", endpoint: fake.url });
  await dialog.next();
  await dialog.root.getByRole("radio", { name: /^Role/ }).check();
  await dialog.field("Role ARN").fill(ROLE);
  await dialog.next();
  await dialog.save();
  await expect(dialog.root).toBeHidden();

  await providers.card("AWS by role").getByRole("link", { name: "AWS by role" }).click();
  const setup = page.locator("[data-test=aws-role-setup]");
  const externalId = (await setup.locator("[data-test=external-id]").textContent())!.trim();
  expect(externalId).toMatch(/^ck[0-9a-f]{64}$/);

  // The template carries this provider's external ID and trusts only Cloudkeep's principal.
  await setup.getByRole("button", { name: "Copy template" }).click();
  const template = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  expect(template.Parameters.ExternalId.Default).toBe(externalId);
  expect(JSON.stringify(template)).toContain(CLOUDKEEP_KEY.arn);
  await setup.getByRole("tab", { name: "Terraform" }).click();
  await expect(setup.locator("[data-test=terraform-snippet]")).toContainText(externalId);

  // Before the role exists the check fails and says what to do; once deployed, it is healthy.
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.locator("[data-test=provider-last-error]")).toContainText(/external ID|trust/i);
  fake.roles = [{ arn: ROLE, trusts: CLOUDKEEP_KEY.arn, externalId, enforceExternalId: true }];
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.locator("[data-test=provider-status]").first()).toHaveText("Healthy");
  await expect(page.locator("[data-test=provider-health]")).toContainText("444455556666");

  // The Activity tab: import, then the changes (reads left out), with console links.
  await page.getByRole("link", { name: "Activity" }).click();
  await page.getByRole("button", { name: "Import now" }).click();
  const rows = page.locator("[data-test=activity-table] tbody tr");
  await expect(rows.first()).toBeVisible();
  await expect(page.locator("[data-test=activity-table]")).not.toContainText("DescribeInstances");
  await expect(rows.first().getByRole("link").first()).toHaveAttribute("href", /console\.aws\.amazon\.com/);
  await page.screenshot({ path: "test-results/screens/aws-activity.png", fullPage: true });
});
