// The scope a whole-cloud-organization provider connects (organization_scope), as a create or update
// body gives it: checked for the provider's cloud, normalised, or refused field by field.
import { z } from "zod";
import { isDiscoveryCloud, type OrganizationScope } from "../providers/discovery.ts";
import type { ProviderType } from "../schemas/providers.ts";
import { DomainError, validationError } from "./errors.ts";

const AWS_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Empty (or absent, or null) is every subscription the principal can read. */
const AZURE_GROUP_ID_OR_EMPTY = /^(?:[A-Za-z0-9\-_().]{1,90})?$/;
const GCP_PARENT = /^(organizations|folders)\/\d{1,32}$/;

const scopeSchemas = {
  aws: z.object({
    member_role_name: z
      .string({ error: "Name the role the StackSet creates in each member account." })
      .trim()
      .regex(AWS_ROLE_NAME, "A role name is 1–64 letters, digits and +=,.@_- (no path)."),
  }),
  azure: z.object({
    management_group_id: z
      .string()
      .trim()
      .regex(AZURE_GROUP_ID_OR_EMPTY, "A management group ID is 1–90 letters, digits and -_(). characters.")
      .nullish()
      .transform((value) => value || null),
  }),
  gcp: z.object({
    parent: z
      .string({ error: "Give the organization or folder, like organizations/123456789012 or folders/123456789012." })
      .trim()
      .regex(GCP_PARENT, "Give the organization or folder as organizations/<number> or folders/<number>."),
  }),
};

/** PUT /providers/{id}/organization-scope: an object the provider's cloud then checks, or null to stop. */
export const organizationScopeBody = z.object({
  organization_scope: z
    .record(z.string(), z.unknown(), {
      error: "Send the scope for the provider's cloud as an object, or null to stop connecting the organization.",
    })
    .nullable(),
});

/** The same body as the API document states it: each cloud's scope as parseOrganizationScope checks it, or null. */
export const organizationScopeDocument = z.object({
  organization_scope: z
    .union([scopeSchemas.aws, scopeSchemas.azure, scopeSchemas.gcp])
    .nullable()
    .describe(
      "What the provider connects beside its own account. AWS: the role name the StackSet creates in every member account. Azure: a management group, or null for every subscription the principal can read. GCP: an organization or folder. Null stops connecting the organization.",
    ),
});

/** PATCH /providers/{id}/accounts/{account}: exclude the account from discovery, or let discovery try it again. */
export const accountExclusionBody = z.object({ excluded: z.boolean({ error: "must be true or false" }) });

/** The scope in a create or update body (`organization_scope`), checked for the provider's cloud; null when absent. */
export function parseOrganizationScope(kind: ProviderType, value: unknown): OrganizationScope | null {
  if (value === undefined || value === null || value === false) return null;
  if (!isDiscoveryCloud(kind)) {
    throw new DomainError("validation_failed", "Only AWS, Azure and Google Cloud providers can connect a whole organization.", {
      organization_scope: ["Only AWS, Azure and Google Cloud providers can connect a whole organization."],
    });
  }
  const parsed = scopeSchemas[kind].safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, "organization_scope");
  return { cloud: kind, ...parsed.data } as OrganizationScope;
}
