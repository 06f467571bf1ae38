// What a customer deploys so that Cloudkeep can assume a role in their account: a CloudFormation
// template (the role, a trust policy that requires this provider's external ID, and read-only
// permissions for exactly the calls Cloudkeep makes), a console link to create the stack, a Terraform
// snippet, and the raw trust and permissions policies. Pure functions of the provider's facts and
// Cloudkeep's configuration; nothing here is secret (an external ID is not).
//
// The quick-create link: the CloudFormation console can prefill a stack only from a template stored
// at an https URL (templateURL); a template body cannot travel in a link. When the operator publishes
// the generic template (roleTemplate(principal) without defaults: this deployment's principal,
// no per-provider values) and sets CLOUDKEEP_AWS_TEMPLATE_URL, the link opens that template with this provider's
// external ID and role name filled in. Without it there is no quick-create link: the person downloads
// this provider's template (its defaults already hold the external ID and role name) and uploads it
// on the console's "Create stack" page, which the setup gives as create_stack_url.

/** Every action Cloudkeep calls with an assumed role: the permissions policy grants exactly these. */
export const CLOUDKEEP_ROLE_ACTIONS = [
  "cloudtrail:LookupEvents",
  "ec2:DescribeInstances",
  "ec2:DescribeRegions",
  "ec2:DescribeVolumes",
  "eks:DescribeCluster",
  "eks:ListClusters",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeTags",
  "rds:DescribeDBInstances",
  "s3:ListAllMyBuckets",
  "sts:GetCallerIdentity",
] as const;

export const DEFAULT_ROLE_NAME = "CloudkeepReadOnly";
const POLICY_NAME = "CloudkeepReadOnly";
const DEFAULT_CONSOLE_REGION = "us-east-1";

export type AwsRoleSettings = {
  /** Cloudkeep's own IAM user or role, which customers' trust policies name. */
  principalArn: string | null;
  /** Why CLOUDKEEP_AWS_PRINCIPAL_ARN cannot be used, when it is missing or malformed. */
  principalProblem: string | null;
  /** Where the operator published the generic template (https), for quick-create links. */
  templateUrl: string | null;
  /** Where the SDK sends Cloudkeep's own STS calls when the environment overrides it (named in messages only). */
  stsEndpoint: string | null;
  /** A role Cloudkeep takes its own AWS identity from, by web identity with its OIDC issuer (no static AWS key). */
  operatorRoleArn: string | null;
};

const PRINCIPAL_PATTERN = /^arn:aws:iam::\d{12}:(root|(user|role)\/[\w+=,.@/-]{1,512})$/;

function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

/**
 * Cloudkeep's AWS configuration. It comes from the process environment, like the AWS credential
 * chain that supplies Cloudkeep's identity itself; tests pass their own `env`.
 */
export function awsRoleSettings(env: Record<string, string | undefined> = processEnv()): AwsRoleSettings {
  const operator = env.CLOUDKEEP_AWS_OPERATOR_ROLE_ARN?.trim() ?? "";
  const operatorRoleArn = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(operator) ? operator : null;
  // The operator role is the principal customers' trust policies name, unless another is set.
  const principal = env.CLOUDKEEP_AWS_PRINCIPAL_ARN?.trim() || operatorRoleArn || "";
  const template = env.CLOUDKEEP_AWS_TEMPLATE_URL?.trim() ?? "";
  const valid = PRINCIPAL_PATTERN.test(principal);
  return {
    principalArn: valid ? principal : null,
    principalProblem: valid
      ? null
      : principal
        ? "CLOUDKEEP_AWS_PRINCIPAL_ARN must be the ARN of Cloudkeep's IAM user or role, like arn:aws:iam::111122223333:role/cloudkeep (not a session ARN)."
        : "CLOUDKEEP_AWS_PRINCIPAL_ARN is not set: Cloudkeep's operator must name the IAM user or role whose credentials Cloudkeep runs with (or set CLOUDKEEP_AWS_OPERATOR_ROLE_ARN).",
    templateUrl: /^https:\/\/\S+$/.test(template) ? template : null,
    stsEndpoint: env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || null,
    operatorRoleArn,
  };
}

type PolicyDocument = { Version: "2012-10-17"; Statement: Record<string, unknown>[] };

