// Step 4: everything that will be saved; secrets only as set or not. AWS, Azure and Google Cloud
// providers may also connect their whole organization here (its accounts are discovered once saved).
import { DefinitionList } from "@/components/definition-list";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import type { DiscoveryCloud } from "@/supabase/functions/_shared/providers/discovery.ts";
import {
  API_ENDPOINT_FIELDS,
  parseCredentials,
  PROVIDER_LABELS,
  type ProviderType,
} from "@/supabase/functions/_shared/schemas/providers.ts";
import { ProviderLogo } from "../provider-logo";
import { ENVIRONMENT_LABELS } from "../provider-meta";
import { connectsOrganizations, defaultScopeValue, ScopeField } from "../organization-scope-field";
import { buildCredentials, credentialFields, isSecretField, parseRegionList, type SecretValues } from "../provider-form";
import type { Draft } from "./steps";

type StepReviewProps = {
  hidden: boolean;
  draft: Draft;
  secrets: SecretValues;
  /** The organization scope's errors from a refused save. */
  organizationError?: string[];
  onOrganizationChange: (value: string | null) => void;
};

export function StepReview({ hidden, draft, secrets, organizationError, onOrganizationChange }: StepReviewProps) {
  const { kind } = draft;
  return (
    <div data-step-panel="review" hidden={hidden} className="grid gap-4">
      {kind && !hidden && <Review draft={draft} kind={kind} secrets={secrets} />}
      {kind && connectsOrganizations(kind) && (
        <OrganizationOption cloud={kind} value={draft.organization} error={organizationError} onChange={onOrganizationChange} />
      )}
    </div>
  );
}

const ORGANIZATION_WORDS: Record<DiscoveryCloud, { label: string; help: string }> = {
  aws: {
    label: "Also connect every account in its AWS Organization",
    help: "For a management account (or delegated administrator) connected by role: each member account with the member role becomes a provider of its own.",
  },
  azure: {
    label: "Also connect every subscription in its tenant or management group",
    help: "Each subscription the principal can read becomes a provider of its own.",
  },
  gcp: {
    label: "Also connect every project in its organization or folder",
    help: "Each project the service account can read becomes a provider of its own.",
  },
};

/** Whole organization: off by default; on, the scope's one field (checked by the server when saving). */
function OrganizationOption({
  cloud,
  value,
  error,
  onChange,
}: {
  cloud: DiscoveryCloud;
  value: string | null;
  error?: string[];
  onChange: (value: string | null) => void;
}) {
  const words = ORGANIZATION_WORDS[cloud];
  return (
    <fieldset className="grid gap-3 rounded-lg border p-4" data-test="add-organization">
      <legend className="sr-only">Whole organization</legend>
      <div className="flex items-start gap-3">
        <Checkbox
          id="add-organization"
          checked={value !== null}
          onCheckedChange={(checked) => onChange(checked === true ? defaultScopeValue(cloud) : null)}
          aria-describedby="add-organization-description"
          className="mt-0.5"
        />
        <div className="grid gap-1.5">
          <Label htmlFor="add-organization">{words.label}</Label>
          <p id="add-organization-description" className="text-sm text-muted-foreground">
            {words.help} Accounts are discovered after saving, with a health check each; those that cannot be connected say why.
          </p>
        </div>
      </div>
      {value !== null && <ScopeField id="add-organization-scope" cloud={cloud} value={value} error={error} onChange={onChange} />}
    </fieldset>
  );
}

function Review({ draft, kind, secrets }: { draft: Draft; kind: ProviderType; secrets: SecretValues }) {
  const fields = credentialFields(kind, draft.values);
  const regions = parseRegionList(draft.regions);
  // The parsed key file names its project and service account, which are not secret.
  const parsed = parseCredentials(kind, buildCredentials(kind, draft.values, secrets), { allowHttp: true });
  const keyFile = kind === "gcp" && parsed.success ? (parsed.data as { project_id: string; client_email: string }) : null;

  const rows: [string, React.ReactNode][] = [
    ["Kind", PROVIDER_LABELS[kind]],
    ["Name", draft.name.trim()],
    ["Environment", ENVIRONMENT_LABELS[draft.environment]],
    ["Regions", regions.length ? regions.join(", ") : <span className="text-muted-foreground">All regions</span>],
    [
      API_ENDPOINT_FIELDS[kind].label,
      draft.api_endpoint.trim() ? (
        <span className="font-mono break-all">{draft.api_endpoint.trim()}</span>
      ) : (
        <span className="text-muted-foreground">Provider default</span>
      ),
    ],
  ];
  for (const field of fields) {
    if (isSecretField(kind, field)) {
      const set = Boolean(secrets[field.name]?.trim());
      if (!set && !field.required) continue;
      rows.push([field.label, set ? <span className="font-mono">•••• set</span> : <span className="text-muted-foreground">not set</span>]);
    } else if (field.type === "checkbox") {
      rows.push([field.label, draft.values[field.name] === true ? "On" : "Off"]);
    } else {
      const value = String(draft.values[field.name] ?? "").trim();
      if (!value && !field.required) continue;
      rows.push([
        field.label,
        value ? <span className="font-mono break-all">{value}</span> : <span className="text-muted-foreground">—</span>,
      ]);
    }
  }
  if (keyFile) {
    rows.push([
      "Project",
      <span key="p" className="font-mono">
        {keyFile.project_id}
      </span>,
    ]);
    rows.push([
      "Service account",
      <span key="s" className="font-mono break-all">
        {keyFile.client_email}
      </span>,
    ]);
  }

  return (
    <div className="grid gap-3">
      <div className="flex items-center gap-3">
        <ProviderLogo kind={kind} size={36} />
        <div className="min-w-0">
          <p className="truncate font-medium">{draft.name.trim()}</p>
          <p className="text-sm text-muted-foreground">{PROVIDER_LABELS[kind]}</p>
        </div>
      </div>
      <DefinitionList rows={rows} className="gap-x-4 gap-y-2 rounded-lg border p-4 sm:grid-cols-[10rem_1fr]" data-test="review-summary" />
    </div>
  );
}
