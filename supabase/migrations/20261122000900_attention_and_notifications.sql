-- Credentials that fail or age while nobody is looking: per-organization age thresholds,
-- in-app notifications, and a per-organization webhook with a delivery log.
--
-- Notifications are written only by security-definer functions (a provider's status
-- change, the credential-age scan); each may enqueue one webhook delivery, which the
-- delivery runner (supabase/functions/_shared/domain/webhooks.ts) sends, signed, with
-- retries. Clients read; nobody but those functions writes.

alter table public.organizations
  add column credential_warning_days integer not null default 60,
  add column credential_critical_days integer not null default 90,
  add constraint organizations_credential_age_thresholds check (
    credential_warning_days between 1 and 3650
    and credential_critical_days between 2 and 3650
    and credential_warning_days < credential_critical_days
  );
comment on column public.organizations.credential_warning_days is 'A credential this many days old (since added or last rotated) is flagged for rotation.';
comment on column public.organizations.credential_critical_days is 'A credential this many days old is flagged as critical.';
grant update (credential_warning_days, credential_critical_days) on public.organizations to authenticated;

-- ---------------------------------------------------------------------------------------
-- Notifications

create table public.notifications (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  provider_id uuid references public.cloud_providers (id) on delete cascade,
  kind text not null,
  severity text not null,
  title text not null,
  body text not null,
  -- One notification per fact: the same expiry or age bucket is announced once.
  dedupe_key text,
  created_at timestamptz not null default now(),
  constraint notifications_kind check (kind in ('provider.failed', 'provider.recovered', 'credential.expiring', 'credential.expired', 'credential.old')),
  constraint notifications_severity check (severity in ('info', 'warning', 'critical')),
  constraint notifications_dedupe unique (organization_id, dedupe_key)
);
comment on table public.notifications is 'In-app notifications per organization. Never holds a secret: names, statuses, dates and provider error messages only.';
create index notifications_org_idx on public.notifications (organization_id, created_at desc);
create index notifications_provider_idx on public.notifications (provider_id);

alter table public.notifications enable row level security;
revoke all on public.notifications from anon, authenticated;
grant select on public.notifications to authenticated;
create policy "Everyone in the organization sees its notifications"
  on public.notifications for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- ---------------------------------------------------------------------------------------
-- Webhook: one per organization. The signing secret is encrypted like a credential (the
-- delivery runner must read it to sign) and no client may select it.

create table public.organization_webhooks (
  organization_id uuid primary key references public.organizations (id) on delete cascade,
  url text not null,
  secret jsonb not null,
  secret_hint text not null,
  enabled boolean not null default true,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint organization_webhooks_url check (url ~ '^https?://' and char_length(url) <= 2048),
  constraint organization_webhooks_envelope check (jsonb_typeof(secret) = 'object' and secret ? 'ct' and secret ? 'wk')
);

alter table public.organization_webhooks enable row level security;
revoke all on public.organization_webhooks from anon, authenticated;
grant select (organization_id, url, secret_hint, enabled, created_by, created_at, updated_at) on public.organization_webhooks to authenticated;
grant insert (organization_id, url, secret, secret_hint, enabled) on public.organization_webhooks to authenticated;
grant update (url, secret, secret_hint, enabled) on public.organization_webhooks to authenticated;
grant delete on public.organization_webhooks to authenticated;

create policy "Admins see their organization's webhook"
  on public.organization_webhooks for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))));
create policy "Admins set their organization's webhook"
  on public.organization_webhooks for insert to authenticated
  with check (organization_id = any (array(select private.org_ids_with_role('admin'))));
create policy "Admins change their organization's webhook"
  on public.organization_webhooks for update to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))))
  with check (organization_id = any (array(select private.org_ids_with_role('admin'))));
create policy "Admins remove their organization's webhook"
  on public.organization_webhooks for delete to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))));

create function private.organization_webhooks_touch()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
create trigger organization_webhooks_touch before update on public.organization_webhooks
  for each row execute function private.organization_webhooks_touch();

create trigger organization_webhooks_immutable before update on public.organization_webhooks
  for each row execute function private.guard_immutable_columns('organization_id', 'created_by', 'created_at');

-- ---------------------------------------------------------------------------------------
-- Deliveries: the log admins read, and the queue the runner claims with SKIP LOCKED.

create table public.webhook_deliveries (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  notification_id bigint references public.notifications (id) on delete cascade,
  event text not null,
  url text not null,
  payload jsonb not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  leased_until timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  constraint webhook_deliveries_status check (status in ('pending', 'delivered', 'failed'))
);
create index webhook_deliveries_due_idx on public.webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_org_idx on public.webhook_deliveries (organization_id, created_at desc);
create index webhook_deliveries_notification_idx on public.webhook_deliveries (notification_id);

