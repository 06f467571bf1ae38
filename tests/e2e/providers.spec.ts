import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures.ts";
import { OnboardingPage, SignUpPage, uniqueEmail } from "./pages/auth.ts";
import { awsSecret, CANARY, ProvidersPage, samplesOfEveryKind, type ProviderSample } from "./pages/providers.ts";
import { adminWithOrganization, database, PASSWORD } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
test.beforeAll(() => {
  sql = database();
});
test.afterAll(async () => {
  await sql?.end();
});

type Recorded = { url: string; text: string };

/** Every response body (documents, RSC payloads, server-action results, assets) and every request body. */
function recordTraffic(page: Page) {
  const responses: Promise<Recorded>[] = [];
  const requests: Recorded[] = [];
  const actionResponses: string[] = [];
  page.on("request", (request) => requests.push({ url: request.url(), text: request.postData() ?? "" }));
  page.on("response", (response) => {
    if (response.request().headers()["next-action"]) actionResponses.push(response.url());
    responses.push(
      response
        .body()
        .then((body) => ({ url: response.url(), text: body.toString("utf8") }))
        // Redirects have no body.
        .catch(() => ({ url: response.url(), text: "" })),
    );
  });
  return { responses: () => Promise.all(responses), requests, actionResponses };
}

function leaksOf(haystacks: Recorded[], canaries: string[]) {
  return haystacks.flatMap(({ url, text }) => canaries.filter((canary) => text.includes(canary)).map((canary) => `${canary} in ${url}`));
}

async function providerCount(slug: string) {
  const { n } = firstRow(
    await sql<{ n: number }[]>`
    select count(*)::int as n from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`,
  );
  return n;
}

