-- The OIDC issuer signs with RS256 as well as ES256 (issue 14). Microsoft Entra ID verifies only
-- RSA-signed assertions in workload identity federation (an ES256 token is refused with
-- AADSTS5002738), so tokens for Azure's audience are signed with an RSA key; AWS and Google keep
-- ES256. Each algorithm has its own key, rotated on its own with the same publish-first rules.
alter table private.oidc_signing_keys drop constraint if exists oidc_signing_keys_alg_check;
alter table private.oidc_signing_keys add constraint oidc_signing_keys_alg_check check (alg in ('ES256', 'RS256'));
drop index if exists private.oidc_signing_keys_active_idx;
create index oidc_signing_keys_active_idx on private.oidc_signing_keys (alg, active_from desc) where retired_at is null;
comment on column private.oidc_signing_keys.alg is 'ES256 (AWS, Google Cloud) or RS256 (Azure, whose token exchange accepts RSA only); each algorithm rotates on its own.';
