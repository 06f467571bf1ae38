-- Invitations to join an organization, and the audit trail of who joined, changed role,
-- was removed or left.
--
-- An invitation is a random token (256 bits) sent to one email address. Only its SHA-256
-- hash is stored, and no client role may read even that. accept_invitation(token) is the one
-- way to redeem it: the token must hash to an open invitation that has not expired, and the
-- signed-in user's (confirmed) email must be the invited address, compared case-insensitively
-- — so a forwarded or leaked link is useless to anyone else. Acceptance is single use: the
-- invitation row is locked, marked accepted and the membership added in one transaction.
--
-- Membership rules (20261122000100_organizations.sql, unchanged and re-checked by the
-- integration tests): only owners grant or revoke owner, admins change roles below owner and
-- remove non-owners, anyone may leave, and keep_last_owner() refuses demoting or removing
-- the last owner.

create table public.organization_invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null,
  role public.org_role not null default 'member',
  token_hash text not null,
  invited_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  constraint organization_invitations_token_hash_key unique (token_hash),
  constraint organization_invitations_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  constraint organization_invitations_email_format check (
    email = lower(btrim(email)) and char_length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+$'
  ),
  constraint organization_invitations_accepted_or_revoked check (accepted_at is null or revoked_at is null)
);
comment on table public.organization_invitations is 'Invitations to join an organization with a role. Single use, expire after 7 days; redeemed only through accept_invitation().';
comment on column public.organization_invitations.email is 'The invited address, lower-cased; only a user signed in with this email can accept.';
comment on column public.organization_invitations.token_hash is 'Hex SHA-256 of the invitation token. The token itself is never stored; no client role can select this column.';
comment on column public.organization_invitations.revoked_at is 'Set when an admin withdraws the invitation or replaces it with a new link.';

create index organization_invitations_org_idx on public.organization_invitations (organization_id, created_at desc);
-- One open invitation per address and organization: inviting again replaces the old link.
create unique index organization_invitations_open_email_key on public.organization_invitations (organization_id, email)
  where accepted_at is null and revoked_at is null;

alter table public.organization_invitations enable row level security;

-- Column rights: clients never read token_hash, never choose who invited, when it expires or
-- that it was accepted; the only change they can make is revoking.
revoke all on public.organization_invitations from anon, authenticated;
grant select (id, organization_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at)
  on public.organization_invitations to authenticated;
grant insert (organization_id, email, role, token_hash) on public.organization_invitations to authenticated;
grant update (revoked_at) on public.organization_invitations to authenticated;

create policy "Admins can view their organization's invitations"
  on public.organization_invitations for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))));

create policy "Admins can invite below owner; owners can invite owners"
  on public.organization_invitations for insert to authenticated
  with check (
    organization_id = any (array(select private.org_ids_with_role('admin')))
    and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
  );

create policy "Admins can revoke open invitations below owner; owners any"
  on public.organization_invitations for update to authenticated
  using (
    accepted_at is null and revoked_at is null
    and organization_id = any (array(select private.org_ids_with_role('admin')))
    and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
  )
  with check (
    revoked_at is not null
    and organization_id = any (array(select private.org_ids_with_role('admin')))
    and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
  );

-- The hash accept_invitation() and invitation_preview() look tokens up by. Portal code
-- computes the same value (hex SHA-256 of the UTF-8 token) when it creates an invitation.
create function private.invitation_token_hash(token text)
returns text
language sql
immutable
set search_path = ''
as $$
  select encode(pg_catalog.sha256(pg_catalog.convert_to(coalesce(token, ''), 'UTF8')), 'hex')
$$;
grant execute on function private.invitation_token_hash(text) to authenticated, service_role;

