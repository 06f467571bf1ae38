// Roles Cloudkeep assumes instead of storing keys. Cloudkeep's own identity comes from the AWS
// credential chain of the process environment (AWS_ACCESS_KEY_ID/…, a web identity token, an
// attached role) and calls sts:AssumeRole with the provider's external ID for a 900-second session,
// kept in memory until shortly before it expires. A new session first passes the confused-deputy
// check: the same AssumeRole WITHOUT the external ID must be refused, or anyone who learns the role's
// ARN could have Cloudkeep use it, so Cloudkeep does not. Health checks then probe each permission
// Cloudkeep needs, so a missing one is named before a listing fails on it.
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AssumeRoleCommandOutput } from "@aws-sdk/client-sts";
import { UpstreamError } from "../net/http.ts";
import { TokenCache } from "../net/token-cache.ts";
import {
  assumedRoleArn,
  isAwsWebIdentityCredentials,
  type AwsKeyCredentials,
  type AwsRoleCredentials,
  type AwsWebIdentityCredentials,
} from "../schemas/providers.ts";
import { assumeRoleFailure, externalIdNotAssigned, externalIdNotRequired, missingPermission, type RoleFacts } from "./aws-errors.ts";
import { awsRoleSettings } from "./aws-role-templates.ts";
import {
  AWS_MAX_ATTEMPTS,
  awsCall,
  checkKeyHealth,
  DEFAULT_TIMEOUT_MS,
  failureOf,
  homeRegion,
  openAwsSession,
  sdkClientConfig,
  withoutSdkLogging,
  type AwsSession,
} from "./aws.ts";
import { assumeWithWebIdentity, operatorKeys, temporaryKeys, webIdentityFacts } from "./aws-web-identity.ts";
import type { AdapterContext, HealthResult } from "./types.ts";

/** A role Cloudkeep assumes: with its own identity and an external ID, or with its OIDC token. */
export type AssumableRole = AwsRoleCredentials | AwsWebIdentityCredentials;

export const ROLE_SESSION_SECONDS = 900;
/** Renewed this long before it expires, so that a listing started on a session can finish on it. */
const RENEW_BEFORE_MS = 3 * 60_000;
/** How customers recognise Cloudkeep in their CloudTrail: the assumed-role session's name. */
export const ROLE_SESSION_NAME = "cloudkeep";

type RoleSession = { keys: AwsKeyCredentials };

const sessions = new TokenCache<RoleSession>({ refreshBeforeMs: RENEW_BEFORE_MS });

/** Forgets every cached session (tests, and a process that changes its own identity). */
export function clearRoleSessions() {
  sessions.clear();
}

function roleFacts(credentials: AwsRoleCredentials): RoleFacts {
  if (!credentials.external_id) throw new UpstreamError(externalIdNotAssigned());
  return { roleArn: assumedRoleArn(credentials), externalId: credentials.external_id, principalArn: awsRoleSettings().principalArn };
}

const cacheKey = (facts: RoleFacts, region: string) => ["aws-assume-role", facts.roleArn, facts.externalId, region];

/** A failed call of Cloudkeep's own AssumeRole, said in terms of the customer's role. */
function assumeError(error: unknown, facts: RoleFacts): UpstreamError {
  return new UpstreamError(assumeRoleFailure(failureOf(error), facts));
}

/**
 * Cloudkeep's own STS client. Its identity is the SDK's default chain (the environment), or, when the
 * operator set CLOUDKEEP_AWS_OPERATOR_ROLE_ARN, a role assumed with Cloudkeep's own OIDC token (no
 * static AWS key anywhere). Its endpoint follows the environment too (AWS_ENDPOINT_URL_STS), never a
 * provider's api_endpoint, so Cloudkeep's own signature is not sent to an address a customer chose.
 */
async function cloudkeepSts(region: string, timeoutMs: number, context: AdapterContext) {
  const own = await operatorKeys(context, region, timeoutMs);
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const requestHandler = new NodeHttpHandler({ connectionTimeout: Math.min(timeoutMs, 5_000), requestTimeout: timeoutMs });
  const credentials = own ? { accessKeyId: own.access_key, secretAccessKey: own.secret_key, sessionToken: own.session_token } : undefined;
  const client = withoutSdkLogging(
    new STSClient({
      region,
      requestHandler,
      maxAttempts: AWS_MAX_ATTEMPTS,
      retryMode: "standard",
      ...(credentials ? { credentials } : {}),
    }),
  );
  return { client, AssumeRoleCommand, close: () => requestHandler.destroy() };
}

