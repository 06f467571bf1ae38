// Page object for /orgs/[slug]/tokens: the create dialog (which shows a token once), the table
// and revocation; plus calling the API the way another service would.
import { expect, type Locator, type Page } from "@playwright/test";

export type TokenSpec = { name: string; scopes: string[]; expiry?: "7 days" | "30 days" | "90 days" | "Never" };

export class TokensPage {
  constructor(
    readonly page: Page,
    readonly slug: string,
  ) {}

  async goto() {
    await this.page.goto(`/orgs/${this.slug}/tokens`);
    await expect(this.page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
  }

  createButton(): Locator {
    return this.page.getByRole("button", { name: "Create token" });
  }

  dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  /** Fills and submits the create dialog; leaves it open on the one-time token view. */
  async create(spec: TokenSpec) {
    await this.createButton().click();
    const dialog = this.dialog();
    await expect(dialog.getByRole("heading", { name: "Create an API token" })).toBeVisible();
    await dialog.getByLabel("Name").fill(spec.name);
    for (const scope of ["providers:read", "providers:write", "health:run", "resources:read"]) {
      const box = dialog.getByRole("checkbox", { name: scope });
      if (((await box.getAttribute("data-state")) === "checked") !== spec.scopes.includes(scope)) await box.click();
    }
    if (spec.expiry) {
      await dialog.getByRole("combobox", { name: "Expires" }).click();
      await this.page.getByRole("option", { name: spec.expiry }).click();
    }
    await dialog.getByRole("button", { name: "Create token" }).click();
    await expect(dialog.getByRole("heading", { name: "Copy your new token" })).toBeVisible();
    return (await dialog.locator("[data-test=new-token-value]").textContent())!.trim();
  }

  row(name: string): Locator {
    return this.page.locator("[data-test=token-row]", { hasText: name });
  }

  async revoke(name: string) {
    await this.row(name)
      .getByRole("button", { name: `Revoke ${name}` })
      .click();
    const confirm = this.page.getByRole("alertdialog");
    await expect(confirm).toContainText(`Revoke ${name}?`);
    await confirm.getByRole("button", { name: "Revoke token" }).click();
    await expect(confirm).toBeHidden();
    await expect(this.row(name).locator("[data-test=token-status]")).toHaveText("Revoked");
  }
}

/** Calls the Cloudkeep API as another service would: plain fetch with the bearer token. */
export async function callApi(path: string, token: string) {
  const base = process.env.E2E_SUPABASE_URL;
  if (!base) throw new Error("E2E_SUPABASE_URL is not set; run through playwright.config.ts (global setup).");
  const response = await fetch(`${base}/functions/v1/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}
