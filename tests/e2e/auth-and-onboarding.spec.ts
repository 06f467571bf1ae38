import { expect, test } from "./fixtures.ts";
import { AppShellPage, OnboardingPage, SignInPage, SignUpPage, uniqueEmail } from "./pages/auth.ts";

const PASSWORD = "correct-horse-battery";

test("a new user signs up, creates an organization and lands on its providers", async ({ page }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.submit(uniqueEmail("founder"), PASSWORD);
  await expect(page).toHaveURL(/\/onboarding$/);

  const slug = `acme-${Date.now().toString(36)}`;
  await new OnboardingPage(page).createOrganization("Acme Platform", slug);
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/providers$`));
  await expect(page.getByRole("heading", { name: "Providers", exact: true })).toBeVisible();
  await expect(page.getByText("No providers yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Switch organization" })).toContainText("Acme Platform");
});

test("sign-out ends the session, and a protected URL comes back after sign-in", async ({ page }) => {
  const email = uniqueEmail("returning");
  await new SignUpPage(page).goto();
  await new SignUpPage(page).submit(email, PASSWORD);
  const slug = `ret-${Date.now().toString(36)}`;
  await new OnboardingPage(page).createOrganization("Returning Co", slug);
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/providers$`));

  await new AppShellPage(page).signOut();
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.goto(`/orgs/${slug}/members`);
  await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=${encodeURIComponent(`/orgs/${slug}/members`)}`));
  await new SignInPage(page).submit(email, PASSWORD);
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/members$`));
  await expect(page.getByRole("cell", { name: new RegExp(email) })).toBeVisible();
});

test("forms explain what is wrong next to the field", async ({ page }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.submit("not-an-email", "short");
  await expect(page.locator("#email-error")).toHaveText(/valid email address/);
  await expect(page.locator("#password-error")).toHaveText(/at least 8 characters/);
  await expect(page.getByLabel("Email")).toHaveValue("not-an-email");

  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.submit(uniqueEmail("nobody"), "wrong-password-1");
  await expect(page.locator("#password-error")).toHaveText("Incorrect email or password.");
});

test("an open redirect in ?next= is ignored", async ({ page }) => {
  const email = uniqueEmail("redirect");
  await new SignUpPage(page).goto();
  await new SignUpPage(page).submit(email, PASSWORD);
  await expect(page).toHaveURL(/\/onboarding$/);
  await page.context().clearCookies();
  await new SignInPage(page).goto("//evil.example/steal");
  await new SignInPage(page).submit(email, PASSWORD);
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/onboarding$/);
});