test("an admin adds a provider of every kind, rotates, suspends and deletes, and no secret ever comes back", async ({ page }) => {
  test.setTimeout(240_000);
  const traffic = recordTraffic(page);
  const html: Recorded[] = [];
  const snapshot = async () => html.push({ url: page.url(), text: await page.content() });

  const { slug } = await adminWithOrganization(page, "vault");
  const providers = new ProvidersPage(page, slug);
  await expect(page.getByText("No providers yet")).toBeVisible();

  const samples = samplesOfEveryKind();
  for (const sample of samples) {
    await providers.add(sample);
    await snapshot();
  }
  await expect(page.locator("[data-test=provider-card]")).toHaveCount(8);
  await expect(page.locator("[data-test=provider-pagination]")).toContainText("1–8 of 8");

  // Rotate one: the dialog shows only the current hint, never a secret, and starts empty.
  await providers.cardAction("Production AWS", "Rotate credentials");
  const rotate = page.getByRole("dialog", { name: "Rotate credentials" });
  await expect(rotate).toContainText("AKIA…0001");
  await expect(rotate.getByLabel(/^Secret access key/)).toHaveValue("");
  await page.keyboard.press("Escape");
  await providers.rotate("Production AWS", { "Access key ID": "AKIAIOSFODNN7E2E0009", "Secret access key": awsSecret(CANARY.rotated) });
  await expect(providers.card("Production AWS")).toContainText("AKIA…0009");

  await providers.suspend("Linode edge");
  await providers.delete("Vultr batch");
  await expect(page.locator("[data-test=provider-card]")).toHaveCount(7);
  await snapshot();

  // Edit from the provider's own page: metadata only, and the audit log names what changed.
  await providers.card("Azure subscription").getByRole("link", { name: "Azure subscription" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Azure subscription" })).toBeVisible();
  await page.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Azure subscription" });
  await edit.getByLabel("Name").fill("Azure production");
  await edit.getByRole("combobox", { name: "Environment" }).click();
  await page.getByRole("option", { name: "Production" }).click();
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole("heading", { level: 1, name: "Azure production" })).toBeVisible();
  await expect(page.locator("[data-test=provider-overview]")).toContainText("Production");
  await page.getByRole("link", { name: "View audit log" }).click();
  await expect(page).toHaveURL(/\/audit\?provider=[0-9a-f-]{36}$/);
  await expect(page.locator("[data-test=audit-row]")).toHaveCount(2);
  await expect(page.locator("[data-test=audit-row][data-action='provider.updated']")).toContainText("Changed environment, name");
  await snapshot();
  await providers.goto();

  // Search and filters run on the server and live in the URL.
  await page.getByRole("combobox", { name: "Status" }).click();
  await page.getByRole("option", { name: "Suspended" }).click();
  await expect(page).toHaveURL(/status=suspended/);
  await expect(page.locator("[data-test=provider-card]")).toHaveCount(1);
  await expect(providers.card("Linode edge")).toBeVisible();
  await providers.goto("?q=zzz-nothing");
  await expect(page.getByText("No providers match")).toBeVisible();

  // Every provider's detail page, then the audit log.
  const rows = await sql<{ id: string; name: string }[]>`
    select p.id, p.name from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`;
  for (const row of rows) {
    await page.goto(`/orgs/${slug}/providers/${row.id}`);
    await expect(page.getByRole("heading", { level: 1, name: row.name })).toBeVisible();
    await snapshot();
  }
  await page.goto(`/orgs/${slug}/audit`);
  const audit = page.locator("[data-test=audit-table]");
  await expect(audit).toContainText("rotated credentials");
  await expect(audit).toContainText("suspended provider");
  await expect(audit).toContainText("deleted provider");
  await expect(page.locator("[data-test=audit-row][data-action='provider.created']")).toHaveCount(8);
  await snapshot();
  await page.getByRole("combobox", { name: "Action" }).click();
  await page.getByRole("option", { name: "Deleted provider" }).click();
  await expect(page).toHaveURL(/action=provider\.deleted/);
  await expect(page.locator("[data-test=audit-row]")).toHaveCount(1);
  await expect(page.locator("[data-test=audit-row]")).toContainText("Vultr batch");
  // A deleted provider has no page to link to.
  await expect(page.locator("[data-test=audit-row]").getByRole("link")).toHaveCount(0);

  const canaries = Object.values(CANARY);
  const responses = await traffic.responses();
  // The recorder saw the secrets go out, and the server actions' answers come back: it can find a leak.
  expect(traffic.requests.some(({ text }) => text.includes(CANARY.aws))).toBe(true);
  expect(traffic.requests.some(({ text }) => text.includes(CANARY.rotated))).toBe(true);
  expect(traffic.actionResponses.length).toBeGreaterThanOrEqual(12);
  expect(responses.some(({ text }) => text.includes("AKIA…0009"))).toBe(true);

  expect(leaksOf(responses, canaries), "network responses").toEqual([]);
  expect(leaksOf(html, canaries), "page HTML").toEqual([]);

  const serverLog = await readFile(process.env.E2E_SERVER_LOG!, "utf8");
  expect(serverLog.length).toBeGreaterThan(0);
  expect(leaksOf([{ url: "server log", text: serverLog }], canaries)).toEqual([]);

  const auditRows = await sql<{ row: string }[]>`
    select a::text as row from public.audit_events a join public.organizations o on o.id = a.organization_id where o.slug = ${slug}`;
  expect(auditRows.length).toBeGreaterThanOrEqual(12);
  expect(
    leaksOf(
      auditRows.map(({ row }) => ({ url: "audit_events", text: row })),
      canaries,
    ),
  ).toEqual([]);

  // Stored credentials are ciphertext.
  const stored = await sql<{ row: string }[]>`
    select p.credentials::text as row from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug}`;
  expect(stored).toHaveLength(7);
  expect(
    leaksOf(
      stored.map(({ row }) => ({ url: "cloud_providers.credentials", text: row })),
      canaries,
    ),
  ).toEqual([]);
});

test("a viewer sees no write controls, and a forged server-action call as viewer is refused", async ({ page, browser, consoleErrors }) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "forge");
  const providers = new ProvidersPage(page, slug);
  const sample: ProviderSample = {
    kind: "aws",
    name: "Shared AWS",
    variant: /^Access keys/,
    fields: { "Access key ID": "AKIAIOSFODNN7FORGE01", "Secret access key": awsSecret("FORGEsecret") },
    canaries: [],
  };
  await providers.add(sample);

  // Capture the admin's real suspend request, then resume so the replay would change something.
  const captured = page.waitForRequest((request) => request.method() === "POST" && Boolean(request.headers()["next-action"]));
  await providers.suspend(sample.name);
  const suspendRequest = await captured;
  const forged = {
    url: suspendRequest.url(),
    body: suspendRequest.postData() ?? "",
    headers: Object.fromEntries(
      Object.entries(suspendRequest.headers()).filter(([name]) =>
        ["next-action", "next-router-state-tree", "content-type", "accept"].includes(name),
      ),
    ),
  };
  expect(forged.headers["next-action"]).toBeTruthy();
  expect(forged.body).toContain('"suspended":true');
  await providers.cardAction(sample.name, "Resume");
  await page.getByRole("alertdialog").getByRole("button", { name: "Resume" }).click();
  await expect(providers.card(sample.name).locator("[data-test=provider-status]")).toHaveText("Pending");

  // A second user, made a viewer straight in the database.
  const viewerContext = await browser.newContext();
  const viewerPage = await viewerContext.newPage();
  const viewerEmail = uniqueEmail("viewer");
  await new SignUpPage(viewerPage).goto();
  await new SignUpPage(viewerPage).submit(viewerEmail, PASSWORD);
  await expect(viewerPage).toHaveURL(/\/onboarding$/);
  const { id: providerId } = firstRow(
    await sql<{ id: string }[]>`
    select p.id from public.cloud_providers p join public.organizations o on o.id = p.organization_id where o.slug = ${slug} and p.name = ${sample.name}`,
  );
  // Not a member yet: the provider's page does not exist for them (and Chromium logs the 404).
  consoleErrors.allow(/Failed to load resource: the server responded with a status of 404/);
  const outsider = await viewerPage.goto(`/orgs/${slug}/providers/${providerId}`);
  expect(outsider?.status()).toBe(404);
  await expect(viewerPage.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  await sql`
    insert into public.organization_members (organization_id, user_id, role)
    select o.id, u.id, 'viewer' from public.organizations o, auth.users u where o.slug = ${slug} and u.email = ${viewerEmail}`;

  const asViewer = new ProvidersPage(viewerPage, slug);
  await asViewer.goto();
  await expect(asViewer.card(sample.name)).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: /Add provider|Add your first provider/ })).toHaveCount(0);
  await expect(asViewer.cardMenus()).toHaveCount(0);
  await asViewer.card(sample.name).getByRole("link", { name: sample.name }).click();
  await expect(viewerPage.getByRole("heading", { level: 1, name: sample.name })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: /Edit|Rotate credentials|More actions/ })).toHaveCount(0);
  await expect(viewerPage.getByRole("link", { name: "View audit log" })).toHaveCount(0);
  await viewerPage.goto(`/orgs/${slug}/audit`);
  await expect(viewerPage.getByText("Only admins can see the audit log")).toBeVisible();
  await expect(viewerPage.locator("[data-test=audit-table]")).toHaveCount(0);

  // A provider id under another organization's URL is not found, even for a member of its own.
  await viewerPage.goto("/onboarding");
  const viewerSlug = `viewer-own-${Date.now().toString(36)}`;
  await new OnboardingPage(viewerPage).createOrganization("Viewer's own", viewerSlug);
  await expect(viewerPage).toHaveURL(new RegExp(`/orgs/${viewerSlug}/providers$`));
  const crossed = await viewerPage.goto(`/orgs/${viewerSlug}/providers/${providerId}`);
  expect(crossed?.status()).toBe(404);
  await expect(viewerPage.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  await viewerPage.goto(`/orgs/${slug}/providers`);

  const before = await sql<
    { status: string; updated_at: Date }[]
  >`select status, updated_at from public.cloud_providers where id = ${providerId}`;
  const auditBefore = await sql<
    { n: number }[]
  >`select count(*)::int as n from public.audit_events a join public.organizations o on o.id = a.organization_id where o.slug = ${slug}`;

  // The exact request the admin's browser sent, replayed with the viewer's session.
  const reply = await viewerPage.evaluate(async ({ url, body, headers }) => {
    const response = await fetch(url, { method: "POST", headers, body });
    return { status: response.status, text: await response.text() };
  }, forged);
  expect(reply.text).toContain("This needs the admin role or above; you are viewer.");
  expect(reply.text).toContain('"ok":false');

  const after = await sql<
    { status: string; updated_at: Date }[]
  >`select status, updated_at from public.cloud_providers where id = ${providerId}`;
  expect(after).toEqual(before);
  expect(firstRow(after).status).toBe("pending");
  const auditAfter = await sql<
    { n: number }[]
  >`select count(*)::int as n from public.audit_events a join public.organizations o on o.id = a.organization_id where o.slug = ${slug}`;
  expect(firstRow(auditAfter).n).toBe(firstRow(auditBefore).n);

  // The same replay from the admin still works: the refusal was about the role, not a stale request.
  const adminReply = await page.evaluate(
    async ({ url, body, headers }) => (await fetch(url, { method: "POST", headers, body })).text(),
    forged,
  );
  expect(adminReply).toContain('"ok":true');
  await viewerContext.close();
});

