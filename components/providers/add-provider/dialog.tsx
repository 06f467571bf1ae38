"use client";
// Adding a provider in four steps: kind → details → credentials → review (where AWS, Azure and Google
// Cloud providers may also connect their whole organization). The non-secret part of an
// unfinished draft is kept per organization (use-provider-draft); secrets are held only in memory and
// dropped whenever the dialog closes.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { ArrowLeft, Plus } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { createProviderAction } from "@/lib/actions/providers";
import { cn } from "@/lib/utils";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { isFederatedVariant } from "../federation-preview";
import { connectsOrganizations, scopeInput } from "../organization-scope-field";
import { buildCredentials, parseRegionList, splitFieldErrors, type FieldErrors, type SecretValues } from "../provider-form";
import { useFocusFirstError } from "../use-focus-first-error";
import { StepCredentials } from "./step-credentials";
import { StepDetails } from "./step-details";
import { StepKind } from "./step-kind";
import { StepReview } from "./step-review";
import { hasContent, nextStep, placeErrors, previousStep, stepDescription, stepIndex, STEPS, validateStep, type Step } from "./steps";
import { useProviderDraft } from "./use-provider-draft";

type AddProviderDialogProps = {
  orgSlug: string;
  /** The trigger's text; the empty state uses a longer one. */
  triggerLabel?: string;
  triggerSize?: "default" | "sm" | "lg";
  /** Cloudkeep's OIDC issuer URL, shown for "No secret (federation)"; null when not configured. */
  oidcIssuer?: string | null;
};

export function AddProviderDialog({
  orgSlug,
  triggerLabel = "Add provider",
  triggerSize = "default",
  oidcIssuer = null,
}: AddProviderDialogProps) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const { draft, update, reload, clear } = useProviderDraft(orgSlug);
  const [secrets, setSecrets] = useState<SecretValues>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, startTransition] = useTransition();

  const { step, kind } = draft;
  const position = stepIndex(step);
  // After a step change (or new errors), focus the first invalid field, else the step's first input.
  const { ref: panelsRef, requestFocus } = useFocusFirstError<HTMLDivElement>({
    within: `[data-step-panel="${step}"]`,
    fallbackToFirstInput: true,
  });
  const split = splitFieldErrors(kind, errors);
  const federated = kind !== null && isFederatedVariant(kind, draft.values);

  // Opening reads the stored draft (another trigger on the page may have changed it).
  function changeOpen(next: boolean) {
    if (pending) return;
    if (next) {
      reload();
      setErrors({});
    }
    // Secrets never outlive the dialog.
    setSecrets({});
    setOpen(next);
  }

  function clearErrors(...paths: string[]) {
    setErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(next)) if (paths.some((path) => key === path || key.startsWith(`${path}.`))) delete next[key];
      return next;
    });
  }

  function goTo(target: Step) {
    update({ step: target });
    requestFocus();
  }

  /** Shows what stops `at`, if anything; true when nothing does. */
  function passes(at: Step) {
    const found = validateStep(at, draft, secrets);
    if (Object.keys(found).length === 0) return true;
    setErrors(found);
    requestFocus();
    return false;
  }

  function next() {
    if (!passes(step)) return;
    setErrors({});
    const following = nextStep(step);
    if (following) goTo(following);
    else save();
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
      ...(draft.organization !== null && connectsOrganizations(kind) ? { organization_scope: scopeInput(kind, draft.organization) } : {}),
    };
  }

  /** The test checks the fields first, as "Next" would, and shows their errors instead of calling out. */
  function testBody() {
    return kind && passes("credentials") ? providerBody(kind) : null;
  }

  function save() {
    if (!kind) return;
    startTransition(async () => {
      const body = providerBody(kind);
      const wholeOrganization = "organization_scope" in body;
      const result = await createProviderAction({ orgSlug, ...body });
      if (result.ok) {
        toast.success(`${result.data.name} added`, {
          description: wholeOrganization
            ? "Its credentials are encrypted. On its page, Discover now connects the organization's accounts (the scheduled sweep does too)."
            : "Its credentials are encrypted. Cloudkeep will check them shortly.",
        });
        clear();
        setSecrets({});
        setErrors({});
        setOpen(false);
        // With no secret, the cloud still has to trust this provider's subject, and a whole organization
        // is discovered from there: its page shows how.
        if (federated || wholeOrganization) router.push(`/orgs/${encodeURIComponent(orgSlug)}/providers/${result.data.id}`);
        else router.refresh();
        return;
      }
      const placed = placeErrors(result.fieldErrors ?? {});
      if (placed.step) {
        setErrors(result.fieldErrors ?? {});
        goTo(placed.step);
      }
      if (placed.unplaced) toast.error(result.error);
    });
  }

  function back() {
    setErrors({});
    goTo(previousStep(step));
  }

  function discard() {
    clear();
    setSecrets({});
    setErrors({});
    requestFocus();
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
          requestFocus();
        }}
      >
        <DialogHeader>
          <DialogTitle>Add provider</DialogTitle>
          <DialogDescription>
            Step {position + 1} of {STEPS.length}: {stepDescription(step)}
          </DialogDescription>
        </DialogHeader>

        <ol aria-label="Steps" className="grid grid-cols-4 gap-2">
          {STEPS.map((s, index) => {
            const done = index < position;
            const current = index === position;
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
          <div ref={panelsRef} className="min-w-0">
            {/* Every step stays mounted (hidden when not current) so uncontrolled secret inputs keep their values. */}
            <StepKind
              hidden={step !== "kind"}
              kind={kind}
              error={split.top.provider_type}
              onChoose={(type) => {
                if (kind !== type) {
                  // Another kind's inputs mean nothing here; its secrets must not linger either.
                  update({ kind: type, values: {}, organization: null });
                  setSecrets({});
                }
                clearErrors("provider_type", "credentials", "api_endpoint", "regions", "organization_scope");
              }}
            />
            <StepDetails hidden={step !== "details"} draft={draft} errors={split.top} update={update} clearErrors={clearErrors} />
            <StepCredentials
              hidden={step !== "credentials"}
              orgSlug={orgSlug}
              kind={kind}
              values={draft.values}
              errors={split}
              oidcIssuer={oidcIssuer}
              onValueChange={(name, value) => {
                update((current) => ({ values: { ...current.values, [name]: value } }));
                clearErrors(`credentials.${name}`, "credentials");
              }}
              onSecretChange={(name, value) => {
                setSecrets((current) => ({ ...current, [name]: value }));
                clearErrors(`credentials.${name}`, "credentials");
              }}
              testBody={testBody}
            />
            <StepReview
              hidden={step !== "review"}
              draft={draft}
              secrets={secrets}
              organizationError={split.top.organization_scope}
              onOrganizationChange={(organization) => {
                update({ organization });
                clearErrors("organization_scope");
              }}
            />
          </div>

          <DialogFooter className="gap-2 sm:justify-between">
            <div className="flex flex-col-reverse gap-2 sm:flex-row">
              {position > 0 ? (
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