-- What an invitation link is for, shown before the visitor signs in: the organization, the
-- invited address and role, and whether it can still be used (pending, expired, used,
-- revoked). No row when the token matches nothing. Holding the token is the permission.
create function public.invitation_preview(token text)
returns table (status text, organization_name text, organization_slug text, email text, role public.org_role, expires_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select
    case
      when i.accepted_at is not null then 'used'
      when i.revoked_at is not null then 'revoked'
      when i.expires_at <= now() then 'expired'
      else 'pending'
    end,
    o.name, o.slug, i.email, i.role, i.expires_at
  from public.organization_invitations i
  join public.organizations o on o.id = i.organization_id
  where i.token_hash = private.invitation_token_hash(token)
$$;
revoke execute on function public.invitation_preview(text) from public;
grant execute on function public.invitation_preview(text) to anon, authenticated, service_role;

-- Redeems an invitation for the signed-in user. Expected refusals are statuses, not errors,
-- so the accept page can say what happened and what to do:
--   accepted        the caller is now a member with the invited role
--   not_found       no invitation has this token
--   used | revoked | expired
--   wrong_email     the caller's email is not the invited one
--   unconfirmed     the caller has not confirmed their email yet
--   already_member  the caller belongs to the organization already (invitation left open)
-- The invitation row is locked first, so two concurrent accepts of one token serialize and
-- the second sees `used`.
create function public.accept_invitation(token text)
returns table (status text, organization_id uuid, organization_slug text, organization_name text, role public.org_role)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  inv public.organization_invitations;
  org public.organizations;
  caller_email text;
  caller_confirmed timestamptz;
begin
  if caller is null then
    raise exception 'Sign in to accept an invitation' using errcode = '42501';
  end if;
  select * into inv from public.organization_invitations i
    where i.token_hash = private.invitation_token_hash(token)
    for update;
  if not found then
    return query select 'not_found'::text, null::uuid, null::text, null::text, null::public.org_role;
    return;
  end if;
  select * into org from public.organizations o where o.id = inv.organization_id;
  status := case
    when inv.accepted_at is not null then 'used'
    when inv.revoked_at is not null then 'revoked'
    when inv.expires_at <= now() then 'expired'
  end;
  if status is null then
    select lower(u.email), u.email_confirmed_at into caller_email, caller_confirmed from auth.users u where u.id = caller;
    status := case
      when caller_email is distinct from inv.email then 'wrong_email'
      when caller_confirmed is null then 'unconfirmed'
      when exists (select 1 from public.organization_members m where m.organization_id = inv.organization_id and m.user_id = caller)
        then 'already_member'
    end;
  end if;
  if status is null then
    begin
      update public.organization_invitations set accepted_at = now(), accepted_by = caller where id = inv.id;
      insert into public.organization_members (organization_id, user_id, role) values (inv.organization_id, caller, inv.role);
      status := 'accepted';
    exception when unique_violation then
      -- Added by other means between our check and the insert; the invitation stays open.
      status := 'already_member';
    end;
  end if;
  return query select status, org.id, org.slug, org.name, inv.role;
end
$$;
revoke execute on function public.accept_invitation(text) from public, anon;
grant execute on function public.accept_invitation(text) to authenticated, service_role;

-- Audit ------------------------------------------------------------------------------------

-- The email of a user, for audit target names (auth.users is not readable by clients).
create function private.user_email(id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select u.email::text from auth.users u where u.id = user_email.id
$$;

-- Invitations created, revoked (or replaced) and accepted. Metadata holds the role, never the
-- token or its hash.
create function private.audit_invitation_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.record_audit_event(new.organization_id, 'member.invited', 'invitation', new.id, new.email,
      jsonb_build_object('role', new.role, 'expires_at', new.expires_at));
  elsif old.revoked_at is null and new.revoked_at is not null then
    perform private.record_audit_event(new.organization_id, 'invitation.revoked', 'invitation', new.id, new.email,
      jsonb_build_object('role', new.role));
  elsif old.accepted_at is null and new.accepted_at is not null then
    perform private.record_audit_event(new.organization_id, 'invitation.accepted', 'invitation', new.id, new.email,
      jsonb_build_object('role', new.role, 'user_id', new.accepted_by));
  end if;
  return null;
end
$$;
create trigger organization_invitations_audit after insert or update on public.organization_invitations
  for each row execute function private.audit_invitation_change();

-- Memberships added (other than by accepting an invitation, which is audited above), role
-- changes, removals and leaving. Rows that go with their organization are not recorded: the
-- log goes with it.
create function private.audit_member_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  row public.organization_members := coalesce(new, old);
  action text;
  metadata jsonb;
begin
  if not exists (select 1 from public.organizations o where o.id = row.organization_id) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    -- accept_invitation() marks its invitation accepted (now() = this transaction's start)
    -- before inserting; clients cannot set accepted_at, so this cannot be faked.
    if exists (
      select 1 from public.organization_invitations i
      where i.organization_id = new.organization_id and i.accepted_by = new.user_id and i.accepted_at = now()
    ) then
      return null;
    end if;
    action := 'member.added';
    metadata := jsonb_build_object('role', new.role);
  elsif tg_op = 'UPDATE' then
    if new.role = old.role then
      return null;
    end if;
    action := 'member.role_changed';
    metadata := jsonb_build_object('from', old.role, 'to', new.role);
  else
    action := case when old.user_id = (select auth.uid()) then 'member.left' else 'member.removed' end;
    metadata := jsonb_build_object('role', old.role);
  end if;
  perform private.record_audit_event(row.organization_id, action, 'member', row.user_id, private.user_email(row.user_id), metadata);
  return null;
end
$$;
create trigger organization_members_audit after insert or update or delete on public.organization_members
  for each row execute function private.audit_member_change();
