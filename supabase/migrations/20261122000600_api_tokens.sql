-- API tokens: organization-scoped credentials for services that call the HTTP API.
--
-- A token is `ck_` + 43 base62 characters (256 bits from a CSPRNG), made by the server and
-- shown once. Only its SHA-256 is stored, and no client role may select even that. The API
-- function looks the hash up through private.authenticate_api_token() (service role only)
-- and then runs the request under RLS with claims of its own making:
--
--   { "sub": <the token's creator>, "role": "authenticated", "ck_token": { "id": <token id> } }
--
-- `sub` keeps every existing policy, trigger and foreign key working (created_by, actor_id,
-- triggered_by all name a real user). The `ck_token` claim only ever narrows: with it,
-- private.org_ids_with_role() answers for the token's organization alone, and only up to the
-- role its scopes imply (providers:write → admin, health:run or resources:read → member,
-- providers:read alone → viewer), and never above the creator's current role. So a token acts at most with
-- min(creator's role now, its scopes' role), inside one organization. A user's own JWT never
-- carries `ck_token` (GoTrue does not mint top-level custom claims), and carrying it could
-- only take rights away.

create table public.api_tokens (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  scopes text[] not null,
  token_hash text not null,
  token_prefix text not null,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint api_tokens_name_length check (char_length(btrim(name)) between 1 and 80),
  constraint api_tokens_scopes check (
    cardinality(scopes) between 1 and 4
    and scopes <@ array['providers:read', 'providers:write', 'health:run', 'resources:read']
  ),
  constraint api_tokens_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  constraint api_tokens_prefix_format check (token_prefix ~ '^ck_[A-Za-z0-9]{8}$'),
  constraint api_tokens_expiry check (expires_at is null or expires_at > created_at)
);
comment on table public.api_tokens is 'Organization API tokens for other services. The token itself is never stored; see token_hash.';
comment on column public.api_tokens.scopes is 'What the token may do: providers:read, providers:write, health:run, resources:read.';
comment on column public.api_tokens.token_hash is 'Hex SHA-256 of the whole token. No client role may select it; only private.authenticate_api_token() compares against it.';
comment on column public.api_tokens.token_prefix is 'ck_ and the first 8 characters after it, to recognise a token in lists (the remaining 35 characters still carry over 200 bits).';
comment on column public.api_tokens.last_used_at is 'Set on every request the token authenticates.';
comment on column public.api_tokens.created_by is 'The admin who created it. The token never has more rights than this user has now, and stops working if they leave the organization.';

-- Authentication looks tokens up by hash; lists go by organization, newest first.
create unique index api_tokens_token_hash_key on public.api_tokens (token_hash);
create index api_tokens_org_idx on public.api_tokens (organization_id, created_at desc);
create index api_tokens_created_by_idx on public.api_tokens (created_by);

alter table public.api_tokens enable row level security;

-- The highest organization role a set of scopes implies: the least role that can do all they
-- allow. providers:write writes as an admin; health:run runs checks and resources:read reads
-- account activity, both member-level; providers:read alone stays a viewer, so a path that
-- forgot its scope check could still neither decrypt a credential nor write anything.
create function private.api_token_role(scopes text[])
returns public.org_role
language sql
immutable
set search_path = ''
as $$
  select case
    when 'providers:write' = any (scopes) then 'admin'::public.org_role
    when scopes && array['health:run', 'resources:read'] then 'member'::public.org_role
    else 'viewer'::public.org_role
  end
$$;

-- Whether the current request runs on an API token's claims (see the top of this file).
create function private.acting_as_api_token()
returns boolean
language sql
stable
set search_path = ''
as $$
  select (select auth.jwt()) -> 'ck_token' is not null
$$;
grant execute on function private.acting_as_api_token() to authenticated, service_role;

-- The organizations the caller belongs to with at least `min_role` — now also narrowed to
-- an API token's organization and scopes when the request carries one. The token row is
-- re-read here (not trusted from the claim), so a token revoked or expired mid-request
-- loses its rights at the next statement.
create or replace function private.org_ids_with_role(min_role public.org_role)
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.organization_id
  from public.organization_members m
  where m.user_id = (select auth.uid())
    and m.role >= min_role
    and (
      not (select private.acting_as_api_token())
      or m.organization_id = (
        select t.organization_id
        from public.api_tokens t
        where t.id = (select nullif((select auth.jwt()) -> 'ck_token' ->> 'id', '')::uuid)
          and t.created_by = m.user_id
          and t.revoked_at is null
          and (t.expires_at is null or t.expires_at > now())
          and private.api_token_role(t.scopes) >= min_role
      )
    )
$$;

-- Keeps clients honest: the creator is the caller, a new token is neither used nor revoked,
-- scopes are stored once each in the order the API lists them, and a revocation is final
-- and timed by the database.
create function private.api_tokens_before_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if current_user in ('authenticated', 'anon') then
      new.created_by := (select auth.uid());
      new.created_at := now();
      new.last_used_at := null;
      new.revoked_at := null;
    end if;
    -- Unknown scopes are kept (last) for the check constraint to refuse, never dropped.
    new.scopes := array(
      select s from unnest(new.scopes) s group by s
      order by array_position(array['providers:read', 'providers:write', 'health:run', 'resources:read'], s) nulls last, s
    );
    return new;
  end if;
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'A revoked token stays revoked' using errcode = '42501';
  end if;
  if old.revoked_at is null and new.revoked_at is not null and current_user in ('authenticated', 'anon') then
    new.revoked_at := now();
  end if;
  return new;
end
$$;
create trigger api_tokens_before_write before insert or update on public.api_tokens
  for each row execute function private.api_tokens_before_write();

create trigger api_tokens_immutable before update on public.api_tokens
  for each row execute function private.guard_immutable_columns(
    'id', 'organization_id', 'name', 'scopes', 'token_hash', 'token_prefix', 'expires_at', 'created_by', 'created_at');

-- Rights: clients read everything but the hash, create, and revoke (set revoked_at); nobody
-- but the service deletes, so a revoked token stays listed with its history.
revoke all on public.api_tokens from anon, authenticated;
grant select (id, organization_id, name, scopes, token_prefix, expires_at, last_used_at, revoked_at, created_by, created_at)
  on public.api_tokens to authenticated;
grant insert (organization_id, name, scopes, token_hash, token_prefix, expires_at) on public.api_tokens to authenticated;
grant update (revoked_at) on public.api_tokens to authenticated;

-- Tokens are managed by people: a request made with an API token cannot list, mint or
-- revoke tokens, whatever its scopes.
create policy "Admins can view their organization's API tokens"
  on public.api_tokens for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))) and not (select private.acting_as_api_token()));

