import { expect, test } from "./fixtures.ts";
import { SignUpPage, uniqueEmail } from "./pages/auth.ts";
import { adminWithOrganization, database, PASSWORD } from "./pages/setup.ts";
import { callApi, TokensPage } from "./pages/tokens.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
test.beforeAll(() => {
  sql = database();
});
test.afterAll(async () => {
  await sql?.end();
});

/** A provider row with a placeholder envelope: enough to be listed, never decrypted here. */
async function storedProvider(slug: string, name: string) {
  await sql`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint, environment)
    select id, ${name}, 'vultr', 'api_token', '{"ct": "unused", "wk": "unused"}'::jsonb, '…abcd', ${`e2e-tokens-${name}`}, 'production'
    from public.organizations where slug = ${slug}`;
}

test("an admin creates a token, a service lists providers with it, and after revocation the same call is 401", async ({ page }) => {
  test.setTimeout(120_000);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const { slug } = await adminWithOrganization(page, "tokens");
  await storedProvider(slug, "Inventory source");

  const tokens = new TokensPage(page, slug);
  await tokens.goto();
  await expect(page.getByText("No API tokens yet")).toBeVisible();
  const token = await tokens.create({ name: "ci-inventory", scopes: ["providers:read", "resources:read"], expiry: "7 days" });
  expect(token).toMatch(/^ck_[0-9A-Za-z]{43}$/);
  const dialog = tokens.dialog();
  await expect(dialog).toContainText("You will not see it again");
  await page.screenshot({ path: "test-results/screens/token-created.png" });

  // The copy button puts exactly the shown token on the clipboard.
  await dialog.getByRole("button", { name: "Copy token" }).click();
  await expect(dialog.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(token);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  const row = tokens.row("ci-inventory");
  await expect(row.locator("[data-test=token-status]")).toHaveText("Active");
  await expect(row).toContainText(token.slice(0, 11));
  await expect(row).toContainText("providers:read");
  await expect(row).toContainText("resources:read");
  await page.reload();
  expect(await page.content()).not.toContain(token.slice(3));
  await page.screenshot({ path: "test-results/screens/tokens-table.png", fullPage: true });

  // Another service: no ?org=, the token implies the organization.
  const listed = await callApi("/providers", copied);
  expect(listed.status).toBe(200);
  expect(listed.body.data.map((p: { name: string }) => p.name)).toEqual(["Inventory source"]);
  const beyond = await callApi(`/tokens?org=${slug}`, copied);
  expect(beyond.status).toBe(403);

  await tokens.revoke("ci-inventory");
  const refused = await callApi("/providers", copied);
  expect(refused).toMatchObject({ status: 401, body: { error: { code: "unauthorized", message: expect.stringMatching(/revoked/) } } });
  const stored = firstRow(
    await sql<
      { n: number }[]
    >`select count(*)::int as n from public.api_tokens where token_prefix = ${token.slice(0, 11)} and revoked_at is not null`,
  );
  expect(stored.n).toBe(1);
});

test("a viewer sees that only admins manage tokens, and a replayed create action is refused", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "tokview");
  const tokens = new TokensPage(page, slug);
  await tokens.goto();
  const captured = page.waitForRequest((request) => request.method() === "POST" && Boolean(request.headers()["next-action"]));
  await tokens.create({ name: "admin-made", scopes: ["providers:read"] });
  const createRequest = await captured;
  const forged = {
    url: createRequest.url(),
    body: createRequest.postData() ?? "",
    headers: Object.fromEntries(
      Object.entries(createRequest.headers()).filter(([name]) =>
        ["next-action", "next-router-state-tree", "content-type", "accept"].includes(name),
      ),
    ),
  };
  expect(forged.body).toContain("admin-made");

  const viewerContext = await browser.newContext();
  const viewerPage = await viewerContext.newPage();
  const viewerEmail = uniqueEmail("tokviewer");
  await new SignUpPage(viewerPage).goto();
  await new SignUpPage(viewerPage).submit(viewerEmail, PASSWORD);
  await expect(viewerPage).toHaveURL(/\/onboarding$/);
  await sql`
    insert into public.organization_members (organization_id, user_id, role)
    select o.id, u.id, 'viewer' from public.organizations o, auth.users u where o.slug = ${slug} and u.email = ${viewerEmail}`;

  const asViewer = new TokensPage(viewerPage, slug);
  await asViewer.goto();
  await expect(viewerPage.getByText("Only admins manage API tokens")).toBeVisible();
  await expect(asViewer.createButton()).toHaveCount(0);
  await expect(viewerPage.locator("[data-test=tokens-table]")).toHaveCount(0);
  await expect(viewerPage.getByText("admin-made")).toHaveCount(0);

  const countTokens = async () =>
    firstRow(
      await sql<
        { n: number }[]
      >`select count(*)::int as n from public.api_tokens t join public.organizations o on o.id = t.organization_id where o.slug = ${slug}`,
    ).n;
  const before = await countTokens();
  const reply = await viewerPage.evaluate(async ({ url, body, headers }) => {
    const response = await fetch(url, { method: "POST", headers, body });
    return await response.text();
  }, forged);
  expect(reply).toContain("This needs the admin role or above; you are viewer.");
  expect(reply).not.toMatch(/ck_[0-9A-Za-z]{43}/);
  expect(await countTokens()).toBe(before);
  await viewerContext.close();
});
