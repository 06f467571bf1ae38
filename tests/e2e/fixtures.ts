// Every browser test imports `test` and `expect` from here: an automatic fixture watches every page
// the test opens (in its own context and in any context it creates) and fails the test, after it
// ran, on any console error or uncaught page error. A test that provokes one on purpose (visiting a
// page that answers 404) says so with `consoleErrors.allow(pattern)`; nothing is allowed globally.
import { test as base, expect, type BrowserContext, type ConsoleMessage, type Page } from "@playwright/test";

export type ConsoleErrors = {
  /** Errors seen so far, "<url>: <text>". */
  readonly seen: string[];
  /** Declares an expected console error (matched against its text) for the rest of the test. */
  allow(pattern: RegExp): void;
};

export const test = base.extend<{ consoleErrors: ConsoleErrors }>({
  consoleErrors: [
    async ({ context, browser }, use) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];
      const record = (page: Page, text: string) => {
        if (!allowed.some((pattern) => pattern.test(text))) seen.push(`${page.url()}: ${text}`);
      };
      const watch = (page: Page) => {
        page.on("console", (message: ConsoleMessage) => {
          // A failed load names the resource in its location, not in its text.
          const source = message.location().url;
          if (message.type() === "error") record(page, source && source !== page.url() ? `${message.text()} (${source})` : message.text());
        });
        page.on("pageerror", (error) => record(page, `uncaught ${error.name}: ${error.message}`));
      };
      const watchContext = (watched: BrowserContext) => {
        watched.pages().forEach(watch);
        watched.on("page", watch);
      };
      watchContext(context);
      // Contexts a test makes itself (a second user) are watched too.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args: Parameters<typeof newContext>) => {
        const created = await newContext(...args);
        watchContext(created);
        return created;
      };
      // (Playwright resumes here after the test, whether it passed or failed.)
      await use({ seen, allow: (pattern) => allowed.push(pattern) });
      browser.newContext = newContext;
      expect(seen, "console errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
