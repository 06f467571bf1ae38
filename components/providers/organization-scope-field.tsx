// The one input a whole-organization scope takes per cloud, shared by the add dialog's organization
// option and the provider page's scope form: its name in `organization_scope`, its label and help,
// the value a form starts with, and the field itself. The server checks it (domain/organization-scope.ts). Types only
// from providers/discovery.ts: at run time it loads the discovery adapters and their SDKs.
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import type { DiscoveryCloud, OrganizationScope } from "@/supabase/functions/_shared/providers/discovery.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

export const SCOPE_FIELDS = {
  aws: {
    name: "member_role_name",
    label: "Member account role name",
    placeholder: "CloudkeepReadOnly",
    description:
      "The role a StackSet creates in every member account, trusting Cloudkeep as this provider's role does. This provider must be the management account (or a delegated administrator) with organizations:ListAccounts.",
    required: true,
  },
  azure: {
    name: "management_group_id",
    label: "Management group ID (optional)",
    placeholder: "Leave empty for every subscription in the tenant",
    description: "Every subscription under this management group, or every subscription the principal can read. Reader on each is enough.",
    required: false,
  },
  gcp: {
    name: "parent",
    label: "Organization or folder",
    placeholder: "organizations/123456789012",
    description: "Every project under it, nested folders included. The identity needs Browser (resourcemanager.projects.list) there.",
    required: true,
  },
} as const satisfies Record<DiscoveryCloud, { name: string; label: string; placeholder: string; description: string; required: boolean }>;

/** Whether a kind of provider can connect its whole organization. */
export function connectsOrganizations(kind: ProviderType): kind is DiscoveryCloud {
  return Object.hasOwn(SCOPE_FIELDS, kind);
}

/** The scope's one value as its form shows it. */
export function scopeValue(scope: OrganizationScope | null): string {
  if (!scope) return "";
  if (scope.cloud === "aws") return scope.member_role_name;
  if (scope.cloud === "azure") return scope.management_group_id ?? "";
  return scope.parent;
}

/** What a new scope form starts with: AWS's template names the member role CloudkeepReadOnly. */
export function defaultScopeValue(cloud: DiscoveryCloud): string {
  return cloud === "aws" ? "CloudkeepReadOnly" : "";
}

/** The `organization_scope` a form's value sends (empty is null: for Azure, the whole tenant). */
export function scopeInput(cloud: DiscoveryCloud, value: string): Record<string, string | null> {
  return { [SCOPE_FIELDS[cloud].name]: value.trim() || null };
}

/** The scope's field for `cloud`, with its label, help and errors. */
export function ScopeField({
  id,
  cloud,
  value,
  error,
  onChange,
}: {
  id: string;
  cloud: DiscoveryCloud;
  value: string;
  error?: string[];
  onChange: (value: string) => void;
}) {
  const field = SCOPE_FIELDS[cloud];
  return (
    <FormField id={id} label={field.label} description={field.description} error={error}>
      {(control) => (
        <Input
          {...control}
          name={field.name}
          value={value}
          placeholder={field.placeholder}
          required={field.required}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </FormField>
  );
}
