// What an AWS account needs to trust one provider by web identity: an IAM OIDC identity provider for
// Cloudkeep's issuer (audience sts.amazonaws.com) and a role whose trust policy lets that provider's
// tokens assume it only when `<issuer>:aud` and `<issuer>:sub` are this provider's. As CloudFormation,
// Terraform and AWS CLI, from the provider's non-secret columns and the issuer URL.
//
// An account holds one OIDC provider per URL, so a second Cloudkeep provider in the same account must
// reuse the first's: the template takes its ARN (ExistingOidcProviderArn) and then creates only the
// role; Terraform and the CLI say the same in a comment.
import { DEFAULT_ROLE_NAME, permissionsPolicy, trustOne, trustPolicy as externalIdTrustPolicy } from "../providers/aws-role-templates.ts";
import { AWS_WEB_IDENTITY_AUDIENCE, issuerHostPath, providerSubject, webIdentityConditions } from "./issuer.ts";
import type { FederatedProvider, FederationSetup } from "./setup.ts";

const POLICY_NAME = "CloudkeepReadOnly";

function trustPolicy(federatedPrincipal: unknown, issuer: string, subject: string) {
  const conditions = webIdentityConditions(issuer, subject);
  return trustOne("CloudkeepWebIdentity", { Federated: federatedPrincipal }, "sts:AssumeRoleWithWebIdentity", conditions);
}

/** The role named by a web identity provider's hint (`role/<path><name>`), and its account. */
function roleOf(provider: FederatedProvider) {
  const named = /^role\/((?:[!-.0-~]+\/)*)([\w+=,.@-]{1,64})$/.exec(provider.credential_hint ?? "");
  const account = /^\d{12}$/.test(provider.account_identifier ?? "") ? provider.account_identifier! : "ACCOUNT_ID";
  const name = named?.[2] ?? DEFAULT_ROLE_NAME;
  const path = `/${named?.[1] ?? ""}`;
  return { account, name, path, arn: `arn:aws:iam::${account}:role${path}${name}` };
}

function cloudformation(issuer: string, subject: string, role: { name: string; path: string }) {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "Cloudkeep read-only access with no secret: an OIDC identity provider for Cloudkeep's issuer and a role that trusts one Cloudkeep provider's subject.",
    Parameters: {
      ExistingOidcProviderArn: {
        Type: "String",
        Default: "",
        Description: `Leave empty to create the OIDC provider for ${issuer}; an account has one per URL, so for a second Cloudkeep provider give the first one's ARN.`,
      },
      RoleName: {
        Type: "String",
        Default: role.name,
        AllowedPattern: "[\\w+=,.@-]{1,64}",
        Description: "Must match the role ARN entered in Cloudkeep.",
      },
      RolePath: {
        Type: "String",
        Default: role.path,
        AllowedPattern: "/([\\x21-\\x2E\\x30-\\x7E]+/)*",
        Description: "The role's path (/ unless the ARN has one).",
      },
    },
    Conditions: { CreateOidcProvider: { "Fn::Equals": [{ Ref: "ExistingOidcProviderArn" }, ""] } },
    Resources: {
      CloudkeepOidcProvider: {
        Type: "AWS::IAM::OIDCProvider",
        Condition: "CreateOidcProvider",
        Properties: { Url: issuer, ClientIdList: [AWS_WEB_IDENTITY_AUDIENCE] },
      },
      CloudkeepRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: { Ref: "RoleName" },
          Path: { Ref: "RolePath" },
          Description: "Assumed by Cloudkeep with its OIDC token for one provider (read-only).",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicy(
            { "Fn::If": ["CreateOidcProvider", { "Fn::GetAtt": ["CloudkeepOidcProvider", "Arn"] }, { Ref: "ExistingOidcProviderArn" }] },
            issuer,
            subject,
          ),
          Policies: [{ PolicyName: POLICY_NAME, PolicyDocument: permissionsPolicy() }],
        },
      },
    },
    Outputs: { RoleArn: { Description: "Enter this in Cloudkeep as the role ARN.", Value: { "Fn::GetAtt": ["CloudkeepRole", "Arn"] } } },
  };
}

