// `npm run bench:federation`: what connecting with no secret costs a health check. The same Google
// fake answers both: a check with a service-account key (RS256 assertion → OAuth token → Compute)
// and a check by workload identity federation (ES256 token issued and audited → STS exchange, where
// the fake verifies it against the live issuer's JWKS as Google does → generateAccessToken →
// Compute). Access-token caches are cleared before every check, so each one pays for its whole
// token chain; the fake's JWKS cache is left warm, as Google's is. Target: federation adds ≤ 50 ms.
//
//   npm run bench:federation [-- --runs 40]
import postgres from "postgres";
import { parseKeyRing } from "../supabase/functions/_shared/crypto/index.ts";
import { federationSubject } from "../supabase/functions/_shared/federation/issuer.ts";
import { issueFederationToken, federationSupplier } from "../supabase/functions/_shared/federation/token.ts";
import { createGcpAdapter } from "../supabase/functions/_shared/providers/gcp.ts";
import { clearWorkloadIdentityTokens } from "../supabase/functions/_shared/providers/gcp-workload-identity.ts";
import type { AdapterContext } from "../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema } from "../supabase/functions/_shared/schemas/providers.ts";
import { enableGcpFederation } from "../tests/fakes/gcp-federation.ts";
import { startGcpFake, TEST_CA } from "../tests/fakes/gcp.ts";
import { startTestStack } from "../tests/support/stack.ts";
import { arg, log, median } from "./support.ts";

const runs = arg("--runs", 40);
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))];
const fmt = (values: number[]) => `median ${median(values).toFixed(1)} ms, p95 ${p95(values).toFixed(1)} ms`;

const stack = await startTestStack();
const sql = postgres(stack.info.databaseUrl, { max: 4, onnotice: () => {} });
const fake = await startGcpFake();
try {
  const ring = parseKeyRing(stack.info.encryptionKeys);
  const issuer = `${stack.info.supabaseUrl}/functions/v1/oidc`;
  const [{ id: organizationId }] = await sql<{ id: string }[]>`
    insert into public.organizations (slug, name) values ('bench-federation', 'Bench federation') returning id`;
  const providerId = crypto.randomUUID();
  const federation = enableGcpFederation(fake, { issuer });
  federation.config.workloadIdentityUsers = [federationSubject(organizationId, providerId)];
  federation.config.computeViewers = [`serviceAccount:${federation.config.serviceAccount}`];
  // An audited token needs its provider's organization; the provider row itself is not read here.
  const adapter = createGcpAdapter({ ca: TEST_CA, retries: 0 });
  const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
  const keyContext: AdapterContext = { apiEndpoint: fake.url, regions: [], outbound };
  const federatedContext: AdapterContext = { ...keyContext, federation: federationSupplier({ sql, ring, issuer }, { id: providerId, organization_id: organizationId }) };
  const keyCredentials = credentialsSchema("gcp").parse(fake.keyFile());
  const federatedCredentials = credentialsSchema("gcp").parse({ ...federation.credentialConfig(), project_id: fake.state.projectId });
  const { forgetGcpAccessToken } = await import("../supabase/functions/_shared/providers/gcp-token.ts");

  const timed = async (fn: () => Promise<{ ok: boolean }>) => {
    const started = performance.now();
    const result = await fn();
    if (!result.ok) throw new Error(`a check failed: ${JSON.stringify(result)}`);
    return performance.now() - started;
  };
  const withKey = () => timed(async () => {
    await forgetGcpAccessToken(keyCredentials as never);
    return adapter.checkHealth(keyCredentials, keyContext);
  });
  const federated = () => timed(async () => {
    clearWorkloadIdentityTokens();
    return adapter.checkHealth(federatedCredentials, federatedContext);
  });
  const issuance = async () => {
    const started = performance.now();
    await issueFederationToken({ sql, ring, issuer }, { organizationId, providerId, audience: "bench" });
    return performance.now() - started;
  };

  // Warm-up: module loading, the first signing key, connection pools, the fake's JWKS cache.
  for (let i = 0; i < 5; i++) {
    await withKey();
    await federated();
    await issuance();
  }
  const key: number[] = [];
  const fed: number[] = [];
  const issue: number[] = [];
  // Interleaved, so a busy moment on a shared host lands on both.
  for (let i = 0; i < runs; i++) {
    key.push(await withKey());
    fed.push(await federated());
    issue.push(await issuance());
  }
  const added = median(fed) - median(key);
  log(`Health check against the Google fake, ${runs} runs each, token caches cleared before every check:`);
  log(`  service-account key           ${fmt(key)}`);
  log(`  workload identity federation  ${fmt(fed)}`);
  log(`  token issuance alone (sign + audit)  ${fmt(issue)}`);
  log(`Federation adds ${added.toFixed(1)} ms to a check (median; target ≤ 50 ms): ${added <= 50 ? "within target" : "OVER TARGET"}.`);
  process.exitCode = added <= 50 ? 0 : 1;
} finally {
  await fake.close();
  await sql.end({ timeout: 5 });
  await stack.stop();
}
