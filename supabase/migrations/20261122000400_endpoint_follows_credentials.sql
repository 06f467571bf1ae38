-- A provider's endpoint changes only together with its credentials. Otherwise anyone who
-- may edit a provider (through any client, PostgREST included) could point it at a server
-- of their own and have the next health check send the stored secret there.
create or replace function private.cloud_providers_before_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.created_by := coalesce((select auth.uid()), new.created_by);
    if current_user in ('authenticated', 'anon') then
      new.created_at := now();
      new.status := 'pending';
    end if;
  else
    if current_user in ('authenticated', 'anon')
       and new.status is distinct from old.status
       and new.status not in ('suspended', 'pending') then
      raise exception 'Only a health check can mark a provider %', new.status using errcode = '42501';
    end if;
    if new.api_endpoint is distinct from old.api_endpoint and new.credentials is not distinct from old.credentials then
      raise exception 'The endpoint of provider % changes only together with new credentials', old.id
        using errcode = '22023', hint = 'Rotate the credentials and give the new endpoint with them.';
    end if;
  end if;
  new.updated_at := now();
  return new;
end
$$;