test("validation errors appear next to the field, and nothing is saved", async ({ page }) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "valid");
  const providers = new ProvidersPage(page, slug);
  const dialog = providers.dialog;
  const actions: string[] = [];
  page.on("request", (request) => request.headers()["next-action"] && actions.push(request.url()));

  // A secret of the wrong length is caught in the credentials step, before anything is sent.
  await providers.openAddDialog();
  await dialog.chooseKind("aws");
  await dialog.fillDetails({ name: "Prod AWS", endpoint: "http://sts.internal.example.test" });
  await dialog.next();
  await dialog.fillCredentials({
    variant: /^Access keys/,
    fields: { "Access key ID": "AKIAIOSFODNN7VALID01", "Secret access key": "wJalrXUtnFEMI/K7MDENG/tooShort" },
  });
  await dialog.next();
  const secretError = await dialog.fieldError("Secret access key");
  await expect(secretError).toHaveText(/exactly 40 characters/);
  await expect(dialog.field("Secret access key")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.field("Secret access key")).toBeFocused();
  expect(actions).toEqual([]);

  // The server's own refusal (this organization does not allow http endpoints) lands next to the
  // endpoint, on the step that holds it.
  await dialog.field("Secret access key").fill(awsSecret("validSECRET"));
  await dialog.next();
  await dialog.save();
  const endpointError = await dialog.fieldError("API endpoint");
  await expect(endpointError).toHaveText(/must use https:\/\//);
  await expect(dialog.root).toContainText("Step 2 of 4");
  expect(actions).toHaveLength(1);
  expect(await providerCount(slug)).toBe(0);

  await dialog.field("API endpoint").fill("");
  await dialog.next();
  await dialog.next();
  await dialog.save();
  await expect(dialog.root).toBeHidden();
  await expect(providers.card("Prod AWS")).toBeVisible();
  expect(await providerCount(slug)).toBe(1);

  // The same access key again: refused as a duplicate, naming the provider that has it.
  await providers.openAddDialog();
  await dialog.chooseKind("aws");
  await dialog.fillDetails({ name: "Second AWS" });
  await dialog.next();
  await dialog.fillCredentials({
    variant: /^Access keys/,
    fields: { "Access key ID": "AKIAIOSFODNN7VALID01", "Secret access key": awsSecret(CANARY.duplicate) },
  });
  await dialog.next();
  await dialog.save();
  const duplicate = dialog.root.locator("[data-test=credentials-error]");
  await expect(duplicate).toHaveText(/Already connected as "Prod AWS"/);
  await expect(dialog.root).toContainText("Step 3 of 4");
  expect(await providerCount(slug)).toBe(1);
});

