"use client";
// Admins make an API token: a name, scopes and an expiry. The new token is shown once, with a
// copy button; Cloudkeep keeps only its hash, so closing the dialog loses it for good.
import { useState, useTransition } from "react";

import { useRouter } from "next/navigation";
import { KeyRound, Plus } from "lucide-react";

import { CopyButton } from "@/components/copy-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { useFreshDialog } from "@/components/use-fresh-dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { createTokenAction } from "@/lib/actions/tokens";
import type { FieldErrors } from "@/lib/actions/safe-action";
import {
  API_TOKEN_SCOPE_DESCRIPTIONS,
  API_TOKEN_SCOPES,
  EXPIRY_CHOICES,
  EXPIRY_LABELS,
  type ApiTokenScope,
  type ExpiryChoice,
} from "@/supabase/functions/_shared/schemas/tokens.ts";
import { ScopeBadges } from "./scope-badges";

type Issued = { token: string; name: string; scopes: ApiTokenScope[]; expiresAt: string | null };

export function CreateTokenDialog({ orgSlug }: { orgSlug: string }) {
  const { session, close, dialog } = useFreshDialog();
  return (
    <Dialog {...dialog}>
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden="true" />
          Create token
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-lg" data-test="create-token-dialog">
        <CreateTokenForm key={session} orgSlug={orgSlug} onDone={close} />
      </DialogContent>
    </Dialog>
  );
}

/** Tomorrow as YYYY-MM-DD, the earliest day the date picker offers. */
function tomorrow() {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

function CreateTokenForm({ orgSlug, onDone }: { orgSlug: string; onDone: () => void }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiTokenScope[]>(["providers:read"]);
  const [expiry, setExpiry] = useState<ExpiryChoice>("30");
  const [expiresOn, setExpiresOn] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [pending, startTransition] = useTransition();

  function toggle(scope: ApiTokenScope, on: boolean) {
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
    setErrors(({ scopes: _scopes, ...rest }) => rest);
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await createTokenAction({ orgSlug, name, scopes, expiry, expires_on: expiry === "custom" ? expiresOn : undefined });
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        setFormError(result.fieldErrors ? null : result.error);
        return;
      }
      setIssued(result.data);
      router.refresh();
    });
  }

  if (issued) return <IssuedToken issued={issued} onDone={onDone} />;

  return (
    <>
      <DialogHeader>
        <DialogTitle>Create an API token</DialogTitle>
        <DialogDescription>For a service that calls the Cloudkeep API on behalf of this organization.</DialogDescription>
      </DialogHeader>
      <form noValidate onSubmit={submit} className="grid gap-5">
        {formError && (
          <Alert variant="destructive">
            <AlertDescription>{formError}</AlertDescription>
          </Alert>
        )}
        <FormField
          id="token-name"
          label="Name"
          error={errors.name}
          description="Say who uses it, so you know what breaks when you revoke it."
        >
          {(control) => (
            <Input
              {...control}
              autoComplete="off"
              placeholder="deploy-bot"
              maxLength={80}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </FormField>

        <fieldset className="grid gap-3" aria-describedby={errors.scopes ? "token-scopes-error" : undefined}>
          <legend className="mb-1 text-sm font-medium">Scopes</legend>
          {API_TOKEN_SCOPES.map((scope) => (
            <div key={scope} className="flex items-start gap-3">
              <Checkbox
                id={`token-scope-${scope}`}
                checked={scopes.includes(scope)}
                onCheckedChange={(value) => toggle(scope, value === true)}
                aria-describedby={`token-scope-${scope}-description`}
                aria-invalid={errors.scopes ? true : undefined}
                className="mt-0.5"
              />
              <div className="grid gap-0.5">
                <Label htmlFor={`token-scope-${scope}`} className="font-mono text-sm">
                  {scope}
                </Label>
                <p id={`token-scope-${scope}-description`} className="text-sm text-muted-foreground">
                  {API_TOKEN_SCOPE_DESCRIPTIONS[scope]}
                </p>
              </div>
            </div>
          ))}
          {errors.scopes && (
            <p id="token-scopes-error" role="alert" className="text-sm text-destructive">
              {errors.scopes[0]}
            </p>
          )}
        </fieldset>

        <FormField id="token-expiry" label="Expires" error={errors.expiry}>
          {(control) => (
            <Select value={expiry} onValueChange={(value) => setExpiry(value as ExpiryChoice)}>
              <SelectTrigger {...control} className="w-full">
                <SelectValue>{EXPIRY_LABELS[expiry]}</SelectValue>
              </SelectTrigger>
              <SelectContent>
                {EXPIRY_CHOICES.map((choice) => (
                  <SelectItem key={choice} value={choice}>
                    {EXPIRY_LABELS[choice]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </FormField>
        {expiry === "custom" && (
          <FormField
            id="token-expires-on"
            label="Last day it works"
            error={errors.expires_on}
            description="It stops at the end of that day (UTC)."
          >
            {(control) => (
              <Input {...control} type="date" min={tomorrow()} value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} />
            )}
          </FormField>
        )}
        {expiry === "never" && (
          <p className="text-sm text-muted-foreground">
            A token that never expires works until someone revokes it. Prefer an expiry when you can.
          </p>
        )}

        <DialogFooter>
          <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create token"}
          </Button>
        </DialogFooter>
      </form>
    </>
  );
}

function IssuedToken({ issued, onDone }: { issued: Issued; onDone: () => void }) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>Copy your new token</DialogTitle>
        <DialogDescription>
          {issued.name} ·{" "}
          {issued.expiresAt ? `expires ${new Date(issued.expiresAt).toLocaleDateString("en", { dateStyle: "medium" })}` : "never expires"}
        </DialogDescription>
      </DialogHeader>
      <div className="grid gap-4" data-test="new-token">
        <Alert variant="warning">
          <KeyRound aria-hidden="true" />
          <AlertTitle>You will not see it again</AlertTitle>
          <AlertDescription>
            Cloudkeep keeps only a hash of it. Store it in your service&apos;s secret store now; if it is lost, revoke it and create
            another.
          </AlertDescription>
        </Alert>
        <div className="flex items-center gap-2">
          <code className="min-w-0 flex-1 rounded bg-muted px-2 py-1.5 font-mono text-xs break-all select-all" data-test="new-token-value">
            {issued.token}
          </code>
          <CopyButton value={issued.token} label="Copy token" />
        </div>
        <ScopeBadges scopes={issued.scopes} />
        <p className="text-sm text-muted-foreground">
          Send it as <code className="font-mono">Authorization: Bearer ck_…</code>; it implies this organization, so{" "}
          <code className="font-mono">?org=</code> is optional.
        </p>
      </div>
      <DialogFooter>
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </>
  );
}
