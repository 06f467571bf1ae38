// `npm run bench:federation`: what connecting with no secret costs a health check, per cloud. Each
// cloud's fake answers both checks: with a stored secret, and by federation, where Cloudkeep issues
// and audits its token and the fake verifies it against the live issuer's JWKS as the cloud does.
//   Google Cloud: service-account key (RS256 assertion → OAuth token → Compute) vs workload identity
//     (ES256 token → STS exchange → generateAccessToken → Compute).
//   AWS: access key (GetCallerIdentity and the permission probes) vs web identity (ES256 token →
//     AssumeRoleWithWebIdentity, then a second token for another subject that must be refused → the
//     same calls on the role's session).
//   Azure: client secret vs federated (RS256 token as client assertion → Resource Manager).
// Token and session caches are cleared before every check, so each pays for its whole token chain;
// the fakes' JWKS caches stay warm, as the clouds' do. Target: federation adds ≤ 50 ms.
//
//   npm run bench:federation [-- --runs 40]
import postgres from "postgres";
import { parseKeyRing } from "../supabase/functions/_shared/crypto/index.ts";
import { onlyRow } from "../supabase/functions/_shared/db.ts";
import {
  AWS_WEB_IDENTITY_AUDIENCE,
  AZURE_FEDERATION_AUDIENCE,
  federationSubject,
  issuerHostPath,
} from "../supabase/functions/_shared/federation/issuer.ts";
import { issueFederationToken, federationSupplier } from "../supabase/functions/_shared/federation/token.ts";
import { clearRoleSessions } from "../supabase/functions/_shared/providers/aws-assume-role.ts";
import { awsAdapter } from "../supabase/functions/_shared/providers/aws.ts";
import { clearAzureTokens, createAzureAdapter } from "../supabase/functions/_shared/providers/azure.ts";
import { createGcpAdapter } from "../supabase/functions/_shared/providers/gcp.ts";
import { clearWorkloadIdentityTokens } from "../supabase/functions/_shared/providers/gcp-workload-identity.ts";
import type { AdapterContext, HealthResult } from "../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema } from "../supabase/functions/_shared/schemas/providers.ts";
import { AWS_FAKE_KEY, startAwsFake } from "../tests/fakes/aws.ts";
import { enableAwsWebIdentity } from "../tests/fakes/aws-web-identity.ts";
import { startAzureFake } from "../tests/fakes/azure.ts";
import { enableGcpFederation } from "../tests/fakes/gcp-federation.ts";
import { startGcpFake, TEST_CA } from "../tests/fakes/gcp.ts";
import { startTestStack } from "../tests/support/stack.ts";
import { arg, log, median, percentile } from "./support.ts";

const runs = arg("--runs", 40);
const fmt = (values: number[]) => `median ${median(values).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`;

