// The scope a whole-cloud-organization provider connects (organization_scope), as a create or update
// body gives it: checked for the provider's cloud, normalised, or refused field by field.
import { z } from "zod";
import { isDiscoveryCloud, type OrganizationScope } from "../providers/discovery.ts";
import type { ProviderType } from "../schemas/providers.ts";
import { DomainError, validationError } from "./errors.ts";

const AWS_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const AZURE_GROUP_ID = /^[A-Za-z0-9\-_().]{1,90}$/;
const GCP_PARENT = /^(organizations|folders)\/\d{1,32}$/;

/** What each cloud's scope value must look like; the API document states the same patterns from here. */
export const SCOPE_PATTERNS = { aws: AWS_ROLE_NAME, azure: AZURE_GROUP_ID, gcp: GCP_PARENT } as const;

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
      .transform((value) => value || null)
      .pipe(z.string().regex(AZURE_GROUP_ID, "A management group ID is 1–90 letters, digits and -_(). characters.").nullable())
      .nullish()
      .transform((value) => value ?? null),
  }),
  gcp: z.object({
    parent: z
      .string({ error: "Give the organization or folder, like organizations/123456789012 or folders/123456789012." })
      .trim()
      .regex(GCP_PARENT, "Give the organization or folder as organizations/<number> or folders/<number>."),
  }),
};

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
