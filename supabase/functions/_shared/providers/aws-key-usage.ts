// The real age and last use of an AWS access key, as IAM records them (iam:GetAccessKeyLastUsed and
// iam:ListAccessKeys). Both are extras of a health check: a key without these permissions, an endpoint
// without IAM, or any other failure only leaves the fields null — the check itself never fails on them.
//
// Only long-term keys have an IAM record: temporary keys (a session token, ASIA…; assumed roles included)
// are skipped without a call.
import type { AwsKeyCredentials } from "../schemas/providers.ts";
import { sdkClientConfig, withoutSdkLogging, type AwsSession } from "./aws.ts";

export type AwsKeyUsage = {
  key_created_at: string | null;
  key_last_used_at: string | null;
  key_last_used_service: string | null;
  key_last_used_region: string | null;
};

const UNKNOWN: AwsKeyUsage = { key_created_at: null, key_last_used_at: null, key_last_used_service: null, key_last_used_region: null };

/** Whether IAM can know this key: a long-term key, not a session's. */
export function hasIamRecord(credentials: Pick<AwsKeyCredentials, "access_key" | "session_token">): boolean {
  return !credentials.session_token && !credentials.access_key.startsWith("ASIA");
}

const isoOrNull = (value: Date | undefined) => (value && !Number.isNaN(value.getTime()) ? value.toISOString() : null);
/** IAM says "N/A" for the service and region of a key never used. */
const knownOrNull = (value: string | undefined) => (value && value !== "N/A" ? value : null);

/**
 * Asks IAM about the key the session signs with. The two calls run side by side: ListAccessKeys without
 * a UserName lists the keys of the user who signs, which is this key's user, so it need not wait for
 * GetAccessKeyLastUsed to name them. One attempt each, inside the session's time budget.
 */
export async function awsKeyUsage(credentials: AwsKeyCredentials, session: AwsSession, region: string): Promise<AwsKeyUsage> {
  if (!hasIamRecord(credentials)) return UNKNOWN;
  const { IAMClient, GetAccessKeyLastUsedCommand, ListAccessKeysCommand } = await import("@aws-sdk/client-iam");
  const iam = withoutSdkLogging(new IAMClient({ ...sdkClientConfig(session, region), maxAttempts: 1 }));
  const deadline = AbortSignal.timeout(session.timeoutMs);
  const abortSignal = session.signal ? AbortSignal.any([deadline, session.signal]) : deadline;
  const optional = <T>(send: Promise<T>) => send.catch(() => null);
  const [lastUsed, keys] = await Promise.all([
    optional(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: credentials.access_key }), { abortSignal })),
    optional(iam.send(new ListAccessKeysCommand({}), { abortSignal })),
  ]);
  const used = lastUsed?.AccessKeyLastUsed;
  const thisKey = keys?.AccessKeyMetadata?.find((key) => key.AccessKeyId === credentials.access_key);
  return {
    key_created_at: isoOrNull(thisKey?.CreateDate),
    key_last_used_at: isoOrNull(used?.LastUsedDate),
    key_last_used_service: knownOrNull(used?.ServiceName),
    key_last_used_region: knownOrNull(used?.Region),
  };
}

/** The known fields as identity details (strings only; unknown ones left out). */
export function keyUsageDetails(usage: AwsKeyUsage): Record<string, string> {
  return Object.fromEntries(Object.entries(usage).filter((entry): entry is [string, string] => entry[1] !== null));
}
