"use client";
// Editing a provider's metadata: name, environment, regions. Credentials — and the endpoint
// they are sent to — change together in the rotate dialog.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { updateProviderAction } from "@/lib/actions/providers";
import type { Environment } from "@/supabase/functions/_shared/schemas/providers.ts";
import { EndpointField } from "./endpoint-field";
import { EnvironmentField } from "./environment-field";
import type { ProviderDialogProps, ProviderSummary } from "./provider-meta";
import { RegionsField } from "./regions-field";
import { parseRegionList, type FieldErrors } from "./provider-form";

export function EditProviderDialog({ orgSlug, provider, open, onOpenChange }: ProviderDialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg" data-test="edit-provider-dialog">
        <DialogHeader>
          <DialogTitle>Edit {provider.name}</DialogTitle>
          <DialogDescription>
            Change how this provider is named and labelled. To replace its credentials or move its endpoint, rotate the credentials.
          </DialogDescription>
        </DialogHeader>
        {/* Mounted only while open, so every opening starts from the saved values. */}
        {open && <EditForm orgSlug={orgSlug} provider={provider} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function EditForm({ orgSlug, provider, onDone }: { orgSlug: string; provider: ProviderSummary; onDone: () => void }) {
  const router = useRouter();
  const [name, setName] = useState(provider.name);
  const [environment, setEnvironment] = useState<Environment>(provider.environment);
  const [regions, setRegions] = useState(provider.regions.join(", "));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, startTransition] = useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const changes: Record<string, unknown> = {};
    if (name.trim() !== provider.name) changes.name = name;
    if (environment !== provider.environment) changes.environment = environment;
    const regionList = parseRegionList(regions);
    if (regionList.join(",") !== provider.regions.join(",")) changes.regions = regionList;
    if (Object.keys(changes).length === 0) {
      onDone();
      return;
    }
    startTransition(async () => {
      const result = await updateProviderAction({ orgSlug, providerId: provider.id, ...changes });
      if (result.ok) {
        toast.success(`${result.data.name} saved`);
        onDone();
        router.refresh();
        return;
      }
      const fieldErrors: FieldErrors = {};
      for (const [path, messages] of Object.entries(result.fieldErrors ?? {})) {
        const [field = path] = path.split(".");
        (fieldErrors[field] ??= []).push(...messages);
      }
      const [firstKnown] = ["name", "environment", "regions", "api_endpoint"].filter((key) => fieldErrors[key]);
      setErrors(fieldErrors);
      if (firstKnown === undefined) toast.error(result.error);
      else document.getElementById(`edit-${firstKnown.replace("_", "-")}`)?.focus();
    });
  }

  return (
    <form noValidate onSubmit={submit} className="grid gap-4">
      <FormField id="edit-name" label="Name" error={errors.name}>
        {(control) => (
          <Input {...control} name="name" maxLength={80} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        )}
      </FormField>
      <EnvironmentField id="edit-environment" value={environment} onChange={setEnvironment} error={errors.environment} />
      <RegionsField
        id="edit-regions"
        value={regions}
        onChange={setRegions}
        error={errors.regions}
        description="Comma-separated. Empty means all regions."
      />
      <EndpointField
        kind={provider.provider_type}
        id="edit-api-endpoint"
        value={provider.api_endpoint ?? ""}
        error={errors.api_endpoint}
        readOnlyReason="Changes only with new credentials, so the stored secret is never sent to a new address: use Rotate credentials."
      />
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </Button>
      </DialogFooter>
    </form>
  );
}
