// The unfinished draft in sessionStorage per organization, so closing or reloading loses nothing. Never a secret.
import { useCallback, useState } from "react";

import { ENVIRONMENTS, PROVIDER_TYPES, type Environment, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { nonSecretValues } from "../provider-form";
import { EMPTY_DRAFT, STEPS, type Draft, type Step } from "./steps";

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
      organization: typeof stored.organization === "string" ? stored.organization : null,
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

/** `update` stores every change; `reload` reads what another trigger may have stored; `clear` forgets it. */
export function useProviderDraft(orgSlug: string) {
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);

  const update = useCallback(
    (changes: Partial<Draft> | ((current: Draft) => Partial<Draft>)) => {
      setDraft((current) => {
        const next = { ...current, ...(typeof changes === "function" ? changes(current) : changes) };
        writeDraft(orgSlug, next);
        return next;
      });
    },
    [orgSlug],
  );
  const reload = () => setDraft(readDraft(orgSlug));
  const clear = () => {
    clearDraft(orgSlug);
    setDraft(EMPTY_DRAFT);
  };
  return { draft, update, reload, clear };
}
