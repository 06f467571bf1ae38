-- Two token-cloud providers (DigitalOcean, Linode, Vultr) can be added with different
-- tokens of the same account: the account is unknown until the first good check. The second
-- one's check then hit the unique (provider_type, account_identifier, organization_id)
-- constraint, recorded nothing, and left the provider pending with an error in the sweep log.
-- Now that check is recorded as a failure naming the provider that already holds the
-- account. Otherwise record_health_check is as in 20261122001100.

create or replace function private.record_health_check(
  provider uuid, ok boolean, latency_ms integer, identity jsonb, error_code text, error_message text, error_hint text, trigger text
)
returns public.provider_health_checks
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_live_access(provider);
  kind text := coalesce(trigger, 'manual');
  scheduled boolean := kind = 'scheduled';
  recorded public.provider_health_checks;
  streak integer;
  threshold integer;
  learned text := case when ok then identity ->> 'account' end;
  already text;
begin
  if scheduled and (select auth.role()) is distinct from 'service_role' then
    raise exception 'Only the scheduled sweep records scheduled checks' using errcode = '42501';
  end if;
  -- A token cloud's account is learned from its first good check. If another provider of
  -- this organization already holds that account, the check is a failure that says so,
  -- instead of a unique violation that records nothing.
  if learned is not null then
    select other.name into already
    from public.cloud_providers me
    join public.cloud_providers other
      on other.organization_id = me.organization_id and other.provider_type = me.provider_type
     and other.account_identifier = learned and other.id <> me.id
    where me.id = provider and me.account_identifier is null
    limit 1;
    if already is not null then
      ok := false;
      error_code := 'duplicate_account';
      error_message := format('These credentials reach the same account as "%s", which is already connected.', already);
      error_hint := format('Keep one of the two: delete this provider, or rotate its credentials to another account. "%s" is unchanged.', already);
    end if;
  end if;
  insert into public.provider_health_checks (organization_id, provider_id, ok, latency_ms, identity, error_code, error_message, error_hint, trigger, triggered_by)
  values (org, provider, ok, latency_ms, identity, error_code, left(error_message, 1000), left(error_hint, 1000), kind, (select auth.uid()))
  returning * into recorded;

  update public.provider_check_schedule s set
    consecutive_failures = case when ok then 0 else s.consecutive_failures + 1 end,
    leased_by = case when scheduled then null else s.leased_by end,
    leased_until = case when scheduled then null else s.leased_until end
  where s.provider_id = provider
  returning s.consecutive_failures into streak;
  select o.health_failure_threshold into threshold from public.organizations o where o.id = org;

  update public.cloud_providers p set
    status = case
      when p.status = 'suspended' then p.status
      when ok then 'healthy'::public.provider_status
      when not scheduled or coalesce(streak, 1) >= threshold then 'failed'::public.provider_status
      else p.status
    end,
    last_checked_at = recorded.checked_at,
    last_error_code = case when ok then null else error_code end,
    last_error_message = case when ok then null else left(error_message, 1000) end,
    -- Token clouds learn their account only from a check; keep the first one learned.
    account_identifier = coalesce(p.account_identifier, case when ok then identity ->> 'account' end)
  where p.id = provider;
  return recorded;
end
$$;
revoke execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) from public;
grant execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) to authenticated, service_role;
