// The accounts of an AWS Organization, read from its management account (or a delegated
// administrator) with organizations:ListAccounts. The parent's credential opens the session exactly as
// for an EC2 listing (its keys, or its role assumed by external ID or web identity: withAwsKeys), and
// the calls go through the same outbound agents and endpoint. Organizations is a global service with
// one endpoint per partition: us-east-1 for aws, us-gov-west-1 for aws-us-gov, cn-northwest-1 for aws-cn.
//
// A member account is reached through a role of its own (`member_role_name`, deployed to every member
// by the StackSet of memberRoleStackSetTemplate in aws-role-templates.ts) that trusts Cloudkeep the
// way the parent's role does: Cloudkeep's principal with the parent's external ID, or Cloudkeep's
// OIDC issuer with the parent's subject.
import type { Account } from "@aws-sdk/client-organizations";
import { UpstreamError, providerFailure } from "../net/http.ts";
import { isAwsRoleCredentials, isAwsWebIdentityCredentials, type AwsCredentials } from "../schemas/providers.ts";
import { awsCall, followPages, homeRegion, openAwsSession, sdkClientConfig, withAwsKeys, withoutSdkLogging } from "./aws.ts";
import type { AccountDiscovery, DiscoveredAccount, ScopeOf } from "./discovery.ts";
import type { AdapterContext } from "./types.ts";

/** ListAccounts' largest page. */
const PAGE_SIZE = 20;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/** Where Organizations answers for a credential whose home region is `region`. */
export function organizationsRegion(region: string): string {
  if (region.startsWith("cn-")) return "cn-northwest-1";
  if (region.startsWith("us-gov-")) return "us-gov-west-1";
  return "us-east-1";
}

function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

const STATES: Record<string, string> = {
  SUSPENDED: "AWS suspended this account (or it was closed and is within its 90-day post-closure period): nothing in it can be read.",
  PENDING_CLOSURE: "This account is being closed.",
  CLOSED: "This account is closed. It can be reopened with AWS Support within 90 days of closing; after that AWS deletes it.",
  PENDING_ACTIVATION: "This account is still being created and is not active yet.",
};

/** One ListAccounts entry; only named, non-secret fields are read. */
export function discoveredAwsAccount(account: Account): DiscoveredAccount | null {
  if (!account.Id) return null;
  // State replaces the deprecated Status (which says SUSPENDED for a closed account); read Status only without State.
  const state = account.State ?? account.Status ?? null;
  const details: Record<string, string> = {};
  if (account.Email) details.email = account.Email;
  if (state) details.state = state;
  if (account.JoinedMethod) details.joined_method = account.JoinedMethod;
  if (account.JoinedTimestamp) details.joined_at = new Date(account.JoinedTimestamp).toISOString();
  if (account.Arn) details.arn = account.Arn;
  return {
    account: account.Id,
    name: account.Name || account.Id,
    unavailable:
      state && state !== "ACTIVE"
        ? { code: `account_${state.toLowerCase()}`, message: STATES[state] ?? `This account's state is ${state}, not ACTIVE.` }
        : null,
    details,
  };
}

const NOT_ADMINISTRATOR_HINT =
  "The parent must be the organization's management account or a delegated administrator for AWS Organizations, and its identity must be allowed organizations:ListAccounts (the AWS-managed AWSOrganizationsReadOnlyAccess policy includes it).";

/** ListAccounts' refusals, said in terms of what the parent must be. */
function organizationFailure(error: unknown, refusal: string | null): unknown {
  if (!(error instanceof UpstreamError)) return error;
  if (refusal === "AWSOrganizationsNotInUseException" || error.code === "AWSOrganizationsNotInUseException") {
    return new UpstreamError(
      providerFailure(
        "organization_not_in_use",
        "This account is not a member of an AWS Organization, so it has no member accounts to discover.",
        `Connect the organization's management account instead. ${NOT_ADMINISTRATOR_HINT}`,
        422,
      ),
    );
  }
  if (refusal === "AccessDeniedException" || error.status === 403) {
    return new UpstreamError(
      providerFailure(
        "organization_access_denied",
        `The parent's identity may not list the organization's accounts. ${error.message}`,
        NOT_ADMINISTRATOR_HINT,
        403,
      ),
    );
  }
  return error;
}

