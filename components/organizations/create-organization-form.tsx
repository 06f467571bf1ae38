"use client";
// Name → suggested URL name; the URL name stays editable and stops following the name once edited.
import { useActionState, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import type { ActionResult } from "@/lib/actions/safe-action";
import { slugify } from "@/supabase/functions/_shared/schemas/organizations.ts";

type Props = { action: (state: ActionResult<string> | null, formData: FormData) => Promise<ActionResult<string>> };

export function CreateOrganizationForm({ action }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const failed = state && !state.ok ? state : null;
  const errors = failed?.fieldErrors ?? {};
  const [name, setName] = useState(failed?.values?.name ?? "");
  const [slug, setSlug] = useState(failed?.values?.slug ?? "");
  const [slugEdited, setSlugEdited] = useState(false);

  return (
    <form action={formAction} className="grid gap-4" noValidate data-test="create-organization-form">
      {failed && !failed.fieldErrors && (
        <Alert variant="destructive">
          <AlertDescription>{failed.error}</AlertDescription>
        </Alert>
      )}
      <FormField id="name" label="Organization name" error={errors.name}>
        {(control) => (
          <Input
            {...control}
            name="name"
            required
            maxLength={80}
            placeholder="Acme Platform Team"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              if (!slugEdited) setSlug(slugify(e.target.value));
            }}
          />
        )}
      </FormField>
      <FormField id="slug" label="URL name" error={errors.slug} description={`cloudkeep/orgs/${slug || "your-team"}`}>
        {(control) => (
          <Input
            {...control}
            name="slug"
            required
            maxLength={48}
            placeholder="acme-platform"
            value={slug}
            onChange={(e) => {
              setSlugEdited(true);
              setSlug(e.target.value.toLowerCase());
            }}
          />
        )}
      </FormField>
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create organization"}
      </Button>
    </form>
  );
}
