-- Organizations and their members: the tenant boundary every other table hangs off.
-- Roles rank viewer < member < admin < owner (enum order is the rank, so `role >= 'admin'`
-- reads as "admin or above").

create schema if not exists private;
comment on schema private is 'Helpers for policies and triggers; not exposed through any API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Functions are not callable by everyone unless granted right under their definition.
alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

create type public.org_role as enum ('viewer', 'member', 'admin', 'owner');
comment on type public.org_role is 'viewer: read stored data; member: also run checks and live listings; admin: manage providers, members, tokens; owner: also grant ownership and delete the organization.';

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  slug text not null,
  name text not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint organizations_slug_key unique (slug),
  constraint organizations_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$'),
  constraint organizations_name_length check (char_length(btrim(name)) between 1 and 80)
);
comment on column public.organizations.slug is 'URL name: lowercase letters, digits and hyphens, 3–48 characters, no hyphen at either end.';

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null default 'member',
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
-- The primary key indexes organization_id; "my organizations" lookups go by user.
create index organization_members_user_id_idx on public.organization_members (user_id, organization_id, role);

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;

-- The organizations the caller belongs to with at least `min_role`. Set-returning and
-- security definer, so policies evaluate it once per statement and it can read
-- organization_members without recursing into that table's own policies.
create function private.org_ids_with_role(min_role public.org_role)
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
$$;
grant execute on function private.org_ids_with_role(public.org_role) to authenticated, service_role;

-- Refuses changes to columns that identify a row's owner or tenant. Column names come as
-- trigger arguments, so one function guards every table.
create function private.guard_immutable_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  col text;
begin
  foreach col in array tg_argv loop
    if (to_jsonb(old) -> col) is distinct from (to_jsonb(new) -> col) then
      raise exception '% cannot be changed', col
        using errcode = '42501', table = tg_table_name, column = col;
    end if;
  end loop;
  return new;
end
$$;

create trigger organizations_immutable before update on public.organizations
  for each row execute function private.guard_immutable_columns('id', 'created_by', 'created_at');
create trigger organization_members_immutable before update on public.organization_members
  for each row execute function private.guard_immutable_columns('organization_id', 'user_id', 'created_at');

-- An organization always keeps an owner: the last one can neither leave nor be demoted.
-- Rows going away with their organization or their user (cascades) are let through.
create function private.keep_last_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
    return coalesce(new, old);
  end if;
  if not exists (select 1 from public.organizations where id = old.organization_id)
     or not exists (select 1 from auth.users where id = old.user_id) then
    return coalesce(new, old);
  end if;
  -- Lock the organization's owner rows so two concurrent demotions cannot both pass.
  perform 1 from public.organization_members
    where organization_id = old.organization_id and role = 'owner' for update;
  if not exists (
    select 1 from public.organization_members
    where organization_id = old.organization_id and role = 'owner' and user_id <> old.user_id
  ) then
    raise exception 'An organization must keep at least one owner'
      using errcode = 'P0001', hint = 'Make another member an owner first.';
  end if;
  return coalesce(new, old);
end
$$;

create trigger organization_members_keep_last_owner before update or delete on public.organization_members
  for each row execute function private.keep_last_owner();

-- Table rights: RLS decides rows; these decide operations. Organizations are created only
-- through create_organization(); members change only their role column.
revoke all on public.organizations, public.organization_members from anon;
revoke insert, update, delete, truncate on public.organizations from authenticated;
grant select on public.organizations to authenticated;
grant update (name) on public.organizations to authenticated;
grant delete on public.organizations to authenticated;
revoke update, truncate on public.organization_members from authenticated;
grant select, insert, delete on public.organization_members to authenticated;
grant update (role) on public.organization_members to authenticated;

create policy "Members can view their organizations"
  on public.organizations for select to authenticated
  using (id = any (array(select private.org_ids_with_role('viewer'))));

create policy "Admins can rename their organization"
  on public.organizations for update to authenticated
  using (id = any (array(select private.org_ids_with_role('admin'))))
  with check (id = any (array(select private.org_ids_with_role('admin'))));

create policy "Owners can delete their organization"
  on public.organizations for delete to authenticated
  using (id = any (array(select private.org_ids_with_role('owner'))));

create policy "Members can view the members of their organizations"
  on public.organization_members for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

create policy "Admins can add members below owner; owners can add owners"
  on public.organization_members for insert to authenticated
  with check (
    organization_id = any (array(select private.org_ids_with_role('admin')))
    and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
  );

create policy "Admins can change roles below owner; owners can change any role"
  on public.organization_members for update to authenticated
  using (
    organization_id = any (array(select private.org_ids_with_role('admin')))
    and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
  )
  with check (
    organization_id = any (array(select private.org_ids_with_role('admin')))
    and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
  );

create policy "Admins can remove members below owner; owners anyone; anyone can leave"
  on public.organization_members for delete to authenticated
  using (
    user_id = (select auth.uid())
    or (
      organization_id = any (array(select private.org_ids_with_role('admin')))
      and (role <> 'owner' or organization_id = any (array(select private.org_ids_with_role('owner'))))
    )
  );

-- Creates an organization with the caller as its owner. The only way to create one, so a
-- new organization never exists without an owner.
create function public.create_organization(name text, slug text)
returns public.organizations
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  clean_name text := btrim(coalesce(name, ''));
  clean_slug text := lower(btrim(coalesce(slug, '')));
  created public.organizations;
begin
  if caller is null then
    raise exception 'You must be signed in to create an organization' using errcode = '42501';
  end if;
  if char_length(clean_name) not between 1 and 80 then
    raise exception 'Name must be between 1 and 80 characters' using errcode = '22023', column = 'name';
  end if;
  if clean_slug !~ '^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$' then
    raise exception 'Slug must be 3–48 lowercase letters, digits or hyphens, not starting or ending with a hyphen'
      using errcode = '22023', column = 'slug';
  end if;
  begin
    insert into public.organizations (name, slug, created_by)
    values (clean_name, clean_slug, caller)
    returning * into created;
  exception when unique_violation then
    raise exception 'The slug "%" is already taken', clean_slug using errcode = '23505', column = 'slug';
  end;
  insert into public.organization_members (organization_id, user_id, role)
  values (created.id, caller, 'owner');
  return created;
end
$$;
revoke execute on function public.create_organization(text, text) from public, anon;
grant execute on function public.create_organization(text, text) to authenticated, service_role;

-- Email addresses of an organization's members, for the members list. auth.users is not
-- readable by the authenticated role, so this hands out only co-members' addresses.
create function private.member_emails(org uuid)
returns table (user_id uuid, email text)
language sql
stable
security definer
set search_path = ''
as $$
  select u.id, u.email::text
  from public.organization_members m
  join auth.users u on u.id = m.user_id
  where m.organization_id = org
    and org = any (array(select private.org_ids_with_role('viewer')))
$$;
grant execute on function private.member_emails(uuid) to authenticated, service_role;