alter table public.webhook_deliveries enable row level security;
revoke all on public.webhook_deliveries from anon, authenticated;
grant select on public.webhook_deliveries to authenticated;
create policy "Admins read their organization's webhook deliveries"
  on public.webhook_deliveries for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))));

-- ---------------------------------------------------------------------------------------
-- Writing notifications

create function private.notify(
  org uuid, provider uuid, kind text, severity text, title text, body text, dedupe text default null
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  created bigint;
begin
  insert into public.notifications (organization_id, provider_id, kind, severity, title, body, dedupe_key)
  values (org, provider, kind, severity, title, body, dedupe)
  on conflict (organization_id, dedupe_key) do nothing
  returning id into created;
  if created is null then
    return null;
  end if;

  insert into public.webhook_deliveries (organization_id, notification_id, event, url, payload)
  select org, created, kind, w.url, jsonb_build_object(
      'id', created::text,
      'type', kind,
      'severity', severity,
      'title', title,
      'body', body,
      'created_at', now(),
      'organization', (select jsonb_build_object('id', o.id, 'slug', o.slug, 'name', o.name) from public.organizations o where o.id = org),
      'provider', (select jsonb_build_object('id', p.id, 'name', p.name, 'provider_type', p.provider_type, 'status', p.status)
                   from public.cloud_providers p where p.id = provider))
  from public.organization_webhooks w
  where w.organization_id = org and w.enabled;
  return created;
end
$$;
revoke all on function private.notify(uuid, uuid, text, text, text, text, text) from public;

-- A provider that turns failed, or recovers from failed, is announced however it happened
-- (a check now, the API, a scheduled sweep).
create function private.cloud_providers_notify_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status = 'failed' and old.status is distinct from 'failed' then
    perform private.notify(new.organization_id, new.id, 'provider.failed', 'critical',
      format('%s is failing', new.name),
      coalesce(new.last_error_message, 'The last health checks failed.'));
  elsif old.status = 'failed' and new.status = 'healthy' then
    perform private.notify(new.organization_id, new.id, 'provider.recovered', 'info',
      format('%s recovered', new.name), 'The last health check succeeded.');
  end if;
  return null;
end
$$;
create trigger cloud_providers_notify_status after update of status on public.cloud_providers
  for each row when (old.status is distinct from new.status)
  execute function private.cloud_providers_notify_status();

-- Expiring and old credentials, announced once per fact (the dedupe key names the expiry
-- date or the rotation time and the threshold crossed). Run by the scheduled sweep.
create function private.scan_credential_alerts(expiring_within interval default interval '30 days')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  p record;
  age_days integer;
  sent integer := 0;
begin
  for p in
    select c.id, c.organization_id, c.name, c.credentials_expires_at, coalesce(c.credentials_rotated_at, c.created_at) as since,
           o.credential_warning_days, o.credential_critical_days
    from public.cloud_providers c
    join public.organizations o on o.id = c.organization_id
    where c.status <> 'suspended'
      -- Only providers that can have something to announce: the sweep runs this every minute.
      and (c.credentials_expires_at <= now() + expiring_within
        or coalesce(c.credentials_rotated_at, c.created_at) <= now() - make_interval(days => o.credential_warning_days))
  loop
    if p.credentials_expires_at is not null and p.credentials_expires_at <= now() then
      sent := sent + (private.notify(p.organization_id, p.id, 'credential.expired', 'critical',
        format('The credential of %s has expired', p.name),
        format('It expired on %s. Create a new secret and rotate the credentials.', to_char(p.credentials_expires_at at time zone 'UTC', 'YYYY-MM-DD')),
        format('expired:%s:%s', p.id, p.credentials_expires_at::date)) is not null)::int;
    elsif p.credentials_expires_at is not null and p.credentials_expires_at <= now() + expiring_within then
      sent := sent + (private.notify(p.organization_id, p.id, 'credential.expiring', 'warning',
        format('The credential of %s expires soon', p.name),
        format('It expires on %s. Create a new secret before then and rotate the credentials.', to_char(p.credentials_expires_at at time zone 'UTC', 'YYYY-MM-DD')),
        format('expiring:%s:%s', p.id, p.credentials_expires_at::date)) is not null)::int;
    end if;

    age_days := floor(extract(epoch from (now() - p.since)) / 86400);
    if age_days >= p.credential_critical_days then
      sent := sent + (private.notify(p.organization_id, p.id, 'credential.old', 'critical',
        format('The credential of %s is %s days old', p.name, age_days),
        format('It is past the organization''s %s-day limit. Rotate it.', p.credential_critical_days),
        format('old:critical:%s:%s', p.id, p.since)) is not null)::int;
    elsif age_days >= p.credential_warning_days then
      sent := sent + (private.notify(p.organization_id, p.id, 'credential.old', 'warning',
        format('The credential of %s is %s days old', p.name, age_days),
        format('Rotate it before it reaches %s days.', p.credential_critical_days),
        format('old:warning:%s:%s', p.id, p.since)) is not null)::int;
    end if;
  end loop;
  return sent;
end
$$;
revoke all on function private.scan_credential_alerts(interval) from public;
grant execute on function private.scan_credential_alerts(interval) to service_role;

-- ---------------------------------------------------------------------------------------
-- The delivery runner's side: claim due deliveries (several runners never send one twice),
-- read the signing secret, record the outcome.

create function private.claim_webhook_deliveries(max_count integer default 20, lease interval default interval '2 minutes')
returns table (id bigint, organization_id uuid, event text, url text, payload jsonb, attempts integer, secret jsonb, allow_http boolean, allowed_cidrs text[])
language sql
security definer
set search_path = ''
as $$
  with due as (
    select d.id
    from public.webhook_deliveries d
    where d.status = 'pending' and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until < now())
    order by d.next_attempt_at, d.id
    limit greatest(max_count, 0)
    for update skip locked
  ), leased as (
    update public.webhook_deliveries d set leased_until = now() + lease
    from due where d.id = due.id
    returning d.id, d.organization_id, d.event, d.url, d.payload, d.attempts
  )
  select l.id, l.organization_id, l.event, l.url, l.payload, l.attempts, w.secret, o.allow_http_endpoints, o.allowed_private_cidrs::text[]
  from leased l
  join public.organizations o on o.id = l.organization_id
  left join public.organization_webhooks w on w.organization_id = l.organization_id;
