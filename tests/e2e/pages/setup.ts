// What most browser tests start from: a database connection for looking behind the UI, and a
// freshly signed-up admin with an organization of their own.
import { expect, type Page } from "@playwright/test";
import postgres from "postgres";
import { OnboardingPage, SignUpPage, uniqueEmail } from "./auth.ts";

export const PASSWORD = "correct-horse-battery";

export function database() {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set; run through playwright.config.ts (global setup).");
  return postgres(url, { max: 2, onnotice: () => {} });
}

/** Signs a new user up and creates an organization; returns its slug and the user's email. */
export async function adminWithOrganization(page: Page, label: string) {
  const email = uniqueEmail(label);
  await new SignUpPage(page).goto();
  await new SignUpPage(page).submit(email, PASSWORD);
  await expect(page).toHaveURL(/\/onboarding$/);
  const slug = `${label}-${Date.now().toString(36)}`;
  await new OnboardingPage(page).createOrganization(`${label} org`, slug);
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/providers$`));
  return { slug, email };
}
