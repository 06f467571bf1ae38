// The add-provider wizard's rules without React: what each step checks, and where an error sends the user.
import { toFieldErrors } from "@/supabase/functions/_shared/schemas/field-errors.ts";
import { apiEndpointSchema, parseCredentials, providerNameSchema, regionsSchema } from "@/supabase/functions/_shared/schemas/providers.ts";
import type { Environment, ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { buildCredentials, type CredentialValues, type FieldErrors, type SecretValues } from "../provider-form";

export const STEPS = [
  { id: "kind", label: "Kind", description: "choose the cloud to connect." },
  { id: "details", label: "Details", description: "name it and say where it points." },
  { id: "credentials", label: "Credentials", description: "paste the credentials Cloudkeep will use." },
  { id: "review", label: "Review", description: "check everything before saving." },
] as const;
export type Step = (typeof STEPS)[number]["id"];

/** Everything here may be stored: it never holds a secret (see nonSecretValues). */
export type Draft = {
  step: Step;
  kind: ProviderType | null;
  name: string;
  environment: Environment;
  regions: string;
  api_endpoint: string;
  values: CredentialValues;
  /** AWS, Azure and Google Cloud: the whole organization's scope value when it is to be connected too; null when not. */
  organization: string | null;
};

export const EMPTY_DRAFT: Draft = {
  step: "kind",
  kind: null,
  name: "",
  environment: "production",
  regions: "",
  api_endpoint: "",
  values: {},
  organization: null,
};
const DETAIL_FIELDS = new Set(["name", "environment", "regions", "api_endpoint"]);

export function stepIndex(step: Step) {
  return STEPS.findIndex((s) => s.id === step);
}

/** What `step` asks of the user, as the dialog's description says it. */
export function stepDescription(step: Step) {
  const found = STEPS.find((s) => s.id === step);
  if (!found) throw new Error(`Unknown step: ${step}`);
  return found.description;
}

/** The step after `step`; the last has none (there "Next" saves). */
export function nextStep(step: Step): Step | null {
  return STEPS[stepIndex(step) + 1]?.id ?? null;
}

/** The step before `step`; the first stays where it is. */
export function previousStep(step: Step): Step {
  return STEPS[Math.max(0, stepIndex(step) - 1)]?.id ?? STEPS[0].id;
}

export function hasContent(draft: Draft) {
  return Boolean(draft.kind || draft.name || draft.regions || draft.api_endpoint || Object.keys(draft.values).length);
}

/** What stops `step` from going on, keyed like the actions' fieldErrors; empty when nothing does. */
export function validateStep(step: Step, draft: Draft, secrets: SecretValues): FieldErrors {
  const { kind } = draft;
  if (!kind) return { provider_type: ["Choose what kind of provider to connect."] };
  if (step === "details") {
    const found: FieldErrors = {};
    const name = providerNameSchema.safeParse(draft.name);
    if (!name.success) Object.assign(found, toFieldErrors(name.error.issues, { prefix: "name" }));
    const regions = regionsSchema(kind).safeParse(draft.regions);
    if (!regions.success) found.regions = regions.error.issues.map((issue) => issue.message);
    // http is allowed here; whether this organization allows it is the server's call.
    const endpoint = apiEndpointSchema(kind, { allowHttp: true }).safeParse(draft.api_endpoint);
    if (!endpoint.success) Object.assign(found, toFieldErrors(endpoint.error.issues, { prefix: "api_endpoint" }));
    return found;
  }
  if (step === "credentials") {
    const parsed = parseCredentials(kind, buildCredentials(kind, draft.values, secrets), { allowHttp: true });
    return parsed.success ? {} : toFieldErrors(parsed.error.issues, { whole: "_form" });
  }
  return {};
}

/** The step whose inputs a field error belongs to; null when it belongs to none. */
export function stepOfError(path: string): Step | null {
  const [head = path] = path.split(".");
  if (head === "provider_type") return "kind";
  if (DETAIL_FIELDS.has(head)) return "details";
  if (head === "credentials") return "credentials";
  if (head === "organization_scope") return "review";
  return null;
}

/**
 * Where a refused save sends the user: the earliest step with an error of its own (null when none has
 * one), and whether the refusal must also be said aloud (some error, or all of it, belongs to no step).
 */
export function placeErrors(fieldErrors: FieldErrors): { step: Step | null; unplaced: boolean } {
  const steps = Object.keys(fieldErrors).map(stepOfError);
  const step = STEPS.find((s) => steps.includes(s.id))?.id ?? null;
  return { step, unplaced: !step || steps.includes(null) };
}