$$;
revoke all on function private.claim_webhook_deliveries(integer, interval) from public;
grant execute on function private.claim_webhook_deliveries(integer, interval) to service_role;

create function private.finish_webhook_delivery(
  delivery bigint, ok boolean, status_code integer, error text, retry_in interval, max_attempts integer default 6
)
returns text
language sql
security definer
set search_path = ''
as $$
  update public.webhook_deliveries set
    attempts = attempts + 1,
    leased_until = null,
    last_status_code = status_code,
    last_error = left(error, 500),
    status = case when ok then 'delivered' when attempts + 1 >= max_attempts then 'failed' else 'pending' end,
    delivered_at = case when ok then now() end,
    next_attempt_at = case when ok then next_attempt_at else now() + retry_in end
  where id = delivery
  returning status;
$$;
revoke all on function private.finish_webhook_delivery(bigint, boolean, integer, text, interval, integer) from public;
grant execute on function private.finish_webhook_delivery(bigint, boolean, integer, text, interval, integer) to service_role;

-- The audit trail of webhook configuration (never the secret: its hint only).
create function private.organization_webhooks_audit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    update public.webhook_deliveries set status = 'failed', last_error = 'The webhook was removed.', leased_until = null
    where organization_id = old.organization_id and status = 'pending';
    -- Skipped when the organization itself is being deleted (its log goes with it).
    if exists (select 1 from public.organizations where id = old.organization_id) then
      perform private.record_audit_event(old.organization_id, 'webhook.removed', 'webhook', null, old.url, '{}'::jsonb);
    end if;
    return old;
  end if;
  -- keys:rotate re-wraps the data key without changing the secret: nothing to record.
  if tg_op = 'UPDATE' and new.url = old.url and new.enabled = old.enabled and new.secret_hint = old.secret_hint
     and new.secret ->> 'ct' = old.secret ->> 'ct' then
    return new;
  end if;
  perform private.record_audit_event(new.organization_id,
    case when tg_op = 'INSERT' then 'webhook.created'
         when new.secret is distinct from old.secret then 'webhook.secret_rotated'
         else 'webhook.updated' end,
    'webhook', null, new.url, jsonb_build_object('enabled', new.enabled, 'secret_hint', new.secret_hint));
  return new;
end
$$;
create trigger organization_webhooks_audit after insert or update or delete on public.organization_webhooks
  for each row execute function private.organization_webhooks_audit();

-- Settings that widen where Cloudkeep may send credentials (plain http, private networks)
-- are security decisions: record who changed what, old and new values (none is secret).
create function private.organizations_audit_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed jsonb;
begin
  select coalesce(jsonb_object_agg(n.key, jsonb_build_object('from', to_jsonb(old) -> n.key, 'to', n.value)), '{}') into changed
  from jsonb_each(to_jsonb(new)) n
  where n.key not in ('id', 'created_at', 'updated_at', 'created_by') and n.value is distinct from (to_jsonb(old) -> n.key);
  if changed <> '{}'::jsonb then
    perform private.record_audit_event(new.id, 'organization.settings_updated', 'organization', new.id, new.name, jsonb_build_object('changed', changed));
  end if;
  return null;
end
$$;
create trigger organizations_audit_settings after update on public.organizations
  for each row execute function private.organizations_audit_settings();