async function discoverAccounts(credentials: AwsCredentials, _scope: ScopeOf<"aws">, context: AdapterContext) {
  const region = organizationsRegion(homeRegion(credentials));
  return withAwsKeys(credentials, context, async (keys) => {
    const session = openAwsSession(keys, context);
    try {
      const { OrganizationsClient, ListAccountsCommand } = await import("@aws-sdk/client-organizations");
      const client = withoutSdkLogging(new OrganizationsClient(sdkClientConfig(session, region)));
      const listed = await followPages(
        "ListAccounts",
        async (token) => {
          // The SDK error's name, before awsCall turns it into a failure (AWSOrganizationsNotInUseException is a 404 in the model).
          let refusal: string | null = null;
          const output = await awsCall(session, { service: "organizations", action: "organizations:ListAccounts", region }, (abortSignal) =>
            client
              .send(new ListAccountsCommand({ MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }), { abortSignal })
              .catch((error: unknown) => {
                refusal = (error as { name?: string })?.name ?? null;
                throw error;
              }),
          ).catch((error: unknown) => {
            throw organizationFailure(error, refusal);
          });
          return { items: output.Accounts ?? [], next: output.NextToken || undefined };
        },
        "Connect the member accounts one by one instead.",
      );
      const accounts = listed.map(discoveredAwsAccount).filter((account): account is DiscoveredAccount => account !== null);
      return { accounts };
    } finally {
      session.close();
    }
  });
}

/** The partition of a discovered account: from its ARN (arn:<partition>:organizations::…), else from the parent's region. */
function accountPartition(parent: AwsCredentials, account: DiscoveredAccount): string {
  return /^arn:(aws(?:-[a-z-]+)?):organizations:/.exec(account.details?.arn ?? "")?.[1] ?? partitionOf(homeRegion(parent));
}

/**
 * The member account's role, trusted the way the parent's role is. Access keys cannot be carried over:
 * a management account's keys do not open a member account, and Cloudkeep has no credential kind for
 * "assume a role with these keys" (role chaining), so such a parent must be connected by role first.
 */
function childCredentials(parent: AwsCredentials, scope: ScopeOf<"aws">, account: DiscoveredAccount): AwsCredentials {
  if (!ROLE_NAME_PATTERN.test(scope.member_role_name)) {
    throw new UpstreamError(
      providerFailure(
        "invalid_member_role_name",
        `"${scope.member_role_name}" is not an IAM role name.`,
        "Use the role name the StackSet deploys to every member account (letters, digits and +=,.@_-, at most 64).",
        422,
      ),
    );
  }
  if (!/^\d{12}$/.test(account.account)) {
    throw new UpstreamError(
      providerFailure(
        "invalid_account",
        `"${account.account}" is not a 12-digit AWS account id.`,
        "Discover the organization's accounts again.",
        422,
      ),
    );
  }
  const roleArn = `arn:${accountPartition(parent, account)}:iam::${account.account}:role/${scope.member_role_name}`;
  const region = parent.region ? { region: parent.region } : {};
  if (isAwsWebIdentityCredentials(parent)) return { auth_method: "web_identity", role_arn: roleArn, ...region };
  if (isAwsRoleCredentials(parent)) {
    return { role_arn: roleArn, ...(parent.external_id ? { external_id: parent.external_id } : {}), ...region };
  }
  throw new UpstreamError(
    providerFailure(
      "discovery_needs_role",
      "A parent connected with access keys cannot connect member accounts: the management account's keys do not open them, and Cloudkeep does not chain roles from stored keys.",
      "Connect the management account by role (external ID or web identity) and deploy the member role with the StackSet template; member accounts then use the same trust.",
      422,
    ),
  );
}

export const awsOrganizationDiscovery: AccountDiscovery<"aws"> = { kind: "aws", discoverAccounts, childCredentials };
