// The organization's sweep status strip, rendered on the server as the portal does.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, it } from "vitest";
import { SweepStatus } from "../../components/providers/sweep-status.tsx";
import type { SweepStatus as SweepStatusData } from "../../supabase/functions/_shared/domain/sweep-queries.ts";

const now = new Date("2026-11-22T12:00:00Z");
const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);
const render = (status: SweepStatusData) => renderToStaticMarkup(createElement(SweepStatus, { status, now }));
const text = (html: string) => html.replace(/<[^>]+>/g, "");

it("shows when the last sweep ran and what it found, with the organization's rule", () => {
  const html = render({
    last: { started_at: minutesAgo(4), finished_at: minutesAgo(3), checked: 1234, failed: 2 },
    interval_minutes: 15,
    failure_threshold: 2,
    next_check_at: new Date(now.getTime() + 11 * 60_000),
  });
  expect(text(html)).toContain("Last sweep 3 minutes ago: 1,234 checked, 2 failed");
  expect(text(html)).toContain("Checks run every 15 minutes; a provider is marked failed after 2 failed checks in a row.");
  expect(html).toContain(`dateTime="${minutesAgo(3).toISOString()}"`);
  expect(html).not.toContain('role="status"');
});

it("says so before the first sweep, and warns when checks are overdue", () => {
  const html = render({ last: null, interval_minutes: 60, failure_threshold: 1, next_check_at: minutesAgo(25) });
  expect(text(html)).toContain("No scheduled sweep has checked this organization yet.");
  expect(text(html)).toContain("Checks run every hour; a provider is marked failed after one failed check.");
  expect(text(html)).toContain("A check due 25 minutes ago has not run yet; the scheduled sweep may be stopped.");
});