test("an unfinished draft keeps its non-secret fields, never its secrets", async ({ page }) => {
  const { slug } = await adminWithOrganization(page, "draft");
  const providers = new ProvidersPage(page, slug);
  const dialog = providers.dialog;

  await providers.openAddDialog();
  await dialog.chooseKind("s3_compatible");
  await dialog.fillDetails({ name: "Draft MinIO", endpoint: "https://minio.draft.example.test" });
  await dialog.next();
  await dialog.fillCredentials({ fields: { "Access key": "draft-access", "Secret key": CANARY.draft } });
  await dialog.close();

  const stored = await page.evaluate(() => JSON.stringify({ ...window.sessionStorage }));
  expect(stored).toContain("Draft MinIO");
  expect(stored).not.toContain(CANARY.draft);

  for (const reopen of ["after closing", "after a reload"]) {
    if (reopen === "after a reload") await page.reload();
    await providers.openAddDialog();
    await expect(dialog.root).toContainText("Step 3 of 4");
    await expect(dialog.field("Access key")).toHaveValue("draft-access");
    await expect(dialog.field("Secret key")).toHaveValue("");
    await dialog.back();
    await expect(dialog.field("Name")).toHaveValue("Draft MinIO");
    await expect(dialog.field("S3 endpoint")).toHaveValue("https://minio.draft.example.test");
    await dialog.next();
    await dialog.close();
  }
  expect(await page.content()).not.toContain(CANARY.draft);

  // Discarding clears it.
  await providers.openAddDialog();
  await dialog.back();
  await dialog.back();
  await dialog.root.getByRole("button", { name: "Discard draft" }).click();
  await expect(dialog.root.getByRole("radio", { checked: true })).toHaveCount(0);
  await dialog.close();
  expect(await page.evaluate(() => Object.keys(window.sessionStorage).filter((key) => key.includes("add-provider-draft")))).toEqual([]);
});
