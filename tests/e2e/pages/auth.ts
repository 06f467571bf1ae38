// Page objects for signing up, signing in and creating the first organization.
import { expect, type Page } from "@playwright/test";

export class SignUpPage {
  constructor(readonly page: Page) {}
  async goto() {
    await this.page.goto("/sign-up");
  }
  async submit(email: string, password: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Create account" }).click();
  }
}

export class SignInPage {
  constructor(readonly page: Page) {}
  async goto(next?: string) {
    await this.page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
  }
  async submit(email: string, password: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
}

export class OnboardingPage {
  constructor(readonly page: Page) {}
  async createOrganization(name: string, slug?: string) {
    await expect(this.page.getByRole("heading", { name: /Create your organization|Create another organization/ })).toBeVisible();
    await this.page.getByLabel("Organization name").fill(name);
    if (slug) await this.page.getByLabel("URL name").fill(slug);
    await this.page.getByRole("button", { name: "Create organization" }).click();
  }
}

export class AppShellPage {
  constructor(readonly page: Page) {}
  async signOut() {
    await this.page
      .getByRole("button", { name: /account menu|user menu|open user menu/i })
      .first()
      .click();
    await this.page.getByRole("menuitem", { name: "Sign out" }).click();
  }
}

export function uniqueEmail(label: string) {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@example.test`;
}
