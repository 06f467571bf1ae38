-- Federation tokens (issue 14) are audited one row per token issued, mostly by the scheduled
-- sweep. Like the sweeper's own credential reads, those rows leave after 90 days (counted with
-- credential_reads); what a person caused is kept. Otherwise prune_history is as in 20261122001500.

create index audit_events_token_issued_idx on public.audit_events (created_at)
  where action = 'oidc.token_issued' and actor_id is null;

create or replace function private.prune_history(batch integer default 5000)
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
    where e.actor_id is null
      and ((e.action = 'provider.credentials_read' and e.metadata ->> 'purpose' = 'scheduled_health_check')
           or e.action = 'oidc.token_issued')
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
