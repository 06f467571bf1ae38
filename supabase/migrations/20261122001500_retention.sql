-- Retention for what the scheduled sweep writes without anyone asking. At the default
-- interval every provider adds, per day, a few hundred health checks and as many audit
-- events for the sweeper reading its credential; every run adds a health_sweeps row per
-- organization. Nothing ever removed them. private.prune_history() deletes, in batches, after
-- each sweep (supabase/functions/_shared/domain/after-sweep.ts):
--   provider_health_checks  older than 90 days — except each provider's latest good check,
--                           which the AWS key-age rule reads (Needs attention);
--   audit_events            only the sweeper's own credential reads (no person, purpose
--                           scheduled_health_check) older than 90 days. What people did,
--                           including every credential read a person caused, is kept;
--   health_sweeps           older than 30 days (the status strip shows the last one);
--   webhook_deliveries      delivered or given up, older than 30 days.
-- Status changes (provider_status_events), notifications and provider events are kept.

create index provider_health_checks_checked_at_idx on public.provider_health_checks (checked_at);
create index audit_events_sweeper_reads_idx on public.audit_events (created_at)
  where action = 'provider.credentials_read' and actor_id is null;
create index health_sweeps_finished_at_idx on public.health_sweeps (finished_at);

create function private.prune_history(batch integer default 5000)
returns table (health_checks bigint, credential_reads bigint, sweep_runs bigint, webhook_deliveries bigint)
language plpgsql
security definer
set search_path = ''
as $$
begin
  if batch is null or batch < 1 or batch > 100000 then
    raise exception 'batch must be between 1 and 100000' using errcode = '22023';
  end if;

  delete from public.provider_health_checks c
  where c.id in (
    select old.id from public.provider_health_checks old
    where old.checked_at < now() - interval '90 days'
      and not (old.ok and old.id = (
        select latest.id from public.provider_health_checks latest
        where latest.provider_id = old.provider_id and latest.ok
        order by latest.checked_at desc, latest.id desc
        limit 1))
    order by old.checked_at
    limit batch);
  get diagnostics health_checks = row_count;

  delete from public.audit_events a
  where a.id in (
    select e.id from public.audit_events e
    where e.action = 'provider.credentials_read' and e.actor_id is null
      and e.metadata ->> 'purpose' = 'scheduled_health_check'
      and e.created_at < now() - interval '90 days'
    order by e.created_at
    limit batch);
  get diagnostics credential_reads = row_count;

  delete from public.health_sweeps s
  where s.id in (select r.id from public.health_sweeps r where r.finished_at < now() - interval '30 days' order by r.finished_at limit batch);
  get diagnostics sweep_runs = row_count;

  delete from public.webhook_deliveries d
  where d.id in (
    select w.id from public.webhook_deliveries w
    where w.status in ('delivered', 'failed') and w.created_at < now() - interval '30 days'
    order by w.created_at
    limit batch);
  get diagnostics webhook_deliveries = row_count;

  return next;
end
$$;
revoke execute on function private.prune_history(integer) from public;
grant execute on function private.prune_history(integer) to service_role;