/** AWS: the OIDC provider, the role trusting this provider's subject, and its read-only permissions. */
export function awsFederationSetup(provider: FederatedProvider, issuer: string): FederationSetup | null {
  if (provider.provider_type !== "aws" || provider.auth_method !== "web_identity") return null;
  const subject = providerSubject(provider);
  const role = roleOf(provider);
  const host = issuerHostPath(issuer);
  const oidcProviderArn = `arn:aws:iam::${role.account}:oidc-provider/${host}`;
  const json = (value: unknown, indent = 2) => JSON.stringify(value, null, indent);
  const trust = trustPolicy(oidcProviderArn, issuer, subject);
  const commands = [
    `# Once per account (skip if "aws iam list-open-id-connect-providers" already lists ${host}):`,
    `aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${AWS_WEB_IDENTITY_AUDIENCE}`,
    `aws iam create-role --role-name ${role.name} --path ${role.path} --max-session-duration 3600 \\\n  --assume-role-policy-document '${JSON.stringify(trust)}'`,
    `aws iam put-role-policy --role-name ${role.name} --policy-name ${POLICY_NAME} \\\n  --policy-document '${JSON.stringify(permissionsPolicy())}'`,
  ].join("\n\n");
  const indent = (text: string) => text.replace(/\n/g, "\n  ");
  const terraform = `# Cloudkeep read-only access with no secret. An account has one OIDC provider per URL: for a
# second Cloudkeep provider, use data "aws_iam_openid_connect_provider" { url = "${issuer}" } instead.
resource "aws_iam_openid_connect_provider" "cloudkeep" {
  url            = "${issuer}"
  client_id_list = ["${AWS_WEB_IDENTITY_AUDIENCE}"]
}

resource "aws_iam_role" "cloudkeep" {
  name                 = ${JSON.stringify(role.name)}
  path                 = ${JSON.stringify(role.path)}
  max_session_duration = 3600
  assume_role_policy = jsonencode(${indent(json(trustPolicy("${aws_iam_openid_connect_provider.cloudkeep.arn}", issuer, subject)))})
}

resource "aws_iam_role_policy" "cloudkeep_read_only" {
  name   = "${POLICY_NAME}"
  role   = aws_iam_role.cloudkeep.id
  policy = jsonencode(${indent(json(permissionsPolicy()))})
}

output "cloudkeep_role_arn" {
  description = "Enter this in Cloudkeep as the role ARN."
  value       = aws_iam_role.cloudkeep.arn
}
`;
  return {
    cloud: "aws",
    issuer,
    subject,
    audience: AWS_WEB_IDENTITY_AUDIENCE,
    principal: role.arn,
    commands,
    terraform,
    cloudformation: `${json(cloudformation(issuer, subject, role))}\n`,
  };
}

/** How member accounts trust Cloudkeep: as the parent's role does. */
export type MemberRoleTrust =
  { kind: "external_id"; principalArn: string; externalId: string } | { kind: "web_identity"; issuer: string; subject: string };

/**
 * The CloudFormation template a StackSet deploys to every member account of an organization (whole
 * organizations, issue 15): the read-only role `roleName` (the parent's scope `member_role_name`), with
 * the permissions policy of a single account, trusting Cloudkeep exactly as the parent's role does:
 * Cloudkeep's principal with the parent's external ID, or Cloudkeep's OIDC issuer for the parent's
 * subject. One template serves every account, so nothing in it names an account: the OIDC provider's
 * ARN is built from the account the stack runs in, and CreateOidcProvider (one per URL and account)
 * says whether the stack creates it. A service-managed StackSet skips the management account itself,
 * whose own role the single-account template sets up.
 */
export function memberRoleStackSetTemplate(roleName: string, trust: MemberRoleTrust) {
  const role = (assumeRolePolicy: { Version: string; Statement: Record<string, unknown>[] }, description: string) => ({
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: roleName,
      Description: description,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: assumeRolePolicy,
      Policies: [{ PolicyName: POLICY_NAME, PolicyDocument: permissionsPolicy() }],
    },
  });
  const outputs = {
    RoleArn: { Description: "The member role Cloudkeep assumes.", Value: { "Fn::GetAtt": ["CloudkeepMemberRole", "Arn"] } },
  };
  if (trust.kind === "external_id") {
    return {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: "Cloudkeep read-only access to a member account: a role Cloudkeep assumes with the organization's external ID.",
      Resources: {
        CloudkeepMemberRole: role(
          externalIdTrustPolicy(trust.principalArn, trust.externalId),
          "Assumed by Cloudkeep with the organization's external ID (read-only).",
        ),
      },
      Outputs: outputs,
    };
  }
  const host = issuerHostPath(trust.issuer);
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "Cloudkeep read-only access to a member account with no secret: an OIDC identity provider for Cloudkeep's issuer (unless the account has one) and a role that trusts the organization's Cloudkeep subject.",
    Parameters: {
      CreateOidcProvider: {
        Type: "String",
        Default: "true",
        AllowedValues: ["true", "false"],
        Description: `false where the member accounts already have an IAM OIDC identity provider for ${trust.issuer} (an account has one per URL).`,
      },
    },
    Conditions: { CreateOidcProvider: { "Fn::Equals": [{ Ref: "CreateOidcProvider" }, "true"] } },
    Resources: {
      CloudkeepOidcProvider: {
        Type: "AWS::IAM::OIDCProvider",
        Condition: "CreateOidcProvider",
        Properties: { Url: trust.issuer, ClientIdList: [AWS_WEB_IDENTITY_AUDIENCE] },
      },
      // GetAtt where the stack creates the provider (and waits for it); the account's own one otherwise.
      CloudkeepMemberRole: role(
        trustPolicy(
          {
            "Fn::If": [
              "CreateOidcProvider",
              { "Fn::GetAtt": ["CloudkeepOidcProvider", "Arn"] },
              { "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${host}` },
            ],
          },
          trust.issuer,
          trust.subject,
        ),
        "Assumed by Cloudkeep with its OIDC token for the organization's provider (read-only).",
      ),
    },
    Outputs: outputs,
  };
}
