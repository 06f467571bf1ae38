// What the scheduled sweep does once its checks are recorded: announce expiring and old
// credentials, deliver pending webhooks, import recent AWS activity, connect the accounts new in
// whole cloud organizations, and prune the history
// the sweep itself keeps adding (private.prune_history: what is kept how long). Each part runs on
// its own, so one failing never stops the others (or the sweep's answer); the next run
// picks up what is left.
import type { Sql } from "postgres";
import type { KeyRing } from "../crypto/index.ts";
import { asService, onlyRow } from "../db.ts";
import { discoverOnSchedule, type ScheduledDiscoveryReport } from "./cloud-organizations.ts";
import { importEventsOnSchedule } from "./provider-events.ts";
import { deliverWebhooks, type DeliveryReport } from "./webhooks.ts";

export type AfterSweepReport = {
  alerts: number | null;
  webhooks: DeliveryReport | null;
  events: { imported: number; added: number; failed: number } | null;
  discovery: ScheduledDiscoveryReport | null;
  pruned: PruneReport | null;
};

export type PruneReport = { health_checks: number; credential_reads: number; sweep_runs: number; webhook_deliveries: number };

export type AfterSweepOptions = {
  sql: Sql;
  ring: KeyRing;
  /** Limit event imports to these organizations (a sweep started for some organizations only). */
  organizationIds?: string[];
  /** Networks the operator trusts (CLOUDKEEP_TRUSTED_CIDRS); see OutboundPolicy. */
  trustedCidrs?: string[];
  /** Cloudkeep's OIDC issuer URL, for whole organizations connected by federation. */
  oidcIssuer?: string;
  log?: (line: string) => void;
};

async function part<T>(name: string, log: AfterSweepOptions["log"], run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    // The kind of failure only: its text may quote a value.
    log?.(`after-sweep: ${name} failed (${(error as { code?: string; name?: string })?.code ?? (error as Error)?.name ?? "error"})`);
    return null;
  }
}

export async function afterSweep({
  sql,
  ring,
  organizationIds,
  trustedCidrs,
  oidcIssuer,
  log,
}: AfterSweepOptions): Promise<AfterSweepReport> {
  const alerts = await part("credential alerts", log, async () => {
    const rows = await asService(sql, (tx) => tx<{ sent: number }[]>`select private.scan_credential_alerts() as sent`);
    return onlyRow(rows, "private.scan_credential_alerts()").sent;
  });
  const webhooks = await part("webhook deliveries", log, () => deliverWebhooks({ sql, ring, trustedCidrs }));
  const events = await part("AWS activity import", log, async () => {
    const result = await importEventsOnSchedule({ sql, ring, organizationIds, trustedCidrs, log });
    return { imported: result.imported, added: result.added, failed: result.failures.length };
  });
  const discovery = await part("organization discovery", log, () =>
    discoverOnSchedule({ sql, ring, trustedCidrs, oidcIssuer, organizationIds, log }),
  );
  const pruned = await part("retention", log, async () => {
    const rows = await asService(
      sql,
      (tx) => tx<PruneReport[]>`
      select health_checks::int, credential_reads::int, sweep_runs::int, webhook_deliveries::int from private.prune_history()`,
    );
    return onlyRow(rows, "private.prune_history()");
  });
  return { alerts, webhooks, events, discovery, pruned };
}
