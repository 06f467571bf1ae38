"use client";
// "Check now": one health check of a saved provider, its outcome as a toast, the page
// refreshed so status, history and uptime show it. Members and above only.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Loader2 } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { checkProviderNowAction } from "@/lib/actions/connectivity";

type Checked = { id: string; name: string };

/**
 * Runs checks for one page: which providers are being checked, and `check` to start one.
 * The provider grid holds one of these for all its cards, so a card's button is a plain
 * element rather than a component with its own hooks (two dozen of them per page).
 */
export function useHealthChecks(orgSlug: string) {
  const router = useRouter();
  const [checking, setChecking] = useState<ReadonlySet<string>>(() => new Set());
  const [, startTransition] = useTransition();

  async function check({ id, name }: Checked) {
    setChecking((ids) => new Set(ids).add(id));
    try {
      const result = await checkProviderNowAction({ orgSlug, providerId: id });
      if (!result.ok) toast.error(result.error);
      else if (result.data.ok)
        toast.success(`${name} is healthy`, {
          description: `Reached ${result.data.label ?? result.data.account} in ${result.data.latencyMs} ms.`,
        });
      else toast.error(`${name}: ${result.data.message}`, { description: result.data.hint, duration: 10_000 });
    } catch {
      toast.error(`${name}: the check could not be started. Check your connection and try again.`);
    } finally {
      setChecking((ids) => {
        const rest = new Set(ids);
        rest.delete(id);
        return rest;
      });
    }
    startTransition(() => router.refresh());
  }

  return { checking, check };
}

/** The button's face, shared by the card's plain button and the detail page's Button. */
export function CheckNowLabel({ checking }: { checking: boolean }) {
  return (
    <>
      {checking ? <Loader2 aria-hidden="true" className="animate-spin" /> : <span aria-hidden="true" className="icon-activity size-4" />}
      {checking ? "Checking…" : "Check now"}
    </>
  );
}

export const SUSPENDED_CHECK_TITLE = "Resume the provider to check it";

type CheckNowButtonProps = {
  orgSlug: string;
  providerId: string;
  providerName: string;
  suspended: boolean;
};

export function CheckNowButton({ orgSlug, providerId, providerName, suspended }: CheckNowButtonProps) {
  const { checking, check } = useHealthChecks(orgSlug);
  const pending = checking.has(providerId);

  return (
    <Button
      type="button"
      variant="outline"
      onClick={() => check({ id: providerId, name: providerName })}
      disabled={pending || suspended}
      title={suspended ? SUSPENDED_CHECK_TITLE : undefined}
      data-test="check-now"
    >
      <CheckNowLabel checking={pending} />
    </Button>
  );
}
