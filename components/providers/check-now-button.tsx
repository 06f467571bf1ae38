"use client";
// "Check now": one health check of a saved provider, its outcome as a toast, the page
// refreshed so status, history and uptime show it. Members and above only.
import { useTransition } from "react";
import { useRouter } from "next/navigation";
import { Activity, Loader2 } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { checkProviderNowAction } from "@/lib/actions/connectivity";

type CheckNowButtonProps = {
  orgSlug: string;
  providerId: string;
  providerName: string;
  suspended: boolean;
  size?: "sm" | "default";
  variant?: "outline" | "ghost";
};

export function CheckNowButton({ orgSlug, providerId, providerName, suspended, size = "default", variant = "outline" }: CheckNowButtonProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function run() {
    startTransition(async () => {
      const result = await checkProviderNowAction({ orgSlug, providerId });
      if (!result.ok) toast.error(result.error);
      else if (result.data.ok) toast.success(`${providerName} is healthy`, { description: `Reached ${result.data.label ?? result.data.account} in ${result.data.latencyMs} ms.` });
      else toast.error(`${providerName}: ${result.data.message}`, { description: result.data.hint, duration: 10_000 });
      router.refresh();
    });
  }

  return (
    <Button
      type="button"
      size={size}
      variant={variant}
      onClick={run}
      disabled={pending || suspended}
      title={suspended ? "Resume the provider to check it" : undefined}
      data-test="check-now"
    >
      {pending ? <Loader2 aria-hidden="true" className="animate-spin" /> : <Activity aria-hidden="true" />}
      {pending ? "Checking…" : "Check now"}
    </Button>
  );
}
