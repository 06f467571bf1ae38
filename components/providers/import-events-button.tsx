"use client";
// "Import now" on the Activity tab: reads the account's recent changes from CloudTrail, then says
// how many were new, or what failed and what to do about it.
import { useTransition } from "react";
import { useRouter } from "next/navigation";
import { Loader2, RefreshCw } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { importEventsAction } from "@/lib/actions/aws";

type ImportEventsButtonProps = { orgSlug: string; providerId: string; suspended: boolean };

export function ImportEventsButton({ orgSlug, providerId, suspended }: ImportEventsButtonProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function run() {
    startTransition(async () => {
      const result = await importEventsAction({ orgSlug, providerId });
      if (!result.ok) toast.error(result.error);
      else if (!result.data.ok) toast.error(result.data.message, { description: result.data.hint, duration: 10_000 });
      else {
        const { added, failedRegions } = result.data;
        const found = added === 0 ? "No new changes." : `${added.toLocaleString("en")} new change${added === 1 ? "" : "s"}.`;
        if (failedRegions.length) toast.warning(found, { description: `Could not read ${failedRegions.join(", ")}.` });
        else toast.success(found);
      }
      router.refresh();
    });
  }

  return (
    <Button
      type="button"
      variant="outline"
      onClick={run}
      disabled={pending || suspended}
      title={suspended ? "Resume the provider to import its activity" : undefined}
      data-test="import-events"
    >
      {pending ? <Loader2 aria-hidden="true" className="animate-spin" /> : <RefreshCw aria-hidden="true" />}
      {pending ? "Importing…" : "Import now"}
    </Button>
  );
}
