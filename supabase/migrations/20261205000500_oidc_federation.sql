-- Cloudkeep as an OpenID Connect issuer (issue 14): the ES256 keys that sign the short-lived
-- tokens AWS, Google Cloud and Azure exchange for access, so a provider needs no stored secret.
--
-- The keys are Cloudkeep's own, apart from the auth server's. Each row holds the public JWK in the
-- clear (it is published) and the private JWK as a key-ring envelope bound to
-- `cloudkeep:v1:oidc:<kid>`, an associated data no provider credential can have (organization ids
-- are uuids), so neither can be swapped for the other.
--
-- Rotation without a gap (see _shared/federation/keys.ts):
--   published_at  the key appears in the JWKS (when it is inserted);
--   active_from   it may sign; a rotated-in key waits a publish-ahead window, so every verifier
--                 that cached the JWKS has seen it before the first token it signs arrives;
--   retired_at    it stops signing (set to the successor's active_from);
--   unpublish_after  it leaves the JWKS: retired_at plus the longest token lifetime and clock skew,
--                 so every token it signed has expired first.
create table private.oidc_signing_keys (
  kid text primary key check (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
  alg text not null default 'ES256' check (alg = 'ES256'),
  public_jwk jsonb not null,
  private_jwk jsonb not null,
  published_at timestamptz not null default now(),
  active_from timestamptz not null,
  retired_at timestamptz,
  unpublish_after timestamptz,
  check (active_from >= published_at),
  check (retired_at is null or (unpublish_after is not null and unpublish_after > retired_at))
);
comment on table private.oidc_signing_keys is
  'Signing keys of Cloudkeep''s OIDC issuer. private_jwk is an envelope (CLOUDKEEP_ENCRYPTION_KEYS) bound to cloudkeep:v1:oidc:<kid>; only the service role reads or writes it.';
comment on column private.oidc_signing_keys.active_from is 'When the key may start signing: after the publish-ahead window for a rotated-in key.';
comment on column private.oidc_signing_keys.unpublish_after is 'When the key leaves the JWKS: after every token it signed has expired.';
create index oidc_signing_keys_active_idx on private.oidc_signing_keys (active_from desc) where retired_at is null;

alter table private.oidc_signing_keys enable row level security;
-- No policy: no client role can read or write a row. The service role bypasses RLS and has exactly these grants.
revoke all on private.oidc_signing_keys from public, anon, authenticated;
grant select, insert, update, delete on private.oidc_signing_keys to service_role;
