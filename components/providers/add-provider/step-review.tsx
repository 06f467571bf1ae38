// Step 4: everything that will be saved; secrets only as set or not.
import { DefinitionList } from "@/components/definition-list";
import {
  API_ENDPOINT_FIELDS,
  parseCredentials,
  PROVIDER_LABELS,
  type ProviderType,
} from "@/supabase/functions/_shared/schemas/providers.ts";
import { ProviderLogo } from "../provider-logo";
import { ENVIRONMENT_LABELS } from "../provider-meta";
import { buildCredentials, credentialFields, isSecretField, parseRegionList, type SecretValues } from "../provider-form";
import type { Draft } from "./steps";

export function StepReview({ hidden, draft, secrets }: { hidden: boolean; draft: Draft; secrets: SecretValues }) {
  return (
    <div data-step-panel="review" hidden={hidden}>
      {draft.kind && !hidden && <Review draft={draft} kind={draft.kind} secrets={secrets} />}
    </div>
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
