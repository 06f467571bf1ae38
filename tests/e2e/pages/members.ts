// Page objects for the members page and an invitation link.
import { expect, type Page } from "@playwright/test";

export class MembersPage {
  constructor(readonly page: Page) {}

  async goto(slug: string) {
    await this.page.goto(`/orgs/${slug}/members`);
    await expect(this.page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  }

  /** Invites `email` with `role` and returns the link, as copied with the Copy link button. */
  async invite(email: string, role: "Viewer" | "Member" | "Admin" | "Owner") {
    await this.page.getByRole("button", { name: "Invite member" }).click();
    const dialog = this.page.locator("[data-test=invite-member-dialog]");
    await dialog.getByLabel("Email").fill(email);
    await dialog.getByRole("combobox", { name: "Role" }).click();
    await this.page.getByRole("option", { name: role, exact: true }).click();
    await dialog.getByRole("button", { name: "Send invitation" }).click();
    const shown = dialog.locator("[data-test=invitation-url]");
    await expect(shown).toHaveText(/\/invite\/[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole("button", { name: "Copy link" }).click();
    await expect(dialog.getByRole("button", { name: "Copied" })).toBeVisible();
    const copied = await this.page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await shown.textContent());
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(dialog).toBeHidden();
    return copied;
  }

  memberRow(email: string) {
    return this.page.locator("[data-test=member-row]", { hasText: email });
  }

  invitationRow(email: string) {
    return this.page.locator("[data-test=invitation-row]", { hasText: email });
  }

  async changeRole(email: string, role: "Viewer" | "Member" | "Admin" | "Owner") {
    await this.page.getByRole("combobox", { name: `Role of ${email}` }).click();
    await this.page.getByRole("option", { name: role, exact: true }).click();
    await expect(this.page.getByText(`${email} is now ${role.toLowerCase()}`)).toBeVisible();
  }
}
