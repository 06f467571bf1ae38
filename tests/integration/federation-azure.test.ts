// Azure with no secret: the app registration's federated identity credential trusts Cloudkeep's OIDC
// issuer (the `oidc` edge function behind the test gateway) for one provider's subject, and the Azure
// fake checks every client assertion as Entra does — discovery and JWKS fetched over the network,
// signature, time window, then issuer, subject and audience against the app's federated credentials.
// Each broken link must come back as its own failure, naming the exact value to fix, never the token.
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { decodeProtectedHeader } from "jose";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { checkProviderHealth, refreshResources } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider, type VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import { AZURE_FEDERATION_AUDIENCE, federationSubject } from "../../supabase/functions/_shared/federation/issuer.ts";
import { rotateSigningKey } from "../../supabase/functions/_shared/federation/keys.ts";
import { azureFederationSetup } from "../../supabase/functions/_shared/federation/setup-azure.ts";
import { issueFederationToken, type FederationSupplier } from "../../supabase/functions/_shared/federation/token.ts";
import { clearAzureTokens, createAzureAdapter } from "../../supabase/functions/_shared/providers/azure.ts";
import type { AdapterLoader } from "../../supabase/functions/_shared/providers/index.ts";
import type { AdapterContext, HealthResult, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import type { AzureFederatedCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { startAzureFake, TEST_CA, type AzureFake, type FederatedIdentityCredential } from "../fakes/azure.ts";
import { createOidcVerifier } from "../fakes/oidc-verify.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let ring: KeyRing;
let issuer: string;
let fake: AzureFake;
let people: Personas;

const azure = createAzureAdapter({ ca: TEST_CA, retries: 0 });
const adapters: AdapterLoader = (async () => azure) as never;
const vault = (claims = people.admin.claims): VaultContext & { adapters: AdapterLoader } => ({
  sql,
  ring,
  claims,
  trustedCidrs,
  oidcIssuer: issuer,
  adapters,
});
const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs };
/** What Entra accepts on a federated token: RSA only (ES256 is refused with AADSTS5002738). */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

function failureOf(result: HealthResult): ProviderFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.identity)}`);
  return result.error;
}

async function addProvider(name: string, as: "admin" | "outsider" = "admin") {
  const outsider = as === "outsider";
  return createProvider(vault(outsider ? people.outsider.claims : people.admin.claims), outsider ? people.outsiderOrgId : people.orgId, {
    name,
    provider_type: "azure",
    api_endpoint: fake.url,
    credentials: fake.federatedCredentials(),
  });
}

/** What an admin adds to the app registration for one subject (the values the setup panel shows). */
function trust(subject: string, overrides: Partial<FederatedIdentityCredential> = {}) {
  fake.state.federatedCredentials.push({
    name: `cloudkeep-${subject.slice(-12)}`,
    issuer,
    subject,
    audiences: [AZURE_FEDERATION_AUDIENCE],
    ...overrides,
  });
}

/** A supplier like the real one, for calling the adapter directly with a chosen issuer or token. */
function supplier(
  providerId: string,
  options: { tokenIssuer?: string; backdateMs?: number; organizationId?: string } = {},
): FederationSupplier {
  const organizationId = options.organizationId ?? people.orgId;
  const tokenIssuer = options.tokenIssuer ?? issuer;
  return {
    issuer: tokenIssuer,
    subject: federationSubject(organizationId, providerId),
    token: async (audience) =>
      (
        await issueFederationToken(
          { sql, ring, issuer: tokenIssuer },
          {
            organizationId,
            providerId,
            audience,
            ...(options.backdateMs ? { lifetimeSeconds: 60, now: new Date(Date.now() - options.backdateMs) } : {}),
          },
        )
      ).token,
  };
}

const contextWith = (federation?: FederationSupplier): AdapterContext => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 8_000,
  ...(federation ? { federation } : {}),
});
const federatedCredentials = () => fake.federatedCredentials() as AzureFederatedCredentials;
/** The client assertions the fake received, in order. */
const presented = () =>
  fake
    .tokenRequests()
    .map((request) => new URLSearchParams(request.body).get("client_assertion"))
    .filter((a): a is string => a !== null);

beforeAll(async () => {
  sql = connect();
  const stack = inject("stack");
  ring = parseKeyRing(stack.encryptionKeys);
  issuer = `${stack.supabaseUrl}/functions/v1/oidc`;
  people = await createPersonas(sql, "fedazure");
  // Entra's key cache is switched off here (every assertion fetches the JWKS); the rotation test brings its own.
  fake = await startAzureFake({}, { verifier: createOidcVerifier({ jwksCacheMs: 0 }) });
});
afterAll(async () => {
  await fake?.close();
  await sql?.end({ timeout: 5 });
});
beforeEach(() => {
  clearAzureTokens();
  Object.assign(fake.state, { federatedCredentials: [], noRole: false, echoSecrets: false, assertionAlgorithms: [...ALGORITHMS] });
  fake.assertions.length = 0;
  fake.reset();
});
// One subscription per organization: each test connects it afresh.
afterEach(async () => {
  await sql`delete from public.cloud_providers where organization_id in (${people.orgId}, ${people.outsiderOrgId})`;
});

describe("Azure by workload identity federation", () => {
  it("stores tenant, client and subscription only: the decrypted envelope holds no client secret", async () => {
    const provider = await addProvider("Azure no secret");
    const row = firstRow(
      await sql<{ auth_method: string; credential_hint: string; account_identifier: string; credentials: unknown }[]>`
      select auth_method, credential_hint, account_identifier, credentials from public.cloud_providers where id = ${provider.id}`,
    );
    expect(row).toMatchObject({
      auth_method: "federated",
      credential_hint: `app ${fake.state.clientId} in tenant ${fake.state.tenantId}`,
      account_identifier: fake.state.subscriptionId,
    });
    const envelope = (await decryptCredential(ring, { organizationId: people.orgId, providerId: provider.id }, row.credentials)) as Record<
      string,
      unknown
    >;
    expect(envelope).toEqual({
      auth_method: "federated",
      tenant_id: fake.state.tenantId,
      client_id: fake.state.clientId,
      subscription_id: fake.state.subscriptionId,
    });
    expect(envelope).not.toHaveProperty("client_secret");
  });

  it("signs in with Cloudkeep's token as the client assertion once the setup panel's credential is added, checks healthy and lists VMs", async () => {
    const provider = await addProvider("Azure federated");
    const subject = federationSubject(people.orgId, provider.id);
    // Exactly what the provider's page tells the admin to run.
    const setup = azureFederationSetup(provider, issuer)!;
    expect(setup).toMatchObject({ cloud: "azure", issuer, subject, audience: AZURE_FEDERATION_AUDIENCE, principal: fake.state.clientId });
    fake.state.federatedCredentials.push(
      JSON.parse(captures(/--parameters '(.*)'/.exec(setup.commands)!, 1)[0]) as FederatedIdentityCredential,
    );

    const { result } = await checkProviderHealth(vault(people.member.claims), provider.id);
    expect(result).toMatchObject({ ok: true, identity: { account: fake.state.subscriptionId, label: fake.state.subscriptionName } });
    expect(fake.assertions).toEqual([{ ok: true, iss: issuer, sub: subject, aud: AZURE_FEDERATION_AUDIENCE }]);
    const form = new URLSearchParams(fake.tokenRequests()[0]!.body);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect(form.get("client_secret")).toBeNull();

    const listing = await refreshResources(vault(people.member.claims), provider.id);
    expect(listing.resources).toHaveLength(3);
    const stored = firstRow(
      await sql<
        { n: number }[]
      >`select count(*)::int as n from public.provider_resources where provider_id = ${provider.id} and vanished_at is null`,
    );
    expect(stored.n).toBe(3);
    // Each token Cloudkeep handed out is audited with Azure's audience.
    const audits = await sql<{ metadata: Record<string, string> }[]>`
      select metadata from public.audit_events where target_id = ${provider.id} and action = 'oidc.token_issued'`;
    expect(audits.length).toBeGreaterThanOrEqual(1);
    expect(audits.every((a) => a.metadata.aud === AZURE_FEDERATION_AUDIENCE)).toBe(true);
  });

  it("says the audience did not match, and which audience the federated credential must hold", async () => {
    const provider = await addProvider("Azure audience");
    trust(federationSubject(people.orgId, provider.id), { audiences: ["api://AzureADTokenExchangeChina"] });
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure).toMatchObject({ code: "federation_audience_mismatch", status: 401, retryable: false });
    expect(failure.hint).toContain('audiences must be exactly ["api://AzureADTokenExchange"]');
    expect(fake.assertions[0]).toMatchObject({ ok: false, aadsts: 700212 });
  });

  it("refuses a token for another provider: a credential bound to one subject does not admit another, nor share its cached token", async () => {
    const bound = await addProvider("Azure bound");
    const other = await addProvider("Azure other", "outsider");
    trust(federationSubject(people.orgId, bound.id));
    expect((await checkProviderHealth(vault(), bound.id)).result.ok).toBe(true);
    // Same app, same tenant, same subscription: only the subject differs, so the token cache must tell them apart.
    const failure = failureOf((await checkProviderHealth(vault(people.outsider.claims), other.id)).result);
    const otherSubject = federationSubject(people.outsiderOrgId, other.id);
    expect(failure.code).toBe("federation_subject_mismatch");
    expect(failure.message).toContain(otherSubject);
    expect(failure.hint).toContain(`subject must be exactly ${otherSubject}`);
    expect(failure.hint).toContain(`az ad app federated-credential create --id ${fake.state.clientId}`);
    expect(fake.assertions.map((a) => [a.sub, a.ok, a.aadsts])).toEqual([
      [federationSubject(people.orgId, bound.id), true, undefined],
      [otherSubject, false, 700213],
    ]);
  });

  it("says which issuer to add when the app trusts another one", async () => {
    const provider = await addProvider("Azure issuer");
    trust(federationSubject(people.orgId, provider.id), { issuer: "https://cloudkeep.example.com/functions/v1/oidc" });
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_issuer_mismatch");
    expect(failure.hint).toContain(`Add a federated credential with issuer ${issuer} exactly`);
    expect(failure.hint).toContain(`"issuer":"${issuer}"`);
    expect(fake.assertions[0]).toMatchObject({ ok: false, aadsts: 700211 });
  });

  it("says Entra could not reach the issuer when its documents are not where the token says", async () => {
    const provider = await addProvider("Azure unreachable");
    const dead = "http://127.0.0.1:9/oidc";
    trust(federationSubject(people.orgId, provider.id), { issuer: dead });
    const failure = failureOf(await azure.checkHealth(federatedCredentials(), contextWith(supplier(provider.id, { tokenIssuer: dead }))));
    expect(failure).toMatchObject({ code: "federation_issuer_unreachable", retryable: true });
    expect(failure.hint).toContain(`${dead}/.well-known/openid-configuration`);
    expect(fake.assertions[0]).toMatchObject({ ok: false, aadsts: 50166 });
  });

  it("reports an expired token as such", async () => {
    const provider = await addProvider("Azure expired");
    trust(federationSubject(people.orgId, provider.id));
    const failure = failureOf(
      await azure.checkHealth(federatedCredentials(), contextWith(supplier(provider.id, { backdateMs: 10 * 60_000 }))),
    );
    expect(failure).toMatchObject({ code: "federation_token_expired", retryable: true });
    expect(failure.hint).toContain("clock");
    expect(fake.assertions[0]).toMatchObject({ ok: false, aadsts: 700024 });
  });

  it("names the missing Reader role on the subscription once Entra has accepted the token", async () => {
    const provider = await addProvider("Azure no role");
    trust(federationSubject(people.orgId, provider.id));
    fake.state.noRole = true;
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("subscription_not_enabled");
    expect(failure.hint).toContain(
      `az role assignment create --assignee ${fake.state.clientId} --role Reader --scope /subscriptions/${fake.state.subscriptionId}`,
    );
    expect(fake.assertions[0]).toMatchObject({ ok: true });
  });

  it("signs Azure's token with RS256, which Entra requires, and says so plainly when Entra refuses the algorithm", async () => {
    const provider = await addProvider("Azure algorithm");
    trust(federationSubject(people.orgId, provider.id));
    // Entra's real rule: RSA only. Cloudkeep's token for api://AzureADTokenExchange is RS256, its own RSA key in the JWKS.
    fake.state.assertionAlgorithms = ["RS256"];
    expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
    // The check passed, so a token was presented.
    const header = presented().map(
      (token) => JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { alg: string; kid: string },
    )[0]!;
    expect(header.alg).toBe("RS256");
    const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string; kty: string; alg: string; d?: string }[];
    };
    expect(jwks.keys.find((key) => key.kid === header.kid)).toMatchObject({ kty: "RSA", alg: "RS256" });
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);

    // A tenant that accepted only another algorithm: the refusal is named, not guessed at.
    fake.state.assertionAlgorithms = ["PS256"];
    fake.assertions.length = 0;
    clearAzureTokens();
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_algorithm_unsupported");
    expect(failure.message).toContain("AADSTS5002738");
    expect(fake.assertions[0]).toMatchObject({ ok: false, aadsts: 5002738 });
  });

  it("cannot check unsaved credentials, and sends nothing to Entra: the subject names the provider", async () => {
    const failure = failureOf(await azure.checkHealth(federatedCredentials(), contextWith()));
    expect(failure).toMatchObject({ code: "federation_unavailable", status: 422 });
    expect(failure.hint).toMatch(/^Save the provider first/);
    expect(fake.requests).toHaveLength(0);
  });

  it("says Cloudkeep could not issue its token, without blaming Azure, when issuing fails", async () => {
    const broken: FederationSupplier = {
      issuer,
      subject: "org:x:provider:y",
      token: () => Promise.reject(new Error("connection refused")),
    };
    const failure = failureOf(await azure.checkHealth(federatedCredentials(), contextWith(broken)));
    expect(failure).toMatchObject({ code: "federation_issue_failed", retryable: true });
    expect(fake.tokenRequests()).toHaveLength(0);
  });

  it("never lets the token into a failure, the health history, the provider row or the audit log, even when Entra echoes it back", async () => {
    const provider = await addProvider("Azure canary");
    fake.state.echoSecrets = true;
    const failures: ProviderFailure[] = [];
    // Refused for its audience, its subject, and (after being accepted) for want of a role: each path's message.
    trust(federationSubject(people.orgId, provider.id), { audiences: ["api://other"] });
    failures.push(failureOf((await checkProviderHealth(vault(), provider.id)).result));
    fake.state.federatedCredentials = [];
    trust("org:someone:provider:else");
    failures.push(failureOf((await checkProviderHealth(vault(), provider.id)).result));
    fake.state.federatedCredentials = [];
    fake.state.assertionAlgorithms = ["PS256"];
    trust(federationSubject(people.orgId, provider.id));
    failures.push(failureOf((await checkProviderHealth(vault(), provider.id)).result));
    fake.state.assertionAlgorithms = [...ALGORITHMS];
    fake.state.noRole = true;
    failures.push(failureOf((await checkProviderHealth(vault(), provider.id)).result));
    expect(failures.map((f) => f.code)).toEqual([
      "federation_audience_mismatch",
      "federation_subject_mismatch",
      "federation_algorithm_unsupported",
      "subscription_not_enabled",
    ]);

    const tokens = presented();
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    // Entra's answers did carry the token back (the fake echoes the request): the test can fail.
    expect(fake.tokenRequests().some((request) => request.answer?.text.includes(tokens[0]!.split(".")[2]!))).toBe(true);
    const stored = await sql<{ text: string }[]>`
      select coalesce(string_agg(row_to_json(h)::text, ' '), '') as text from public.provider_health_checks h where provider_id = ${provider.id}
      union all select row_to_json(p)::text from public.cloud_providers p where id = ${provider.id}
      union all select coalesce(string_agg(row_to_json(a)::text, ' '), '') from public.audit_events a where target_id = ${provider.id}`;
    const everything = [JSON.stringify(failures), ...stored.map((row) => row.text)].join("\n");
    expect(everything).toContain(federationSubject(people.orgId, provider.id));
    for (const token of tokens) {
      for (const part of token.split(".")) expect(everything.includes(part), "a part of Cloudkeep's token was kept").toBe(false);
    }
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/);
  });
});

describe("signing key rotation, seen from Entra", () => {
  it("keeps working across a rotation: the new key's tokens verify once Entra refetches the JWKS, and a stale cache is named as such", async () => {
    const verifier = createOidcVerifier({ jwksCacheMs: 60_000 });
    const cached = await startAzureFake({}, { verifier });
    try {
      const provider = await createProvider(vault(), people.orgId, {
        name: "Azure rotation",
        provider_type: "azure",
        api_endpoint: cached.url,
        credentials: cached.federatedCredentials(),
      });
      const subject = federationSubject(people.orgId, provider.id);
      cached.state.federatedCredentials = [{ issuer, subject, audiences: [AZURE_FEDERATION_AUDIENCE] }];
      const assertionKids = () =>
        cached.tokenRequests().map((r) => decodeProtectedHeader(new URLSearchParams(r.body).get("client_assertion")!).kid);

      expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
      const before = assertionKids()[0];
      // Azure's tokens are RS256: its key line rotates on its own.
      const rotation = await rotateSigningKey(sql, ring, { publishAheadSeconds: 2, algorithm: "RS256" });
      expect(rotation.kid).not.toBe(before);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotation.activeFrom.getTime() - Date.now()) + 100));

      // Entra still holds the JWKS it fetched before the new key existed: the failure says so, and is worth retrying.
      clearAzureTokens();
      const stale = failureOf((await checkProviderHealth(vault(), provider.id)).result);
      expect(stale).toMatchObject({ code: "federation_key_not_published", retryable: true });
      expect(stale.hint).toContain(`${issuer}/.well-known/jwks.json`);
      expect(assertionKids().at(-1)).toBe(rotation.kid);

      // Its cache expires, it refetches the JWKS (which published the new key first), and the new key's token passes.
      verifier.clear();
      clearAzureTokens();
      const fetchesBefore = verifier.fetches.length;
      expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
      expect(verifier.fetches.length).toBeGreaterThan(fetchesBefore);
      expect(assertionKids().at(-1)).toBe(rotation.kid);
      expect(cached.assertions.map((a) => [a.ok, a.aadsts])).toEqual([
        [true, undefined],
        [false, 7000272],
        [true, undefined],
      ]);
    } finally {
      await cached.close();
    }
  });
});
