// AWS with no secret, in the browser: an admin enters only a role ARN, saves, lands on the provider's
// page with the issuer, subject, audience and role to copy and a CloudFormation template that pins
// them, sees Check now say the role does not trust this subject yet, creates the trust in the (fake)
// account, and Check now succeeds. The AWS fake verifies every token against the stack's live issuer.
import { expect, test } from "./fixtures.ts";
import { startAwsFake, type AwsFake } from "../fakes/aws.ts";
import { enableAwsWebIdentity } from "../fakes/aws-web-identity.ts";
import { ProvidersPage } from "./pages/providers.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

const ACCOUNT = "444455556666";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/CloudkeepReadOnly`;

let sql: ReturnType<typeof database>;
let fake: AwsFake;
const issuer = () => `${process.env.E2E_SUPABASE_URL}/functions/v1/oidc`;
const issuerHostPath = () => issuer().replace(/^https?:\/\//, "");

test.beforeAll(async () => {
  sql = database();
  fake = await startAwsFake({ aws: { regions: ["us-east-1"] } });
  enableAwsWebIdentity(fake, [{ account: ACCOUNT, url: issuerHostPath(), clientIds: ["sts.amazonaws.com"] }]);
});

test.afterAll(async () => {
  await fake?.close();
  await sql?.end();
});

test("an admin connects AWS by web identity federation and Check now succeeds once the role trusts the subject", async ({ page }) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "fedaws");
  await sql`update public.organizations set allow_http_endpoints = true where slug = ${slug}`;

  const providers = new ProvidersPage(page, slug);
  await providers.openAddDialog();
  const dialog = providers.dialog;
  await dialog.chooseKind("aws");
  await dialog.fillDetails({ name: "AWS without a key", endpoint: fake.url });
  await dialog.next();
  // Offered first, and chosen by default: only a role ARN, nothing secret.
  const methods = dialog.root.locator("[data-test=auth-method]").getByRole("radio");
  await expect(methods.first()).toHaveAccessibleName(/^No secret \(federation\)/);
  await expect(methods.first()).toBeChecked();
  await dialog.field("Role ARN").fill(ROLE);
  const preview = dialog.root.locator("[data-test=federation-preview]");
  await expect(preview.locator("[data-test=federation-preview-issuer]")).toHaveText(issuer());
  await expect(preview.locator("[data-test=federation-preview-audience]")).toHaveText("sts.amazonaws.com");
  await dialog.next();
  await dialog.save();

  // Saved: the provider's page shows the values, and a template that pins exactly them.
  const setup = page.locator("[data-test=federation-setup]");
  await expect(setup).toBeVisible();
  const { id, organization_id: org } = firstRow(
    await sql<{ id: string; organization_id: string }[]>`
    select p.id, p.organization_id from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`,
  );
  const subject = `org:${org}:provider:${id}`;
  await expect(setup.locator("[data-test=federation-issuer]")).toHaveText(issuer());
  await expect(setup.locator("[data-test=federation-subject]")).toHaveText(subject);
  await expect(setup.locator("[data-test=federation-audience]")).toHaveText("sts.amazonaws.com");
  await expect(setup.locator("[data-test=federation-principal]")).toHaveText(ROLE);
  const template = setup.locator("[data-test=federation-cloudformation]");
  await expect(template).toContainText("AWS::IAM::OIDCProvider");
  await expect(template).toContainText(`"${issuerHostPath()}:sub": "${subject}"`);
  // The external-ID role panel is not shown: there is no external ID to use.
  await expect(page.locator("[data-test=aws-role-setup]")).toHaveCount(0);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.screenshot({ path: "test-results/screens/federation-aws.png", fullPage: true });
  const [stored] = await sql<
    { auth_method: string; credential_hint: string }[]
  >`select auth_method, credential_hint from public.cloud_providers where id = ${id}`;
  expect(stored).toEqual({ auth_method: "web_identity", credential_hint: "role/CloudkeepReadOnly" });

  // No role trusts the subject yet: Check now says which link failed.
  const checkNow = page.getByRole("button", { name: /^Check now/ }).first();
  await checkNow.click();
  await expect(page.getByText(/did not let this provider's subject assume/).first()).toBeVisible();

  // The admin deploys the template; the next check is healthy.
  fake.roles = [
    {
      arn: ROLE,
      trusts: "",
      externalId: "",
      enforceExternalId: false,
      webIdentity: { providerUrl: issuerHostPath(), audience: "sts.amazonaws.com", subject },
    },
  ];
  await checkNow.click();
  await expect
    .poll(async () => firstRow(await sql<{ status: string }[]>`select status from public.cloud_providers where id = ${id}`).status, {
      timeout: 20_000,
    })
    .toBe("healthy");
});
