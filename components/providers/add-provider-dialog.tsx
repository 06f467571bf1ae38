"use client";
// Adding a provider in four steps: kind → details → credentials → review. The non-secret part of an
// unfinished draft is kept in sessionStorage per organization, so closing the dialog (or reloading)
// loses nothing; secrets are held only in memory and dropped whenever the dialog closes.
import { useCallback, useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { ArrowLeft, Check, KeyRound, Plus } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { createProviderAction } from "@/lib/actions/providers";
import { cn } from "@/lib/utils";
import {
  API_ENDPOINT_FIELDS,
  apiEndpointSchema,
  ENVIRONMENTS,
  parseCredentials,
  PROVIDER_LABELS,
  PROVIDER_TYPES,
  providerNameSchema,
  regionsSchema,
  type Environment,
  type ProviderType,
} from "@/supabase/functions/_shared/schemas/providers.ts";
import { DefinitionList } from "@/components/definition-list";
import { CredentialFields } from "./credential-fields";
import { EndpointField } from "./endpoint-field";
import { EnvironmentField } from "./environment-field";
import { TestConnection } from "./test-connection";
import { ProviderLogo } from "./provider-logo";
import { FederationPreview, isFederatedVariant } from "./federation-preview";
import { ENVIRONMENT_LABELS } from "./provider-meta";
import {
  buildCredentials,
  credentialFields,
  isSecretField,
  nonSecretValues,
  parseRegionList,
  splitFieldErrors,
  type CredentialValues,
  type FieldErrors,
  type SecretValues,
} from "./provider-form";

const STEPS = [
  { id: "kind", label: "Kind" },
  { id: "details", label: "Details" },
  { id: "credentials", label: "Credentials" },
  { id: "review", label: "Review" },
] as const;
type Step = (typeof STEPS)[number]["id"];

/** Everything here may be stored: it never holds a secret (see nonSecretValues). */
type Draft = {
  step: Step;
  kind: ProviderType | null;
  name: string;
  environment: Environment;
  regions: string;
  api_endpoint: string;
  values: CredentialValues;
};

const EMPTY_DRAFT: Draft = { step: "kind", kind: null, name: "", environment: "production", regions: "", api_endpoint: "", values: {} };
const DETAIL_FIELDS = new Set(["name", "environment", "regions", "api_endpoint"]);

function storageKey(orgSlug: string) {
  return `cloudkeep:add-provider-draft:${orgSlug}`;
}

function readDraft(orgSlug: string): Draft {
  try {
    const raw = window.sessionStorage.getItem(storageKey(orgSlug));
    if (!raw) return EMPTY_DRAFT;
    const stored = JSON.parse(raw) as Partial<Draft>;
    const kind = PROVIDER_TYPES.includes(stored.kind as ProviderType) ? (stored.kind as ProviderType) : null;
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return {
      // The review step needs the secrets again, which were not kept.
      step: stored.step === "review" ? "credentials" : STEPS.some((s) => s.id === stored.step) && kind ? (stored.step as Step) : "kind",
      kind,
      name: text(stored.name),
      environment: ENVIRONMENTS.includes(stored.environment as Environment) ? (stored.environment as Environment) : "production",
      regions: text(stored.regions),
      api_endpoint: text(stored.api_endpoint),
      values: kind && stored.values && typeof stored.values === "object" ? nonSecretValues(kind, stored.values) : {},
    };
  } catch {
    return EMPTY_DRAFT;
  }
}

function writeDraft(orgSlug: string, draft: Draft) {
  try {
    const safe: Draft = { ...draft, values: draft.kind ? nonSecretValues(draft.kind, draft.values) : {} };
    window.sessionStorage.setItem(storageKey(orgSlug), JSON.stringify(safe));
  } catch {
    // Storage full or disabled: the draft then lasts as long as the page.
  }
}

function clearDraft(orgSlug: string) {
  try {
    window.sessionStorage.removeItem(storageKey(orgSlug));
  } catch {
    // Nothing stored, nothing to clear.
  }
}

function hasContent(draft: Draft) {
  return Boolean(draft.kind || draft.name || draft.regions || draft.api_endpoint || Object.keys(draft.values).length);
}

/** Zod issues as `path → messages`, paths joined with dots like the actions' fieldErrors. */
function issuesToErrors(issues: { path: PropertyKey[]; message: string }[], prefix?: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || prefix || "_form";
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

function stepOfError(path: string): Step | null {
  const head = path.split(".")[0];
  if (head === "provider_type") return "kind";
  if (DETAIL_FIELDS.has(head)) return "details";
  if (head === "credentials") return "credentials";
  return null;
}

type AddProviderDialogProps = {
  orgSlug: string;
  /** The trigger's text; the empty state uses a longer one. */
  triggerLabel?: string;
  triggerSize?: "default" | "sm" | "lg";
  /** Cloudkeep's OIDC issuer URL, shown for "No secret (federation)"; null when not configured. */
  oidcIssuer?: string | null;
};

export function AddProviderDialog({ orgSlug, triggerLabel = "Add provider", triggerSize = "default", oidcIssuer = null }: AddProviderDialogProps) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [secrets, setSecrets] = useState<SecretValues>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, startTransition] = useTransition();
  const [focusRequest, setFocusRequest] = useState(0);
  const panels = useRef<HTMLDivElement>(null);

  const { step, kind } = draft;
  const stepIndex = STEPS.findIndex((s) => s.id === step);
  const split = splitFieldErrors(kind, errors);
  const federated = kind !== null && isFederatedVariant(kind, draft.values);

  // Opening reads the stored draft (another trigger on the page may have changed it).
  function changeOpen(next: boolean) {
    if (pending) return;
    if (next) {
      setDraft(readDraft(orgSlug));
      setErrors({});
    }
    // Secrets never outlive the dialog.
    setSecrets({});
    setOpen(next);
  }

  const update = useCallback(
    (changes: Partial<Draft>) => {
      setDraft((current) => {
        const next = { ...current, ...changes };
        writeDraft(orgSlug, next);
        return next;
      });
    },
    [orgSlug],
  );

  function clearErrors(...paths: string[]) {
    setErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(next)) if (paths.some((path) => key === path || key.startsWith(`${path}.`))) delete next[key];
      return next;
    });
  }

  function goTo(target: Step) {
    update({ step: target });
    setFocusRequest((n) => n + 1);
  }

  // After a step change (or new errors), focus the first invalid field, else the step's first input.
  useEffect(() => {
    if (!focusRequest) return;
    const panel = panels.current?.querySelector<HTMLElement>(`[data-step-panel="${step}"]`);
    if (!panel) return;
    const wholeError = panel.querySelector<HTMLElement>("[data-test='credentials-error']");
    const target =
      wholeError ??
      panel.querySelector<HTMLElement>("[aria-invalid='true']") ??
      panel.querySelector<HTMLElement>("input[type=radio]:checked") ??
      panel.querySelector<HTMLElement>("input:not([type=file]), textarea, button[role=combobox]");
    if (target === wholeError) wholeError?.setAttribute("tabindex", "-1");
    target?.focus();
  }, [focusRequest, step]);

  function validate(current: Step): FieldErrors {
    if (current === "kind") return kind ? {} : { provider_type: ["Choose what kind of provider to connect."] };
    if (!kind) return { provider_type: ["Choose what kind of provider to connect."] };
    if (current === "details") {
      const found: FieldErrors = {};
      const name = providerNameSchema.safeParse(draft.name);
      if (!name.success) Object.assign(found, issuesToErrors(name.error.issues, "name"));
      const regions = regionsSchema(kind).safeParse(draft.regions);
      if (!regions.success) found.regions = regions.error.issues.map((issue) => issue.message);
      // http is allowed here; whether this organization allows it is the server's call.
      const endpoint = apiEndpointSchema(kind, { allowHttp: true }).safeParse(draft.api_endpoint);
      if (!endpoint.success) Object.assign(found, issuesToErrors(endpoint.error.issues, "api_endpoint"));
      return found;
    }
    if (current === "credentials") {
      const parsed = parseCredentials(kind, buildCredentials(kind, draft.values, secrets), { allowHttp: true });
      return parsed.success ? {} : issuesToErrors(parsed.error.issues);
    }
    return {};
  }

  function next() {
    const found = validate(step);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setFocusRequest((n) => n + 1);
      return;
    }
    setErrors({});
    if (step === "review") save();
    else goTo(STEPS[stepIndex + 1].id);
  }

  /** What both "Test connection" and "Add provider" send. */
  function providerBody(kind: ProviderType) {
    return {
      name: draft.name.trim(),
      provider_type: kind,
      api_endpoint: draft.api_endpoint.trim() || undefined,
      environment: draft.environment,
      regions: parseRegionList(draft.regions),
      credentials: buildCredentials(kind, draft.values, secrets),
    };
  }

  /** The test checks the fields first, as "Next" would, and shows their errors instead of calling out. */
  function testBody() {
    if (!kind) return null;
    const found = validate("credentials");
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setFocusRequest((n) => n + 1);
      return null;
    }
    return providerBody(kind);
  }

  function save() {
    if (!kind) return;
    startTransition(async () => {
      const result = await createProviderAction({ orgSlug, ...providerBody(kind) });
      if (result.ok) {
        toast.success(`${result.data.name} added`, { description: "Its credentials are encrypted. Cloudkeep will check them shortly." });
        clearDraft(orgSlug);
        setDraft(EMPTY_DRAFT);
        setSecrets({});
        setErrors({});
        setOpen(false);
        // With no secret, the cloud still has to trust this provider's subject: its page shows how.
        if (federated) router.push(`/orgs/${encodeURIComponent(orgSlug)}/providers/${result.data.id}`);
        else router.refresh();
        return;
      }
      const fieldErrors = result.fieldErrors ?? {};
      const placed = Object.keys(fieldErrors).filter((path) => stepOfError(path));
      if (placed.length === 0) {
        toast.error(result.error);
        return;
      }
      setErrors(fieldErrors);
      const first = STEPS.find((s) => placed.some((path) => stepOfError(path) === s.id));
      if (first) goTo(first.id);
      if (placed.length < Object.keys(fieldErrors).length) toast.error(result.error);
    });
  }

  function back() {
    setErrors({});
    goTo(STEPS[Math.max(0, stepIndex - 1)].id);
  }

  function discard() {
    clearDraft(orgSlug);
    setDraft(EMPTY_DRAFT);
    setSecrets({});
    setErrors({});
    setFocusRequest((n) => n + 1);
  }

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button size={triggerSize}>
          <Plus aria-hidden="true" />
          {triggerLabel}
        </Button>
      </DialogTrigger>
      <DialogContent
        className="gap-5 sm:max-w-xl"
        data-test="add-provider-dialog"
        onInteractOutside={(event) => pending && event.preventDefault()}
        onEscapeKeyDown={(event) => pending && event.preventDefault()}
        onOpenAutoFocus={(event) => {
          event.preventDefault();
          setFocusRequest((n) => n + 1);
        }}
      >
        <DialogHeader>
          <DialogTitle>Add provider</DialogTitle>
          <DialogDescription>
            Step {stepIndex + 1} of {STEPS.length}: {STEP_DESCRIPTIONS[step]}
          </DialogDescription>
        </DialogHeader>

        <ol aria-label="Steps" className="grid grid-cols-4 gap-2">
          {STEPS.map((s, index) => {
            const done = index < stepIndex;
            const current = index === stepIndex;
            return (
              <li key={s.id} aria-current={current ? "step" : undefined} className="grid gap-1.5">
                <span aria-hidden="true" className={cn("h-1 rounded-full bg-muted", (done || current) && "bg-primary")} />
                {done ? (
                  <button
                    type="button"
                    onClick={() => {
                      setErrors({});
                      goTo(s.id);
                    }}
                    className="w-fit rounded-sm text-left text-xs text-muted-foreground underline-offset-4 outline-none hover:text-foreground hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
                  >
                    <span className="sr-only">Back to </span>
                    {s.label}
                  </button>
                ) : (
                  <span className={cn("text-xs", current ? "font-medium text-foreground" : "text-muted-foreground")}>{s.label}</span>
                )}
              </li>
            );
          })}
        </ol>

        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            next();
          }}
          className="grid gap-5"
        >
          <div ref={panels} className="min-w-0">
            {/* Every step stays mounted (hidden when not current) so uncontrolled secret inputs keep their values. */}
            <fieldset
              data-step-panel="kind"
              hidden={step !== "kind"}
              aria-describedby={split.top.provider_type ? "add-kind-error" : undefined}
              className="grid gap-3"
            >
              <legend className="sr-only">Provider kind</legend>
              <div className="grid gap-2 sm:grid-cols-2">
                {PROVIDER_TYPES.map((type) => (
                  <label
                    key={type}
                    className={cn(
                      "relative flex items-center gap-3 rounded-lg border p-3 text-sm transition-colors hover:bg-accent/60",
                      "has-[:focus-visible]:border-ring has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50",
                      kind === type && "border-primary bg-accent/60",
                    )}
                  >
                    <input
                      type="radio"
                      name="provider_type"
                      value={type}
                      checked={kind === type}
                      onChange={() => {
                        if (kind !== type) {
                          // Another kind's inputs mean nothing here; its secrets must not linger either.
                          update({ kind: type, values: {} });
                          setSecrets({});
                        }
                        clearErrors("provider_type", "credentials", "api_endpoint", "regions");
                      }}
                      // Covers the whole tile, invisible: the tile is the radio for pointer and keyboard alike.
                      className="absolute inset-0 z-10 size-full cursor-pointer appearance-none rounded-lg opacity-0"
                    />
                    <ProviderLogo kind={type} size={32} />
                    <span className="font-medium">{PROVIDER_LABELS[type]}</span>
                    {kind === type && <Check aria-hidden="true" className="ml-auto size-4 text-primary" />}
                  </label>
                ))}
              </div>
              {split.top.provider_type && (
                <p id="add-kind-error" role="alert" className="text-sm text-destructive">
                  {split.top.provider_type.join(" ")}
                </p>
              )}
            </fieldset>

            <div data-step-panel="details" hidden={step !== "details"} className="grid gap-4">
              <FormField
                id="add-name"
                label="Name"
                error={split.top.name}
                description="How this account appears in Cloudkeep, e.g. “Production AWS”."
              >
                {(control) => (
                  <Input
                    {...control}
                    name="name"
                    maxLength={80}
                    autoComplete="off"
                    value={draft.name}
                    onChange={(event) => {
                      update({ name: event.target.value });
                      clearErrors("name");
                    }}
                  />
                )}
              </FormField>
              <EnvironmentField id="add-environment" value={draft.environment} onChange={(environment) => update({ environment })} error={split.top.environment} />
              <FormField
                id="add-regions"
                label={
                  <>
                    Regions <span className="font-normal text-muted-foreground">(optional)</span>
                  </>
                }
                error={split.top.regions}
                description="Comma-separated, e.g. us-east-1, eu-west-1. Empty means all regions."
              >
                {(control) => (
                  <Input
                    {...control}
                    name="regions"
                    autoComplete="off"
                    spellCheck={false}
                    value={draft.regions}
                    onChange={(event) => {
                      update({ regions: event.target.value });
                      clearErrors("regions");
                    }}
                  />
                )}
              </FormField>
              {kind && (
                <EndpointField
                  kind={kind}
                  id="add-api-endpoint"
                  value={draft.api_endpoint}
                  error={split.top.api_endpoint}
                  onChange={(value) => {
                    update({ api_endpoint: value });
                    clearErrors("api_endpoint");
                  }}
                />
              )}
            </div>

            <div data-step-panel="credentials" hidden={step !== "credentials"} className="grid gap-4">
              {kind && (
                <>
                  <p className="flex items-start gap-2 rounded-md bg-muted px-3 py-2 text-sm text-muted-foreground">
                    <KeyRound aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
                    Secrets are encrypted on the server and can never be shown again, only replaced.
                  </p>
                  <CredentialFields
                    key={kind}
                    kind={kind}
                    idPrefix="add"
                    values={draft.values}
                    onValueChange={(name, value) => {
                      setDraft((current) => {
                        const next = { ...current, values: { ...current.values, [name]: value } };
                        writeDraft(orgSlug, next);
                        return next;
                      });
                      clearErrors(`credentials.${name}`, "credentials");
                    }}
                    onSecretChange={(name, value) => {
                      setSecrets((current) => ({ ...current, [name]: value }));
                      clearErrors(`credentials.${name}`, "credentials");
                    }}
                    errors={split.credentials}
                    formErrors={split.credentialsForm}
                  />
                  {federated ? (
                    <FederationPreview kind={kind} issuer={oidcIssuer} values={draft.values} />
                  ) : (
                    <TestConnection key={`test-${kind}`} orgSlug={orgSlug} body={testBody} />
                  )}
                </>
              )}
            </div>

            <div data-step-panel="review" hidden={step !== "review"}>
              {kind && step === "review" && <Review draft={draft} kind={kind} secrets={secrets} />}
            </div>
          </div>

          <DialogFooter className="gap-2 sm:justify-between">
            <div className="flex flex-col-reverse gap-2 sm:flex-row">
              {stepIndex > 0 ? (
                <Button type="button" variant="ghost" onClick={back} disabled={pending}>
                  <ArrowLeft aria-hidden="true" />
                  Back
                </Button>
              ) : (
                hasContent(draft) && (
                  <Button type="button" variant="ghost" onClick={discard}>
                    Discard draft
                  </Button>
                )
              )}
            </div>
            <div className="flex flex-col-reverse gap-2 sm:flex-row">
              <Button type="button" variant="outline" onClick={() => changeOpen(false)} disabled={pending}>
                Cancel
              </Button>
              <Button type="submit" disabled={pending}>
                {step === "review" ? (pending ? "Adding…" : "Add provider") : "Next"}
              </Button>
            </div>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

const STEP_DESCRIPTIONS: Record<Step, string> = {
  kind: "choose the cloud to connect.",
  details: "name it and say where it points.",
  credentials: "paste the credentials Cloudkeep will use.",
  review: "check everything before saving.",
};

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
