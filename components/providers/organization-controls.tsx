"use client";
// The admin controls of a whole cloud organization: discover now, exclude or include an account, and
// the scope form (which AWS member role, Azure management group, GCP organization or folder).
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Loader2, RefreshCw } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { discoverAccountsAction, setAccountExcludedAction, setOrganizationScopeAction } from "@/lib/actions/cloud-organizations";
import type { OrganizationScope } from "@/supabase/functions/_shared/providers/discovery.ts";
import { defaultScopeValue, SCOPE_FIELDS, scopeInput, ScopeField, scopeValue } from "./organization-scope-field";

export function DiscoverNowButton({ orgSlug, providerId, suspended }: { orgSlug: string; providerId: string; suspended: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  function discover() {
    startTransition(async () => {
      const result = await discoverAccountsAction({ orgSlug, providerId });
      if (!result.ok) toast.error(result.error);
      else if (!result.data.ok) toast.error(result.data.message, { description: result.data.hint, duration: 10_000 });
      else {
        const { added, connected, failed, unavailable } = result.data;
        toast.success(added > 0 ? `${added} new ${added === 1 ? "account" : "accounts"} connected` : "No new accounts", {
          description: `${connected} connected, ${failed} not connected, ${unavailable} unavailable.`,
        });
      }
      router.refresh();
    });
  }
  return (
    <Button
      size="sm"
      onClick={discover}
      disabled={pending || suspended}
      title={suspended ? "Resume the provider to discover" : undefined}
      data-test="discover-now"
    >
      {pending ? <Loader2 aria-hidden="true" className="animate-spin" /> : <RefreshCw aria-hidden="true" />}
      {pending ? "Discovering…" : "Discover now"}
    </Button>
  );
}

export function AccountExclusionButton({
  orgSlug,
  providerId,
  account,
  name,
  excluded,
}: {
  orgSlug: string;
  providerId: string;
  account: string;
  name: string;
  excluded: boolean;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  function flip() {
    startTransition(async () => {
      const result = await setAccountExcludedAction({ orgSlug, providerId, account, excluded: !excluded });
      if (!result.ok) toast.error(result.error);
      else toast.success(excluded ? `${name} will be tried at the next discovery` : `${name} is excluded from discovery`);
      router.refresh();
    });
  }
  return (
    <Button variant="ghost" size="sm" onClick={flip} disabled={pending} aria-label={`${excluded ? "Include" : "Exclude"} ${name}`}>
      {excluded ? "Include" : "Exclude"}
    </Button>
  );
}

export function OrganizationScopeForm({
  orgSlug,
  providerId,
  cloud,
  scope,
}: {
  orgSlug: string;
  providerId: string;
  cloud: OrganizationScope["cloud"];
  scope: OrganizationScope | null;
}) {
  const router = useRouter();
  const field = SCOPE_FIELDS[cloud];
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(() => scopeValue(scope) || defaultScopeValue(cloud));
  const [error, setError] = useState<string[] | undefined>();
  const [pending, startTransition] = useTransition();

  function save(next: Record<string, string | null> | null) {
    startTransition(async () => {
      const result = await setOrganizationScopeAction({ orgSlug, providerId, organizationScope: next });
      if (!result.ok) {
        const fieldError = result.fieldErrors?.[`organization_scope.${field.name}`] ?? result.fieldErrors?.organization_scope;
        if (fieldError) setError(fieldError);
        else toast.error(result.error);
        return;
      }
      toast.success(
        next ? "The organization is connected: use Discover now to add its accounts" : "The organization is no longer connected",
        {
          description: next ? undefined : "Accounts already connected stay, as providers of their own.",
        },
      );
      setOpen(false);
      router.refresh();
    });
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant={scope ? "outline" : "default"} data-test="organization-scope-open">
          {scope ? "Change scope" : "Connect organization"}
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-lg" data-test="organization-scope-dialog">
        <DialogHeader>
          <DialogTitle>{scope ? "Organization scope" : "Connect the whole organization"}</DialogTitle>
          <DialogDescription>Nothing new is stored but this setting; each account gets its own copy of this credential.</DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            save(scopeInput(cloud, value));
          }}
        >
          <ScopeField
            id="organization-scope"
            cloud={cloud}
            value={value}
            error={error}
            onChange={(next) => {
              setValue(next);
              setError(undefined);
            }}
          />
          <DialogFooter className="gap-2 sm:justify-between">
            {scope ? (
              <Button type="button" variant="ghost" onClick={() => save(null)} disabled={pending}>
                Stop connecting the organization
              </Button>
            ) : (
              <span />
            )}
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : scope ? "Save" : "Connect"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