/** Lets only Cloudkeep's principal assume the role, and only with this provider's external ID. */
export function trustPolicy(principalArn: string, externalId: unknown): PolicyDocument {
  return trustOne("CloudkeepWithExternalId", { AWS: principalArn }, "sts:AssumeRole", { StringEquals: { "sts:ExternalId": externalId } });
}

/** A trust policy of one statement: `principal` may call `action`, only under `condition`. */
export function trustOne(
  sid: string,
  principal: Record<string, unknown>,
  action: string,
  condition: Record<string, unknown>,
): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Sid: sid, Effect: "Allow", Principal: principal, Action: action, Condition: condition }] };
}

/** Read-only, and only what Cloudkeep calls. None of these actions supports resource-level permissions, hence "*". */
export function permissionsPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "CloudkeepReadOnly", Effect: "Allow", Action: [...CLOUDKEEP_ROLE_ACTIONS], Resource: "*" }],
  };
}

/**
 * What the parent's own role needs beyond CLOUDKEEP_ROLE_ACTIONS to discover an organization's accounts
 * (whole organizations, issue 15): only the organization's management account or a delegated
 * administrator for AWS Organizations can call it. Member roles do not need it.
 */
export const ORGANIZATION_DISCOVERY_ACTIONS = ["organizations:ListAccounts"] as const;

/** The extra statement for a parent's role; ListAccounts supports no resource-level permissions, hence "*". */
export function organizationDiscoveryPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "CloudkeepOrganizationDiscovery", Effect: "Allow", Action: [...ORGANIZATION_DISCOVERY_ACTIONS], Resource: "*" }],
  };
}

export type RoleTemplateDefaults = { externalId?: string; roleName?: string; rolePath?: string };

/**
 * The CloudFormation template (JSON, which CloudFormation reads as it reads YAML). With `defaults`, its
 * parameters come prefilled for one provider; without, it is the generic template to publish for
 * quick-create links, whose parameters the link fills.
 */
export function roleTemplate(principalArn: string, defaults: RoleTemplateDefaults = {}) {
  const withDefault = (value: string | undefined) => (value === undefined ? {} : { Default: value });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "Cloudkeep read-only access: a role that Cloudkeep assumes with this provider's external ID.",
    Parameters: {
      ExternalId: {
        Type: "String",
        Description: "The external ID Cloudkeep shows for this provider. The role refuses Cloudkeep without it.",
        MinLength: 32,
        MaxLength: 128,
        AllowedPattern: "[A-Za-z0-9]+",
        ...withDefault(defaults.externalId),
      },
      RoleName: {
        Type: "String",
        Description: "Must match the role ARN entered in Cloudkeep.",
        AllowedPattern: "[\\w+=,.@-]{1,64}",
        Default: defaults.roleName ?? DEFAULT_ROLE_NAME,
      },
      RolePath: {
        Type: "String",
        Description: "The role's path (/ unless the ARN has one, like /service/).",
        AllowedPattern: "/([\\x21-\\x2E\\x30-\\x7E]+/)*",
        Default: defaults.rolePath ?? "/",
      },
    },
    Resources: {
      CloudkeepRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: { Ref: "RoleName" },
          Path: { Ref: "RolePath" },
          Description: "Assumed by Cloudkeep (read-only).",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicy(principalArn, { Ref: "ExternalId" }),
          Policies: [{ PolicyName: POLICY_NAME, PolicyDocument: permissionsPolicy() }],
        },
      },
    },
    Outputs: {
      RoleArn: { Description: "Enter this in Cloudkeep as the role ARN.", Value: { "Fn::GetAtt": ["CloudkeepRole", "Arn"] } },
    },
  };
}

/** Terraform (AWS provider) for the same role; jsonencode() takes the policies exactly as the template has them. */
export function terraformSnippet(principalArn: string, target: { externalId: string; roleName: string; rolePath: string }): string {
  const json = (value: unknown) => JSON.stringify(value, null, 2).replace(/\n/g, "\n  ");
  return `# Cloudkeep read-only access: a role Cloudkeep assumes with this provider's external ID.
resource "aws_iam_role" "cloudkeep" {
  name = ${JSON.stringify(target.roleName)}
  path = ${JSON.stringify(target.rolePath)}
  assume_role_policy = jsonencode(${json(trustPolicy(principalArn, target.externalId))})
}

resource "aws_iam_role_policy" "cloudkeep_read_only" {
  name = ${JSON.stringify(POLICY_NAME)}
  role = aws_iam_role.cloudkeep.id
  policy = jsonencode(${json(permissionsPolicy())})
}

output "cloudkeep_role_arn" {
  description = "Enter this in Cloudkeep as the role ARN."
  value       = aws_iam_role.cloudkeep.arn
}
`;
}

