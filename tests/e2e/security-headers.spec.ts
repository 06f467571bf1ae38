// Security headers in a real browser: every page carries a Content-Security-Policy with a fresh
// nonce that its own scripts pass (no violation anywhere while signing up, adding a provider and
// opening it), may not be framed, and tells the browser not to sniff types or leak full referrers.
import type { Page, Response } from "@playwright/test";
import { expect, test } from "./fixtures.ts";
import { SignInPage } from "./pages/auth.ts";
import { ProvidersPage } from "./pages/providers.ts";
import { adminWithOrganization } from "./pages/setup.ts";

declare global {
  interface Window {
    cspViolations: string[];
  }
}

/** Collects every CSP violation the page reports, from its first script on. */
async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
}

function nonceOf(response: Response): string {
  const csp = response.headers()["content-security-policy"] ?? "";
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1] ?? "";
}

async function expectSecureDocument(page: Page, response: Response | null) {
  expect(response).not.toBeNull();
  const headers = response!.headers();
  const csp = headers["content-security-policy"];
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'(;|$)/);
  expect(csp).not.toContain("unsafe-eval");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Every script the server sent carries this response's nonce (what those scripts load later is
  // trusted through 'strict-dynamic').
  const nonce = nonceOf(response!);
  const scripts = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
}

test("every page carries a nonce-based CSP its scripts pass, cannot be framed, and reports no violation", async ({ page }) => {
  await watchViolations(page);
  const signIn = await page.goto("/sign-in");
  await expectSecureDocument(page, signIn);
  const first = nonceOf(signIn!);
  const again = await page.goto("/sign-in");
  expect(nonceOf(again!)).not.toBe(first);

  const { slug } = await adminWithOrganization(page, "csp");
  const providers = new ProvidersPage(page, slug);
  const list = await page.goto(`/orgs/${slug}/providers`);
  await expectSecureDocument(page, list);
  await providers.addButton().click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  const settings = await page.goto(`/orgs/${slug}/settings`);
  await expectSecureDocument(page, settings);
  // A page that interacts (theme script, toasts, Radix menus) still runs under the policy.
  await page
    .getByRole("button", { name: /account menu|user menu|open user menu/i })
    .first()
    .click();
  await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
  await page.keyboard.press("Escape");
  expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
});

test("a page of Cloudkeep refuses to be shown in a frame", async ({ page, consoleErrors }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  const origin = new URL(page.url()).origin;
  // Chromium may report the refusal in the console: expected here.
  consoleErrors.allow(/frame-ancestors/);
  // The framing page is a blank one, with no policy of its own: only Cloudkeep's answer can refuse.
  await page.goto("about:blank");
  await page.setContent(`<iframe id="framed" src="${origin}/sign-in" onload="window.framedLoaded = true"></iframe>`);
  await page.waitForFunction(() => (window as unknown as { framedLoaded?: boolean }).framedLoaded === true);
  await expect(page.frameLocator("#framed").getByRole("button", { name: "Sign in" })).toHaveCount(0);
});