create policy "Admins can create API tokens in their organization"
  on public.api_tokens for insert to authenticated
  with check (organization_id = any (array(select private.org_ids_with_role('admin'))) and not (select private.acting_as_api_token()));

create policy "Admins can revoke their organization's API tokens"
  on public.api_tokens for update to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))) and not (select private.acting_as_api_token()))
  with check (organization_id = any (array(select private.org_ids_with_role('admin'))) and not (select private.acting_as_api_token()));

-- Audit: who acted through which token ------------------------------------------------------

alter table public.audit_events
  add column actor_token_id uuid references public.api_tokens (id) on delete set null;
comment on column public.audit_events.actor_token_id is 'The API token that made the request, if one did; actor_id is then the user who created that token.';
create index audit_events_actor_token_idx on public.audit_events (actor_token_id) where actor_token_id is not null;
comment on column public.audit_events.actor_email is 'Who acted, as the log shows it: the user''s email, or for a request made with an API token, API token "<name>" (ck_…).';

-- Appends one event as the current caller. For a request made with an API token, the event
-- names the token (actor_token_id, and a readable label where the log shows the actor) and
-- keeps its creator as actor_id.
create or replace function private.record_audit_event(
  org uuid, action text, target_type text, target_id uuid, target_name text, metadata jsonb default '{}'
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.audit_events (organization_id, actor_id, actor_email, actor_token_id, action, target_type, target_id, target_name, metadata)
  select
    org,
    (select auth.uid()),
    case
      when t.id is not null then format('API token "%s" (%s…)', t.name, t.token_prefix)
      else nullif((select auth.jwt()) ->> 'email', '')
    end,
    t.id,
    action, target_type, target_id, target_name, coalesce(metadata, '{}')
  from (select nullif((select auth.jwt()) -> 'ck_token' ->> 'id', '')::uuid as token_id) claim
  left join public.api_tokens t on t.id = claim.token_id
$$;

-- Creating and revoking a token are recorded; the hash never is (the prefix is not secret).
create function private.audit_api_token_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.record_audit_event(new.organization_id, 'api_token.created', 'api_token', new.id, new.name,
      jsonb_build_object('scopes', to_jsonb(new.scopes), 'expires_at', new.expires_at, 'token_prefix', new.token_prefix));
  elsif old.revoked_at is null and new.revoked_at is not null then
    perform private.record_audit_event(new.organization_id, 'api_token.revoked', 'api_token', new.id, new.name,
      jsonb_build_object('token_prefix', new.token_prefix));
  end if;
  return new;
end
$$;
create trigger api_tokens_audit after insert or update on public.api_tokens
  for each row execute function private.audit_api_token_change();

-- Authentication -----------------------------------------------------------------------------

-- Finds the token with this hash and says whether it may be used. On success it stamps
-- last_used_at and records an `api_token.used` audit event on the token's first use and then
-- at most once an hour per token (last_used_at carries the exact time; an event per request
-- would bury everything else in the log). Refusals return a reason and change nothing.
--
-- The lookup is an equality match on the SHA-256 of a 256-bit random secret. Timing can at
-- most reveal how much of a stored hash a guess's hash shares, which does not help find a
-- token (that needs a preimage), so no constant-time comparison is needed here.
create function private.authenticate_api_token(hash text)
returns table (token_id uuid, organization_id uuid, organization_slug text, scopes text[], created_by uuid, refusal text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  tok public.api_tokens;
  slug text;
  caller_claims text := current_setting('request.jwt.claims', true);
begin
  -- The row lock makes concurrent first uses record one event, not several.
  select * into tok from public.api_tokens t where t.token_hash = hash for no key update;
  if not found then
    return query select null::uuid, null::uuid, null::text, null::text[], null::uuid, 'unknown';
    return;
  end if;
  if tok.revoked_at is not null then
    return query select tok.id, tok.organization_id, null::text, null::text[], null::uuid, 'revoked';
    return;
  end if;
  if tok.expires_at is not null and tok.expires_at <= now() then
    return query select tok.id, tok.organization_id, null::text, null::text[], null::uuid, 'expired';
    return;
  end if;
  if tok.created_by is null or not exists (
    select 1 from public.organization_members m where m.organization_id = tok.organization_id and m.user_id = tok.created_by
  ) then
    return query select tok.id, tok.organization_id, null::text, null::text[], null::uuid, 'creator_left';
    return;
  end if;

  update public.api_tokens t set last_used_at = now() where t.id = tok.id;
  if tok.last_used_at is null or tok.last_used_at < now() - interval '1 hour' then
    -- Record the event as the token itself, exactly as a request it makes would.
    perform set_config('request.jwt.claims',
      jsonb_build_object('sub', tok.created_by, 'role', 'authenticated', 'ck_token', jsonb_build_object('id', tok.id))::text, true);
    perform private.record_audit_event(tok.organization_id, 'api_token.used', 'api_token', tok.id, tok.name,
      jsonb_build_object('first_use', tok.last_used_at is null));
    perform set_config('request.jwt.claims', coalesce(caller_claims, ''), true);
  end if;

  select o.slug into slug from public.organizations o where o.id = tok.organization_id;
  return query select tok.id, tok.organization_id, slug, tok.scopes, tok.created_by, null::text;
end
$$;
revoke execute on function private.authenticate_api_token(text) from public;
grant execute on function private.authenticate_api_token(text) to service_role;