const consoleBase = (region: string) => `https://console.aws.amazon.com/cloudformation/home?region=${encodeURIComponent(region)}`;

/** A stack name CloudFormation accepts: letters, digits and hyphens, starting with a letter. */
function stackName(roleName: string) {
  return `Cloudkeep-${roleName.replace(/[^A-Za-z0-9-]/g, "-")}`.slice(0, 128);
}

export type RoleSetupInput = {
  external_id: string | null;
  auth_method: string;
  /** For a role provider: `role/<path><name>` of the role Cloudkeep assumes (see describeAws). */
  credential_hint: string | null;
  account_identifier: string | null;
  regions: string[];
};

export type AwsRoleSetup = {
  external_id: string;
  principal_arn: string;
  role_name: string;
  role_path: string;
  /** The ARN the template creates, when the provider names its account. */
  role_arn: string | null;
  cloudformation: {
    template: ReturnType<typeof roleTemplate>;
    template_json: string;
    stack_name: string;
    /** Opens the published template with this provider's values filled in; null unless CLOUDKEEP_AWS_TEMPLATE_URL is set. */
    quick_create_url: string | null;
    /** The console's "Create stack" page, to upload template_json when there is no quick-create link. */
    create_stack_url: string;
  };
  terraform: string;
  policies: { trust: PolicyDocument; permissions: PolicyDocument };
  actions: readonly string[];
};

/** The role a provider names (from its hint), or Cloudkeep's default name for one that has none yet. */
function roleOf(provider: RoleSetupInput) {
  const named =
    provider.auth_method === "assume_role" ? /^role\/((?:[!-.0-~]+\/)*)([\w+=,.@-]{1,64})$/.exec(provider.credential_hint ?? "") : null;
  const account = /^\d{12}$/.test(provider.account_identifier ?? "") ? provider.account_identifier : null;
  const roleName = named?.[2] ?? DEFAULT_ROLE_NAME;
  const rolePath = `/${named?.[1] ?? ""}`;
  return { roleName, rolePath, roleArn: account ? `arn:aws:iam::${account}:role${rolePath}${roleName}` : null };
}

/** Everything the setup panel and GET …/aws/cloudformation show for one AWS provider. */
export function awsRoleSetup(
  provider: RoleSetupInput & { external_id: string },
  settings: AwsRoleSettings & { principalArn: string },
): AwsRoleSetup {
  const { roleName, rolePath, roleArn } = roleOf(provider);
  const externalId = provider.external_id;
  const region = provider.regions[0] ?? DEFAULT_CONSOLE_REGION;
  const template = roleTemplate(settings.principalArn, { externalId, roleName, rolePath });
  const stack = stackName(roleName);
  const quickCreate = settings.templateUrl
    ? `${consoleBase(region)}#/stacks/quickcreate?${new URLSearchParams({
        templateURL: settings.templateUrl,
        stackName: stack,
        param_ExternalId: externalId,
        param_RoleName: roleName,
        param_RolePath: rolePath,
      })}`
    : null;
  return {
    external_id: externalId,
    principal_arn: settings.principalArn,
    role_name: roleName,
    role_path: rolePath,
    role_arn: roleArn,
    cloudformation: {
      template,
      template_json: `${JSON.stringify(template, null, 2)}\n`,
      stack_name: stack,
      quick_create_url: quickCreate,
      create_stack_url: `${consoleBase(region)}#/stacks/create/template`,
    },
    terraform: terraformSnippet(settings.principalArn, { externalId, roleName, rolePath }),
    policies: { trust: trustPolicy(settings.principalArn, externalId), permissions: permissionsPolicy() },
    actions: CLOUDKEEP_ROLE_ACTIONS,
  };
}
