// `npm run keys:rotate`: re-wraps every credential's (and webhook secret's) data key under the active key of
// CLOUDKEEP_ENCRYPTION_KEYS (the first entry) and re-keys its fingerprint. The credential
// ciphertext itself is untouched. Works in batches, each its own transaction; safe to stop
// and run again (rows already under the active key are skipped). Prints counts and, for a
// row that cannot be read, its provider id and why — never key material or plaintext.
//
//   CLOUDKEEP_ENCRYPTION_KEYS="new:…,old:…" DATABASE_URL=… npm run keys:rotate [-- --batch 500]
import { join, resolve } from "node:path";
import postgres from "postgres";
import {
  CredentialDecryptError,
  credentialFingerprint,
  decryptCredential,
  parseKeyRing,
  rewrapEnvelope,
  type CredentialEnvelope,
  type KeyRing,
} from "../supabase/functions/_shared/crypto/index.ts";
import type { CredentialsOf, ProviderType } from "../supabase/functions/_shared/schemas/providers.ts";
import { onlyRow } from "../supabase/functions/_shared/db.ts";
import { rewrapSigningKeys } from "../supabase/functions/_shared/federation/keys.ts";
import { readEnvFile } from "../supabase/local/env-file.ts";

export type RotationReport = { rewrapped: number; alreadyCurrent: number; failed: { providerId: string; reason: string }[] };

type Row = {
  id: string;
  organization_id: string;
  provider_type: ProviderType;
  api_endpoint: string | null;
  credentials: CredentialEnvelope;
};

/** Rotates every provider not yet under the active key. Exported for tests and the benchmark. */
export async function rotateKeys(
  sql: postgres.Sql,
  ring: KeyRing,
  options: { batchSize?: number; onBatch?: (r: RotationReport) => void } = {},
) {
  const batchSize = options.batchSize ?? 500;
  const report: RotationReport = { rewrapped: 0, alreadyCurrent: 0, failed: [] };
  const counted = await sql<
    { current: number }[]
  >`select count(*)::int as current from public.cloud_providers where credentials ->> 'kid' = ${ring.activeKeyId}`;
  report.alreadyCurrent = onlyRow(counted, "select count(*) of current credentials").current;

  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const done = await sql.begin(async (tx) => {
      // SKIP LOCKED lets two runs share the work instead of waiting on each other.
      const rows = await tx<Row[]>`
        select id, organization_id, provider_type, api_endpoint, credentials
        from public.cloud_providers
        where id > ${after} and credentials ->> 'kid' is distinct from ${ring.activeKeyId}
        order by id
        limit ${batchSize}
        for update skip locked`;
      const last = rows.at(-1);
      if (!last) return true;
      after = last.id;
      const updates: { id: string; credentials: CredentialEnvelope; fingerprint: string }[] = [];
      for (const row of rows) {
        const binding = { organizationId: row.organization_id, providerId: row.id };
        try {
          const credentials = await rewrapEnvelope(ring, binding, row.credentials);
          const plaintext = await decryptCredential(ring, binding, credentials);
          const fingerprint = await credentialFingerprint(
            ring,
            row.provider_type,
            plaintext as CredentialsOf<ProviderType>,
            row.api_endpoint,
          );
          updates.push({ id: row.id, credentials, fingerprint });
        } catch (error) {
          const reason = error instanceof CredentialDecryptError ? error.message : `could not be re-wrapped (${(error as Error).name})`;
          report.failed.push({ providerId: row.id, reason });
        }
      }
      if (updates.length) {
        await tx`
          update public.cloud_providers p
          set credentials = u.credentials::jsonb, credential_fingerprint = u.fingerprint
          from jsonb_to_recordset(${tx.json(updates as never)}) as u(id uuid, credentials jsonb, fingerprint text)
          where p.id = u.id`;
      }
      report.rewrapped += updates.length;
      return false;
    });
    options.onBatch?.(report);
    if (done) {
      await rotateReadOnlyCredentials(sql, ring, report, batchSize);
      await rotateWebhookSecrets(sql, ring, report);
      // The OIDC issuer's private signing keys are envelopes under the same ring.
      const signing = await rewrapSigningKeys(sql, ring);
      report.rewrapped += signing.rewrapped;
      report.failed.push(...signing.failed.map((f) => ({ providerId: `OIDC signing key ${f.kid}`, reason: f.reason })));
      return report;
    }
  }
}

