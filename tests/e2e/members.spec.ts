// Members and invitations in the browser: invite, accept in a second browser, change a role,
// the used link, and the last owner trying to leave.
import { expect, test } from "./fixtures.ts";
import { SignUpPage, uniqueEmail } from "./pages/auth.ts";
import { MembersPage } from "./pages/members.ts";
import { adminWithOrganization, database, PASSWORD } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
test.beforeAll(() => {
  sql = database();
});
test.afterAll(async () => {
  await sql?.end();
});

test("an admin invites by email, the invitee signs up through the copied link and joins, then gets a new role; the used link says so", async ({
  page,
  browser,
}) => {
  const { slug } = await adminWithOrganization(page, "team");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const members = new MembersPage(page);
  await members.goto(slug);

  const inviteeEmail = uniqueEmail("invitee");
  const link = await members.invite(inviteeEmail, "Member");
  await expect(members.invitationRow(inviteeEmail)).toContainText("Member");
  // Only the hash is kept: the token in the link is nowhere in the table.
  const token = new URL(link).pathname.split("/").pop()!;
  const { stored } = firstRow(
    await sql`select count(*)::int as stored from public.organization_invitations i where strpos(i::text, ${token}) > 0`,
  );
  expect(stored).toBe(0);

  // A second browser, signed out: the link says what it is for, then sign-up keeps it.
  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { name: "Join team org" })).toBeVisible();
  await expect(invitee.locator("[data-test=invitation]")).toContainText(`as a member. The invitation is for ${inviteeEmail}.`);
  await invitee.getByRole("link", { name: "Create account" }).click();
  await expect(invitee).toHaveURL(/\/sign-up\?next=%2Finvite%2F/);
  await new SignUpPage(invitee).submit(inviteeEmail, PASSWORD);
  await expect(invitee).toHaveURL(new URL(link).pathname);
  await invitee.getByRole("button", { name: "Join team org" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/orgs/${slug}/providers$`));
  await expect(invitee.getByRole("button", { name: "Switch organization" })).toContainText("team org");

  // The admin sees the new member (no longer pending) and makes them an admin.
  await page.reload();
  await expect(members.memberRow(inviteeEmail)).toBeVisible();
  await expect(members.invitationRow(inviteeEmail)).toHaveCount(0);
  await members.changeRole(inviteeEmail, "Admin");
  await page.reload();
  await expect(page.getByRole("combobox", { name: `Role of ${inviteeEmail}` })).toHaveText("Admin");
  // What the invitee notices: as an admin they may now invite people too.
  await invitee.goto(`/orgs/${slug}/members`);
  await expect(invitee.getByRole("button", { name: "Invite member" })).toBeVisible();

  // The link worked once: signed in or not, it now says it was used and what to do.
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { name: "This invitation has already been used" })).toBeVisible();
  const stranger = await browser.newPage();
  await stranger.goto(link);
  await expect(stranger.getByRole("heading", { name: "This invitation has already been used" })).toBeVisible();
  await expect(stranger.getByText("ask an admin of team org for a new invitation")).toBeVisible();
  await stranger.close();
  await inviteeContext.close();
});

test("the last owner is told why they cannot leave, and stays", async ({ page }) => {
  const { slug, email } = await adminWithOrganization(page, "solo");
  const members = new MembersPage(page);
  await members.goto(slug);
  await page.getByRole("button", { name: "Leave organization" }).click();
  const dialog = page.locator("[data-test=leave-organization-dialog]");
  await dialog.getByRole("button", { name: "Leave organization" }).click();
  await expect(dialog.getByText("You are the last owner, so you cannot leave.")).toBeVisible();
  await page.reload();
  await expect(members.memberRow(email)).toBeVisible();
});
