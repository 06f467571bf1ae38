// Reads behind the organization's health-sweep status strip, under the caller's RLS.
import type { Querier } from "../db.ts";
import { DomainError } from "./errors.ts";

export type LastSweep = {
  started_at: Date;
  /** When the run recorded its last check of this organization. */
  finished_at: Date;
  checked: number;
  failed: number;
};

export type SweepStatus = {
  /** The latest sweep run that checked this organization's providers; null before the first. */
  last: LastSweep | null;
  interval_minutes: number;
  failure_threshold: number;
  /** When the next provider falls due; null when none will (no providers, or all suspended). */
  next_check_at: Date | null;
};

type Row = Omit<SweepStatus, "last"> & { started_at: Date | null; finished_at: Date | null; checked: number | null; failed: number | null };

/** The last sweep as this organization sees it: its own counts only. */
export async function selectLastSweep(tx: Querier, organizationId: string): Promise<SweepStatus> {
  const [row] = await tx<Row[]>`
    select
      o.health_check_interval_minutes as interval_minutes,
      o.health_failure_threshold as failure_threshold,
      (select min(s.next_check_at) from public.provider_check_schedule s
        where s.organization_id = o.id and s.next_check_at < 'infinity') as next_check_at,
      h.started_at, h.finished_at, h.checked, h.failed
    from public.organizations o
    left join lateral (
      select h.started_at, h.finished_at, h.checked, h.failed from public.health_sweeps h
      where h.organization_id = o.id order by h.finished_at desc limit 1
    ) h on true
    where o.id = ${organizationId}`;
  if (!row) throw new DomainError("not_found", "Organization not found.");
  const { started_at, finished_at, checked, failed, ...settings } = row;
  const last = started_at && finished_at ? { started_at, finished_at, checked: checked ?? 0, failed: failed ?? 0 } : null;
  return { ...settings, last };
}