async function assumeVerified(facts: RoleFacts, region: string, context: AdapterContext) {
  const timeoutMs = context.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { client, AssumeRoleCommand, close } = await cloudkeepSts(region, timeoutMs, context);
  const own: Pick<AwsSession, "apiEndpoint" | "timeoutMs" | "signal" | "secrets" | "temporary"> = {
    apiEndpoint: awsRoleSettings().stsEndpoint,
    timeoutMs,
    signal: context.signal,
    secrets: [],
    temporary: false,
  };
  const assume = (externalId?: string) =>
    awsCall(own, { service: "sts", action: "sts:AssumeRole", region }, (abortSignal) =>
      client.send(
        new AssumeRoleCommand({
          RoleArn: facts.roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          DurationSeconds: ROLE_SESSION_SECONDS,
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
        { abortSignal },
      ),
    );
  try {
    let assumed: AssumeRoleCommandOutput;
    try {
      assumed = await assume(facts.externalId);
    } catch (error) {
      throw assumeError(error, facts);
    }
    // The confused-deputy check. Only a refusal proves the condition; anything else (a throttle, a
    // timeout) proves nothing, so this check fails and the next one tries again.
    const probe = await assume().then(
      () => null,
      (error: unknown) => error,
    );
    if (probe === null) throw new UpstreamError(externalIdNotRequired(facts));
    if (!(probe instanceof UpstreamError && probe.status === 403)) throw assumeError(probe, facts);
    const { value: keys, expiresAt } = temporaryKeys(assumed.Credentials, region, {
      operation: "AssumeRole",
      hint: "Check Cloudkeep's STS endpoint (AWS_ENDPOINT_URL_STS) is AWS STS.",
    });
    return { value: { keys }, expiresAt };
  } finally {
    close();
  }
}

/** Where a role's session is cached: per role, external ID (or subject and STS endpoint) and region. */
function sessionKey(credentials: AssumableRole, context: AdapterContext): unknown[] {
  const region = homeRegion(credentials);
  if (isAwsWebIdentityCredentials(credentials)) {
    const facts = webIdentityFacts(credentials, context);
    return ["aws-web-identity", facts.roleArn, facts.issuer, facts.subject, context.apiEndpoint, region];
  }
  return cacheKey(roleFacts(credentials), region);
}

/** The verified session for a role, cached until shortly before it expires. */
export async function assumeRoleSession(credentials: AssumableRole, context: AdapterContext): Promise<RoleSession> {
  const key = sessionKey(credentials, context);
  if (isAwsWebIdentityCredentials(credentials)) {
    return sessions.get(key, async () => {
      const { value, expiresAt } = await assumeWithWebIdentity(credentials, context);
      return { value: { keys: value }, expiresAt };
    });
  }
  const facts = roleFacts(credentials);
  return sessions.get(key, () => assumeVerified(facts, homeRegion(credentials), context));
}

/** Runs `work` with the role's session keys; a session AWS no longer accepts is dropped, so the next call assumes again. */
export async function withRoleSession<T>(
  credentials: AssumableRole,
  context: AdapterContext,
  work: (keys: AwsKeyCredentials) => Promise<T>,
): Promise<T> {
  const session = await assumeRoleSession(credentials, context);
  try {
    return await work(session.keys);
  } catch (error) {
    if (error instanceof UpstreamError && error.status === 401) await sessions.invalidate(sessionKey(credentials, context));
    throw error;
  }
}

/** The calls Cloudkeep makes with a role, each tried once in the role's home region. */
async function firstMissingPermission(keys: AwsKeyCredentials, context: AdapterContext): Promise<string | null> {
  const region = homeRegion(keys);
  const session = openAwsSession(keys, context);
  const [ec2, trail] = await Promise.all([import("@aws-sdk/client-ec2"), import("@aws-sdk/client-cloudtrail")]);
  const ec2Client = withoutSdkLogging(new ec2.EC2Client(sdkClientConfig(session, region)));
  const trailClient = withoutSdkLogging(new trail.CloudTrailClient(sdkClientConfig(session, region)));
  const probes: [AwsCallName, (abortSignal: AbortSignal) => Promise<unknown>][] = [
    ["ec2:DescribeRegions", (abortSignal) => ec2Client.send(new ec2.DescribeRegionsCommand({}), { abortSignal })],
    ["ec2:DescribeInstances", (abortSignal) => ec2Client.send(new ec2.DescribeInstancesCommand({ MaxResults: 5 }), { abortSignal })],
    ["cloudtrail:LookupEvents", (abortSignal) => trailClient.send(new trail.LookupEventsCommand({ MaxResults: 1 }), { abortSignal })],
  ];
  try {
    const outcomes = await Promise.all(
      probes.map(([action, send]) =>
        awsCall(session, { service: action.split(":")[0] as "ec2" | "cloudtrail", action, region }, send).then(
          () => null,
          (error: unknown) => ({ action, error }),
        ),
      ),
    );
    const failed = outcomes.find((outcome) => outcome !== null);
    if (!failed) return null;
    if (failed.error instanceof UpstreamError && failed.error.status === 403) return failed.action;
    throw failed.error;
  } finally {
    session.close();
  }
}

type AwsCallName = "ec2:DescribeRegions" | "ec2:DescribeInstances" | "cloudtrail:LookupEvents";

/**
 * A role's health: assume it (with the confused-deputy check on a new session), prove the session
 * with sts:GetCallerIdentity, then check every permission Cloudkeep needs.
 */
export async function checkRoleHealth(credentials: AssumableRole, context: AdapterContext): Promise<HealthResult> {
  const started = performance.now();
  const failed = (error: unknown): HealthResult => ({
    ok: false,
    error: failureOf(error),
    latencyMs: Math.round(performance.now() - started),
    checkedAt: new Date().toISOString(),
  });
  try {
    return await withRoleSession(credentials, context, async (keys) => {
      const proved = await checkKeyHealth(keys, context);
      if (!proved.ok) throw new UpstreamError(proved.error);
      const missing = await firstMissingPermission(keys, context);
      if (missing) return failed(new UpstreamError(missingPermission(missing, assumedRoleArn(credentials))));
      const { identity } = proved;
      return {
        ok: true,
        identity: {
          account: identity.account,
          label: identity.label,
          details: {
            ...identity.details,
            role_arn: assumedRoleArn(credentials),
            ...(isAwsWebIdentityCredentials(credentials)
              ? { subject: context.federation!.subject, subject_pinned: "yes" }
              : { external_id_required: "yes" }),
          },
        },
        latencyMs: Math.round(performance.now() - started),
        checkedAt: new Date().toISOString(),
      };
    });
  } catch (error) {
    return failed(error);
  }
}
