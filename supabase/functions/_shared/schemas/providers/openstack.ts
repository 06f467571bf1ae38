// OpenStack: Keystone v3 password auth scoped to a project, or an application credential.
import { z } from "zod";
import {
  compact,
  credentialsObjectError,
  GENERIC_REGION_PATTERN,
  optionalText,
  type CredentialDescription,
  type CredentialField,
  withAliases,
} from "./common.ts";

export type OpenStackCredentials =
  | { username: string; password: string; project: string; domain: string; region?: string }
  | { application_credential_id: string; application_credential_secret: string; region?: string };

const FIELDS = [
  "username",
  "password",
  "project",
  "domain",
  "application_credential_id",
  "application_credential_secret",
  "region",
] as const;

/** The names clouds.yaml and the openstack CLI use. */
const ALIASES = {
  user_name: "username",
  project_name: "project",
  projectName: "project",
  project_id: "project",
  projectId: "project",
  tenant_name: "project",
  domain_name: "domain",
  domainName: "domain",
  user_domain_name: "domain",
  region_name: "region",
  regionName: "region",
};

export const DEFAULT_OPENSTACK_DOMAIN = "Default";

const ID = { max: 255, pattern: /^\S+$/, message: "must not contain spaces." };

export function openstackCredentialsSchema(): z.ZodType<OpenStackCredentials, unknown> {
  return withAliases(
    FIELDS,
    ALIASES,
    z
      .object(
        {
          username: optionalText("Username", { max: 255 }),
          // Not trimmed: a password may begin or end with a space.
          password: optionalText("Password", { trim: false, max: 1024 }),
          project: optionalText("Project", { max: 255 }),
          domain: optionalText("Domain", { max: 255 }),
          application_credential_id: optionalText("Application credential ID", {
            ...ID,
            message: `Application credential ID ${ID.message}`,
          }),
          application_credential_secret: optionalText("Application credential secret", { trim: false, max: 1024 }),
          region: optionalText("Region", {
            max: 64,
            pattern: GENERIC_REGION_PATTERN,
            message: "Region must be a region name like RegionOne (letters, digits, '.', '_' or '-').",
          }),
        },
        { error: credentialsObjectError() },
      )
      .transform((value, ctx): OpenStackCredentials => {
        const passwordAuth = value.username !== undefined || value.password !== undefined;
        const applicationAuth = value.application_credential_id !== undefined || value.application_credential_secret !== undefined;
        if (passwordAuth && applicationAuth) {
          ctx.addIssue({
            code: "custom",
            path: [],
            message: "Use either a username and password or an application credential ID and secret, not both.",
          });
          return z.NEVER;
        }
        if (!passwordAuth && !applicationAuth) {
          ctx.addIssue({
            code: "custom",
            path: [],
            message: "Enter a username and password, or an application credential ID and secret.",
          });
          return z.NEVER;
        }
        const missing = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
        if (applicationAuth) {
          if (value.application_credential_id === undefined) {
            missing("application_credential_id", "Application credential ID is required with an application credential secret.");
          }
          if (value.application_credential_secret === undefined) {
            missing("application_credential_secret", "Application credential secret is required with an application credential ID.");
          }
          if (value.application_credential_id === undefined || value.application_credential_secret === undefined) return z.NEVER;
          // An application credential carries its own project scope; project and domain do not apply.
          return compact({
            application_credential_id: value.application_credential_id,
            application_credential_secret: value.application_credential_secret,
            region: value.region,
          });
        }
        if (value.username === undefined) missing("username", "Username is required with a password.");
        if (value.password === undefined) missing("password", "Password is required with a username.");
        if (value.project === undefined) {
          missing("project", "Project (name or ID) is required for username and password authentication.");
        }
        if (value.username === undefined || value.password === undefined || value.project === undefined) return z.NEVER;
        return compact({
          username: value.username,
          password: value.password,
          project: value.project,
          domain: value.domain ?? DEFAULT_OPENSTACK_DOMAIN,
          region: value.region,
        });
      }),
  );
}

export const OPENSTACK_SECRET_FIELDS = ["password", "application_credential_secret"] as const;

export const OPENSTACK_FIELDS: CredentialField[] = [
  {
    name: "username",
    label: "Username",
    type: "text",
    required: false,
    secret: false,
    help: "For password authentication; leave empty when using an application credential.",
  },
  { name: "password", label: "Password", type: "password", required: false, secret: true },
  {
    name: "project",
    label: "Project",
    type: "text",
    required: false,
    secret: false,
    help: "Project name or ID to scope to; required with a username and password.",
  },
  {
    name: "domain",
    label: "Domain",
    type: "text",
    required: false,
    secret: false,
    placeholder: DEFAULT_OPENSTACK_DOMAIN,
    help: "User and project domain; leave empty for Default.",
  },
  {
    name: "application_credential_id",
    label: "Application credential ID",
    type: "text",
    required: false,
    secret: false,
    help: "Instead of a username and password: Identity → Application Credentials → Create, or openstack application credential create.",
  },
  { name: "application_credential_secret", label: "Application credential secret", type: "password", required: false, secret: true },
  { name: "region", label: "Region", type: "text", required: false, secret: false, placeholder: "RegionOne" },
];

function keystoneHost(apiEndpoint: string | null | undefined): string | null {
  if (!apiEndpoint) return null;
  try {
    return new URL(apiEndpoint).host;
  } catch {
    return null;
  }
}

export function describeOpenStack(credentials: OpenStackCredentials, apiEndpoint?: string | null): CredentialDescription {
  const host = keystoneHost(apiEndpoint);
  const prefix = host ? `${host}/` : "";
  if ("application_credential_id" in credentials) {
    return {
      authMethod: "application_credential",
      accountIdentifier: `${prefix}application-credential/${credentials.application_credential_id}`,
      credentialHint: credentials.application_credential_id,
      expiresAt: null,
    };
  }
  return {
    authMethod: "password",
    accountIdentifier: `${prefix}${credentials.domain}/${credentials.project}`,
    credentialHint: credentials.username,
    expiresAt: null,
  };
}

export function openstackIdentity(credentials: OpenStackCredentials, apiEndpoint: string | null) {
  // The same user name means nothing without the cloud it belongs to, so the Keystone URL is part of it.
  if ("application_credential_id" in credentials) {
    return { endpoint: apiEndpoint, application_credential_id: credentials.application_credential_id, region: credentials.region ?? null };
  }
  return {
    endpoint: apiEndpoint,
    domain: credentials.domain,
    project: credentials.project,
    username: credentials.username,
    region: credentials.region ?? null,
  };
}