const stack = await startTestStack();
const sql = postgres(stack.info.databaseUrl, { max: 4, onnotice: () => {} });
const gcpFake = await startGcpFake();
const awsFake = await startAwsFake({ aws: { regions: ["us-east-1"] } });
const azureFake = await startAzureFake();
try {
  const ring = parseKeyRing(stack.info.encryptionKeys);
  const issuer = `${stack.info.supabaseUrl}/functions/v1/oidc`;
  const { id: organizationId } = onlyRow(
    await sql<{ id: string }[]>`
    insert into public.organizations (slug, name) values ('bench-federation', 'Bench federation') returning id`,
    "insert into public.organizations",
  );
  // An audited token needs its provider's organization; the provider row itself is not read here.
  const providerId = crypto.randomUUID();
  const subject = federationSubject(organizationId, providerId);
  const supplier = federationSupplier({ sql, ring, issuer }, { id: providerId, organization_id: organizationId });
  const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
  const contextFor = (apiEndpoint: string): [AdapterContext, AdapterContext] => {
    const plain: AdapterContext = { apiEndpoint, regions: [], outbound };
    return [plain, { ...plain, federation: supplier }];
  };

  // Google Cloud
  const gcpFederation = enableGcpFederation(gcpFake, { issuer });
  gcpFederation.config.workloadIdentityUsers = [subject];
  gcpFederation.config.computeViewers = [`serviceAccount:${gcpFederation.config.serviceAccount}`];
  const gcp = createGcpAdapter({ ca: TEST_CA, retries: 0 });
  const [gcpKeyContext, gcpFederatedContext] = contextFor(gcpFake.url);
  const gcpKey = credentialsSchema("gcp").parse(gcpFake.keyFile());
  const gcpFederated = credentialsSchema("gcp").parse({ ...gcpFederation.credentialConfig(), project_id: gcpFake.state.projectId });
  const { forgetGcpAccessToken } = await import("../supabase/functions/_shared/providers/gcp-token.ts");

  // AWS
  const account = "444455556666";
  const roleArn = `arn:aws:iam::${account}:role/CloudkeepReadOnly`;
  enableAwsWebIdentity(awsFake, [{ account, url: issuerHostPath(issuer), clientIds: [AWS_WEB_IDENTITY_AUDIENCE] }]);
  awsFake.roles = [
    {
      arn: roleArn,
      trusts: "",
      externalId: "",
      enforceExternalId: false,
      webIdentity: { providerUrl: issuerHostPath(issuer), audience: AWS_WEB_IDENTITY_AUDIENCE, subject },
    },
  ];
  const [awsKeyContext, awsFederatedContext] = contextFor(awsFake.url);
  const awsKey = credentialsSchema("aws").parse({ access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey });
  const awsFederated = credentialsSchema("aws").parse({ auth_method: "web_identity", role_arn: roleArn });

  // Azure
  azureFake.state.federatedCredentials = [{ issuer, subject, audiences: [AZURE_FEDERATION_AUDIENCE] }];
  const azure = createAzureAdapter({ ca: TEST_CA, retries: 0 });
  const [azureKeyContext, azureFederatedContext] = contextFor(azureFake.url);
  const azureSecret = credentialsSchema("azure").parse(azureFake.credentials());
  const azureFederated = credentialsSchema("azure").parse(azureFake.federatedCredentials());

  const timed = async (fn: () => Promise<HealthResult>) => {
    const started = performance.now();
    const result = await fn();
    if (!result.ok) throw new Error(`a check failed: ${JSON.stringify(result.error)}`);
    return performance.now() - started;
  };
  const clouds = [
    {
      name: "Google Cloud",
      secret: "service-account key",
      withSecret: async () => {
        await forgetGcpAccessToken(gcpKey as never);
        return gcp.checkHealth(gcpKey, gcpKeyContext);
      },
      federated: () => {
        clearWorkloadIdentityTokens();
        return gcp.checkHealth(gcpFederated, gcpFederatedContext);
      },
    },
    {
      name: "AWS",
      secret: "access key",
      withSecret: () => awsAdapter.checkHealth(awsKey, awsKeyContext),
      federated: () => (clearRoleSessions(), awsAdapter.checkHealth(awsFederated, awsFederatedContext)),
    },
    {
      name: "Azure",
      secret: "client secret",
      withSecret: () => (clearAzureTokens(), azure.checkHealth(azureSecret, azureKeyContext)),
      federated: () => (clearAzureTokens(), azure.checkHealth(azureFederated, azureFederatedContext)),
    },
  ];
  const issuance = async (audience: string) => {
    const started = performance.now();
    await issueFederationToken({ sql, ring, issuer }, { organizationId, providerId, audience });
    return performance.now() - started;
  };

  // Warm-up: module loading, the first signing keys (ES256 and RS256), connection pools, the fakes' JWKS caches.
  for (let i = 0; i < 5; i++) {
    for (const cloud of clouds) {
      await timed(cloud.withSecret);
      await timed(cloud.federated);
    }
    await issuance(AWS_WEB_IDENTITY_AUDIENCE);
    await issuance(AZURE_FEDERATION_AUDIENCE);
  }
  const results = clouds.map((cloud) => ({ cloud, secret: [] as number[], federated: [] as number[] }));
  const es256: number[] = [];
  const rs256: number[] = [];
  // Interleaved, so a busy moment on a shared host lands on every series.
  for (let i = 0; i < runs; i++) {
    for (const result of results) {
      result.secret.push(await timed(result.cloud.withSecret));
      result.federated.push(await timed(result.cloud.federated));
    }
    es256.push(await issuance(AWS_WEB_IDENTITY_AUDIENCE));
    rs256.push(await issuance(AZURE_FEDERATION_AUDIENCE));
  }
  log(`Health checks against each cloud's fake, ${runs} runs each, token and session caches cleared before every check:`);
  let worst = 0;
  for (const { cloud, secret, federated } of results) {
    const added = median(federated) - median(secret);
    worst = Math.max(worst, added);
    log(`  ${cloud.name.padEnd(13)} ${cloud.secret.padEnd(20)} ${fmt(secret)}`);
    log(`  ${"".padEnd(13)} ${"federation".padEnd(20)} ${fmt(federated)}   adds ${added.toFixed(1)} ms`);
  }
  log(`  token issuance alone (sign + audit): ES256 ${fmt(es256)}; RS256 ${fmt(rs256)}`);
  log(
    `Federation adds at most ${worst.toFixed(1)} ms to a check (median; target ≤ 50 ms): ${worst <= 50 ? "within target" : "OVER TARGET"}.`,
  );
  process.exitCode = worst <= 50 ? 0 : 1;
} finally {
  await Promise.all([gcpFake.close(), awsFake.close(), azureFake.close()]);
  await sql.end({ timeout: 5 });
  await stack.stop();
}
