// Google Cloud with no key: Cloudkeep's OIDC issuer (the `oidc` edge function behind the test
// gateway) vouches for each provider, and the Google fake verifies every token as Google does —
// discovery and JWKS fetched over the network, ES256 signature, issuer, audience, expiry, subject
// binding. Also the issuer itself: its documents, key rotation, audit of every token, and that no
// client can read its keys.
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { checkProviderHealth, refreshResources } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider, type VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import { federationSubject, gcpFederationAudience } from "../../supabase/functions/_shared/federation/issuer.ts";
import {
  publishedKeys,
  rotateSigningKey,
  signingKeyBinding,
  RETIRED_KEY_GRACE_SECONDS,
} from "../../supabase/functions/_shared/federation/keys.ts";
import { issueFederationToken, type FederationSupplier } from "../../supabase/functions/_shared/federation/token.ts";
import type { AdapterLoader } from "../../supabase/functions/_shared/providers/index.ts";
import { createGcpAdapter } from "../../supabase/functions/_shared/providers/gcp.ts";
import {
  checkWorkloadIdentityHealth,
  clearWorkloadIdentityTokens,
} from "../../supabase/functions/_shared/providers/gcp-workload-identity.ts";
import type { AdapterContext, HealthResult, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema, type GcpWorkloadIdentityCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { enableGcpFederation, type GcpFederation } from "../fakes/gcp-federation.ts";
import { startGcpFake, TEST_CA, type GcpFake } from "../fakes/gcp.ts";
import { createOidcVerifier } from "../fakes/oidc-verify.ts";
import { attempt, connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let ring: KeyRing;
let issuer: string;
let fake: GcpFake;
let federation: GcpFederation;
let people: Personas;

const gcp = createGcpAdapter({ ca: TEST_CA, retries: 0 });
const adapters: AdapterLoader = (async () => gcp) as never;
const vault = (claims = people.admin.claims): VaultContext & { adapters: AdapterLoader } => ({
  sql,
  ring,
  claims,
  trustedCidrs,
  oidcIssuer: issuer,
  adapters,
});
const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs };

function failureOf(result: HealthResult): ProviderFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.identity)}`);
  return result.error;
}

async function addProvider(name: string, options: { impersonate?: boolean; as?: "admin" | "outsider" } = {}) {
  const outsider = options.as === "outsider";
  return createProvider(vault(outsider ? people.outsider.claims : people.admin.claims), outsider ? people.outsiderOrgId : people.orgId, {
    name,
    provider_type: "gcp",
    api_endpoint: fake.url,
    credentials: {
      auth_method: "workload_identity",
      credential_config: JSON.stringify(federation.credentialConfig(options)),
      project_id: fake.state.projectId,
    },
  });
}

beforeAll(async () => {
  sql = connect();
  const stack = inject("stack");
  ring = parseKeyRing(stack.encryptionKeys);
  issuer = `${stack.supabaseUrl}/functions/v1/oidc`;
  people = await createPersonas(sql, "fedgcp");
  fake = await startGcpFake();
  federation = enableGcpFederation(fake, { issuer }, createOidcVerifier({ jwksCacheMs: 0 }));
});
afterAll(async () => {
  await fake?.close();
  await sql?.end({ timeout: 5 });
});
beforeEach(() => {
  clearWorkloadIdentityTokens();
  Object.assign(federation.config, {
    allowedAudiences: [],
    attributeConditionSubjects: undefined,
    workloadIdentityUsers: [],
    computeViewers: [],
    disabled: false,
    issuer,
  });
  federation.exchanges.length = 0;
});
// One project per organization: each test connects it afresh.
afterEach(async () => {
  await sql`delete from public.cloud_providers where organization_id in (${people.orgId}, ${people.outsiderOrgId})`;
});

describe("the issuer's documents", () => {
  it("serves discovery and a JWKS of ES256 (and, for Azure, RS256) public keys with cache headers", async () => {
    await issueFederationToken(
      { sql, ring, issuer },
      { organizationId: people.orgId, providerId: crypto.randomUUID(), audience: "warm-up" },
    ).catch(() => null);
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(await discovery.json()).toEqual({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256", "RS256"],
      claims_supported: ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"],
      scopes_supported: ["openid"],
    });
    const jwks = await fetch(`${issuer}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get("cache-control")).toContain("max-age=300");
    const { keys } = (await jwks.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.alg === "ES256")).toBe(true);
    for (const key of keys) {
      if (key.alg === "RS256") expect(Object.keys(key).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
      else expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) expect(key).not.toHaveProperty(secret);
    }
    expect((await fetch(`${issuer}/jwks`)).status).toBe(200);
    expect((await fetch(`${issuer}/.well-known/jwks.json`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${issuer}/keys/private`)).status).toBe(404);
  });

  it("issues ES256 tokens with iss, sub, aud, iat, nbf, exp ≤ 5 minutes, a unique jti and a kid, and audits each without the token", async () => {
    const providerId = crypto.randomUUID();
    const first = await issueFederationToken(
      { sql, ring, issuer },
      { organizationId: people.orgId, providerId, audience: "sts.amazonaws.com" },
    );
    const second = await issueFederationToken(
      { sql, ring, issuer },
      { organizationId: people.orgId, providerId, audience: "sts.amazonaws.com" },
    );
    const [header, payload] = first.token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
    expect(header).toEqual({ alg: "ES256", kid: first.kid, typ: "JWT" });
    expect(payload).toMatchObject({
      iss: issuer,
      sub: `org:${people.orgId}:provider:${providerId}`,
      aud: "sts.amazonaws.com",
      jti: first.jti,
    });
    expect(payload.exp - payload.iat).toBe(300);
    expect(payload.nbf).toBe(payload.iat);
    expect(first.jti).not.toBe(second.jti);
    const verdict = await createOidcVerifier().verify(first.token, { issuer, audiences: ["sts.amazonaws.com"] });
    expect(verdict.ok).toBe(true);

    const audits = await sql<{ action: string; actor_id: string | null; metadata: Record<string, string> }[]>`
      select action, actor_id, metadata from public.audit_events where target_id = ${providerId} order by id`;
    expect(audits.map((a) => a.action)).toEqual(["oidc.token_issued", "oidc.token_issued"]);
    expect(audits[0]!.metadata).toEqual({ jti: first.jti, aud: "sts.amazonaws.com", kid: first.kid, exp: first.expiresAt.toISOString() });
    expect(JSON.stringify(audits)).not.toContain(first.token.split(".")[2]);
    expect(JSON.stringify(audits)).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/);
  });

  it("keeps the signing keys from every client: no grant, RLS on, private keys sealed to their own kid", async () => {
    for (const claims of [null, people.owner.claims]) {
      const read = await attempt(sql, claims, (tx) => tx`select kid, private_jwk from private.oidc_signing_keys`);
      expect(read).toMatchObject({ ok: false, code: "42501" });
      const write = await attempt(sql, claims, (tx) => tx`delete from private.oidc_signing_keys`);
      expect(write).toMatchObject({ ok: false, code: "42501" });
    }
    const [grants] = await sql<{ anon: boolean; authenticated: boolean; rls: boolean }[]>`
      select has_table_privilege('anon', 'private.oidc_signing_keys', 'select') as anon,
             has_table_privilege('authenticated', 'private.oidc_signing_keys', 'select') as authenticated,
             (select relrowsecurity from pg_class where oid = 'private.oidc_signing_keys'::regclass) as rls`;
    expect(grants).toEqual({ anon: false, authenticated: false, rls: true });
    const row = firstRow(
      await sql<{ kid: string; private_jwk: Record<string, unknown> }[]>`select kid, private_jwk from private.oidc_signing_keys limit 1`,
    );
    expect(row.private_jwk).toMatchObject({ v: 1, alg: "A256GCM" });
    expect(JSON.stringify(row.private_jwk)).not.toContain('"d"');
    expect(await decryptCredential(ring, signingKeyBinding(row.kid), row.private_jwk)).toHaveProperty("d");
    await expect(decryptCredential(ring, signingKeyBinding("another-key-id"), row.private_jwk)).rejects.toThrow();
  });
});

describe("Google Cloud by workload identity federation", () => {
  it("accepts the file gcloud create-cred-config writes, with project_id added, and stores no secret", () => {
    const parsed = credentialsSchema("gcp").parse({
      ...federation.credentialConfig(),
      project_id: fake.state.projectId,
    }) as GcpWorkloadIdentityCredentials;
    expect(parsed).toEqual({
      type: "external_account",
      project_id: fake.state.projectId,
      audience: federation.audience,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: `${fake.url}/v1/token`,
      service_account_impersonation_url: `${fake.url}/v1/projects/-/serviceAccounts/${federation.config.serviceAccount}:generateAccessToken`,
    });
    const missing = credentialsSchema("gcp").safeParse({ ...federation.credentialConfig() });
    expect(missing.success).toBe(false);
  });

  it("exchanges the token at STS, impersonates the service account, reads the project and lists instances", async () => {
    const provider = await addProvider("GCP by federation");
    const subject = federationSubject(people.orgId, provider.id);
    expect(provider).toMatchObject({
      auth_method: "workload_identity",
      account_identifier: fake.state.projectId,
      credential_hint: `${federation.config.serviceAccount} via ${federation.config.projectNumber}/${federation.config.pool}/${federation.config.provider}`,
    });
    federation.config.workloadIdentityUsers = [subject];
    federation.config.computeViewers = [`serviceAccount:${federation.config.serviceAccount}`];
    const { result } = await checkProviderHealth(vault(people.member.claims), provider.id);
    expect(result).toMatchObject({
      ok: true,
      identity: {
        account: fake.state.projectId,
        details: { principal: federation.principalOf(subject), service_account: federation.config.serviceAccount },
      },
    });
    expect(federation.exchanges).toEqual([{ ok: true, sub: subject, aud: gcpFederationAudience(federation.audience) }]);
    const listing = await refreshResources(vault(people.member.claims), provider.id);
    expect(listing.resources).toHaveLength(3);
  });

  it("reads Compute directly as the federated principal when no service account is named", async () => {
    const provider = await addProvider("GCP direct", { impersonate: false });
    const subject = federationSubject(people.orgId, provider.id);
    const denied = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(denied.code).toBe("permission_denied");
    expect(denied.hint).toContain(`--member="${federation.principalOf(subject)}" --role=roles/compute.viewer`);
    clearWorkloadIdentityTokens();
    federation.config.computeViewers = [federation.principalOf(subject)];
    expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
  });

  it("refuses a token for another provider: only the bound subject may impersonate", async () => {
    const bound = await addProvider("GCP bound");
    const other = await addProvider("GCP other", { as: "outsider" });
    federation.config.workloadIdentityUsers = [federationSubject(people.orgId, bound.id)];
    federation.config.computeViewers = [`serviceAccount:${federation.config.serviceAccount}`];
    expect((await checkProviderHealth(vault(), bound.id)).result.ok).toBe(true);
    const failure = failureOf((await checkProviderHealth(vault(people.outsider.claims), other.id)).result);
    expect(failure.code).toBe("federation_subject_not_bound");
    expect(failure.hint).toBe(
      `gcloud iam service-accounts add-iam-policy-binding ${federation.config.serviceAccount} --role=roles/iam.workloadIdentityUser --member="${federation.principalOf(federationSubject(people.outsiderOrgId, other.id))}"`,
    );
    expect(federation.exchanges.map((e) => e.sub)).toEqual([
      federationSubject(people.orgId, bound.id),
      federationSubject(people.outsiderOrgId, other.id),
    ]);
  });

  it("names a subject the pool's attribute condition rejects", async () => {
    const provider = await addProvider("GCP condition");
    federation.config.attributeConditionSubjects = ["org:someone:provider:else"];
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_subject_mismatch");
    expect(failure.hint).toContain(federationSubject(people.orgId, provider.id));
  });

  it("says the audience did not match, and which audience to allow", async () => {
    const provider = await addProvider("GCP audience");
    federation.config.allowedAudiences = ["https://cloudkeep.example.com/other"];
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_audience_mismatch");
    expect(failure.hint).toContain(gcpFederationAudience(federation.audience));
    expect(federation.exchanges[0]).toMatchObject({ ok: false, refusal: "audience_mismatch" });
  });

  it("says Google could not reach the issuer when its documents are not where the pool provider looks", async () => {
    const provider = await addProvider("GCP issuer");
    const dead = "http://127.0.0.1:9/oidc";
    federation.config.issuer = dead;
    const context: AdapterContext = {
      apiEndpoint: fake.url,
      regions: [],
      outbound,
      timeoutMs: 8_000,
      federation: supplier(dead, provider.id),
    };
    const failure = failureOf(await checkWorkloadIdentityHealth(credentialsOf(), context, { ca: TEST_CA, retries: 0 }));
    expect(failure.code).toBe("federation_issuer_unreachable");
    expect(failure.hint).toContain(`${dead}/.well-known/openid-configuration`);
  });

  it("reports an expired token as such", async () => {
    const provider = await addProvider("GCP expired");
    const expired: FederationSupplier = {
      issuer,
      subject: federationSubject(people.orgId, provider.id),
      token: async (audience) =>
        (
          await issueFederationToken(
            { sql, ring, issuer },
            {
              organizationId: people.orgId,
              providerId: provider.id,
              audience,
              lifetimeSeconds: 60,
              now: new Date(Date.now() - 10 * 60_000),
            },
          )
        ).token,
    };
    const context: AdapterContext = { apiEndpoint: fake.url, regions: [], outbound, timeoutMs: 8_000, federation: expired };
    const failure = failureOf(await checkWorkloadIdentityHealth(credentialsOf(), context, { ca: TEST_CA, retries: 0 }));
    expect(failure.code).toBe("federation_token_expired");
    expect(federation.exchanges[0]).toMatchObject({ ok: false, refusal: "expired" });
  });

  it("never sends the token to a token_url that is neither Google's nor the provider's endpoint", async () => {
    const provider = await addProvider("GCP foreign");
    let issued = 0;
    const counting: FederationSupplier = {
      issuer,
      subject: federationSubject(people.orgId, provider.id),
      token: async () => `${++issued}`,
    };
    const credentials = { ...credentialsOf(), token_url: "https://attacker.example.com/v1/token" };
    const failure = failureOf(
      await checkWorkloadIdentityHealth(
        credentials,
        { apiEndpoint: fake.url, regions: [], outbound, federation: counting },
        { ca: TEST_CA },
      ),
    );
    expect(failure.code).toBe("refused_endpoint");
    expect(issued).toBe(0);
  });

  it("cannot check unsaved credentials: the subject names the provider", async () => {
    const failure = failureOf(
      await checkWorkloadIdentityHealth(credentialsOf(), { apiEndpoint: fake.url, regions: [], outbound }, { ca: TEST_CA }),
    );
    expect(failure.code).toBe("federation_unavailable");
  });
});

describe("signing key rotation", () => {
  it("publishes a new key before it signs, and keeps the old one published until its tokens have expired", async () => {
    const providerId = crypto.randomUUID();
    const verifier = createOidcVerifier({ jwksCacheMs: 60_000 });
    const expect_ = { issuer, audiences: ["sts.amazonaws.com"] };
    const before = await issueFederationToken(
      { sql, ring, issuer },
      { organizationId: people.orgId, providerId, audience: "sts.amazonaws.com" },
    );

    const rotation = await rotateSigningKey(sql, ring, { publishAheadSeconds: 2 });
    expect(rotation.retiring.map((r) => r.kid)).toContain(before.kid);
    const retired = rotation.retiring.find((r) => r.kid === before.kid)!;
    expect(retired.retiredAt.getTime()).toBe(rotation.activeFrom.getTime());
    expect((retired.unpublishAfter.getTime() - retired.retiredAt.getTime()) / 1000).toBe(RETIRED_KEY_GRACE_SECONDS);

    // Within the window the old key still signs; the cloud fetches a JWKS that already holds the new one.
    const during = await issueFederationToken(
      { sql, ring, issuer },
      { organizationId: people.orgId, providerId, audience: "sts.amazonaws.com" },
    );
    expect(during.kid).toBe(before.kid);
    expect((await verifier.verify(during.token, expect_)).ok).toBe(true);
    const fetched = verifier.fetches.length;
    expect((await publishedKeys(sql)).map((key) => key.kid)).toEqual(expect.arrayContaining([before.kid, rotation.kid]));

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotation.activeFrom.getTime() - Date.now()) + 100));
    const after = await issueFederationToken(
      { sql, ring, issuer },
      { organizationId: people.orgId, providerId, audience: "sts.amazonaws.com" },
    );
    expect(after.kid).toBe(rotation.kid);
    // Verified from the JWKS the cloud cached before the new key signed anything: no new fetch needed.
    expect((await verifier.verify(after.token, expect_)).ok).toBe(true);
    expect(verifier.fetches.length).toBe(fetched);
    // And a token the old key signed still verifies against a fresh copy.
    expect((await createOidcVerifier().verify(before.token, expect_)).ok).toBe(true);
  });

  it("withdraws a retired key from the JWKS only after unpublish_after, and publishes a rotated-in key at once", async () => {
    const rows = await sql<{ kid: string }[]>`
      insert into private.oidc_signing_keys (kid, public_jwk, private_jwk, published_at, active_from, retired_at, unpublish_after) values
        ('test-gone-key-000001', '{"kid":"test-gone-key-000001"}', '{}', now() - interval '2 hours', now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 second'),
        ('test-old-key-0000002', '{"kid":"test-old-key-0000002"}', '{}', now() - interval '2 hours', now() - interval '2 hours', now() - interval '1 hour', now() + interval '1 minute'),
        ('test-next-key-000003', '{"kid":"test-next-key-000003"}', '{}', now(), now() + interval '1 day', null, null)
      returning kid`;
    try {
      const kids = (await publishedKeys(sql)).map((key) => key.kid);
      expect(kids).not.toContain("test-gone-key-000001");
      expect(kids).toEqual(expect.arrayContaining(["test-old-key-0000002", "test-next-key-000003"]));
    } finally {
      await sql`delete from private.oidc_signing_keys where kid in ${sql(rows.map((r) => r.kid))}`;
    }
  });
});

function credentialsOf(): GcpWorkloadIdentityCredentials {
  return credentialsSchema("gcp").parse({
    ...federation.credentialConfig(),
    project_id: fake.state.projectId,
  }) as GcpWorkloadIdentityCredentials;
}

function supplier(tokenIssuer: string, providerId: string): FederationSupplier {
  return {
    issuer: tokenIssuer,
    subject: federationSubject(people.orgId, providerId),
    token: async (audience) =>
      (await issueFederationToken({ sql, ring, issuer: tokenIssuer }, { organizationId: people.orgId, providerId, audience })).token,
  };
}