/** Read-only credentials (bound to `<provider id>_ro`): re-wrapped the same way, in batches. */
async function rotateReadOnlyCredentials(sql: postgres.Sql, ring: KeyRing, report: RotationReport, batchSize: number) {
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const done = await sql.begin(async (tx) => {
      const rows = await tx<{ id: string; organization_id: string; read_only_credentials: CredentialEnvelope }[]>`
        select id, organization_id, read_only_credentials from public.cloud_providers
        where id > ${after} and read_only_credentials is not null and read_only_credentials ->> 'kid' is distinct from ${ring.activeKeyId}
        order by id limit ${batchSize}
        for update skip locked`;
      const last = rows.at(-1);
      if (!last) return true;
      after = last.id;
      for (const row of rows) {
        try {
          const envelope = await rewrapEnvelope(
            ring,
            { organizationId: row.organization_id, providerId: `${row.id}_ro` },
            row.read_only_credentials,
          );
          await tx`update public.cloud_providers set read_only_credentials = ${tx.json(envelope as never)} where id = ${row.id}`;
          report.rewrapped += 1;
        } catch (error) {
          const reason = error instanceof CredentialDecryptError ? error.message : `could not be re-wrapped (${(error as Error).name})`;
          report.failed.push({ providerId: `${row.id} (read-only credential)`, reason });
        }
      }
      return false;
    });
    if (done) return;
  }
}

/** Organization webhook signing secrets are envelopes too (one per organization, so one batch). */
async function rotateWebhookSecrets(sql: postgres.Sql, ring: KeyRing, report: RotationReport) {
  await sql.begin(async (tx) => {
    const rows = await tx<{ organization_id: string; secret: CredentialEnvelope }[]>`
      select organization_id, secret from public.organization_webhooks
      where secret ->> 'kid' is distinct from ${ring.activeKeyId}
      for update skip locked`;
    for (const row of rows) {
      try {
        const secret = await rewrapEnvelope(ring, { organizationId: row.organization_id, providerId: "webhook" }, row.secret);
        await tx`update public.organization_webhooks set secret = ${tx.json(secret as never)} where organization_id = ${row.organization_id}`;
        report.rewrapped += 1;
      } catch (error) {
        const reason = error instanceof CredentialDecryptError ? error.message : `could not be re-wrapped (${(error as Error).name})`;
        report.failed.push({ providerId: `webhook of organization ${row.organization_id}`, reason });
      }
    }
  });
}

async function main() {
  const root = resolve(import.meta.dirname, "..");
  const env = { ...readEnvFile(join(root, ".env.local")), ...process.env } as Record<string, string | undefined>;
  const batchFlag = process.argv.indexOf("--batch");
  const batchSize = batchFlag > 0 ? Number(process.argv[batchFlag + 1]) : 500;
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set (run `npm run dev` once locally, or export it).");
  const ring = parseKeyRing(env.CLOUDKEEP_ENCRYPTION_KEYS);
  const sql = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {} });
  const started = Date.now();
  try {
    console.log(`Re-wrapping credentials under key "${ring.activeKeyId}" (${ring.keyIds.length} key(s) in the ring)…`);
    const report = await rotateKeys(sql, ring, {
      batchSize,
      onBatch: (r) => process.stdout.write(`\r  re-wrapped ${r.rewrapped}, failed ${r.failed.length}`),
    });
    console.log(
      `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.rewrapped} re-wrapped, ${report.alreadyCurrent} already current, ${report.failed.length} failed.`,
    );
    for (const failure of report.failed) console.log(`  ${failure.providerId}: ${failure.reason}`);
    if (report.failed.length === 0 && ring.keyIds.length > 1) {
      console.log(`Every credential is under "${ring.activeKeyId}". You can now remove the other keys from CLOUDKEEP_ENCRYPTION_KEYS.`);
    }
    process.exitCode = report.failed.length ? 1 : 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
