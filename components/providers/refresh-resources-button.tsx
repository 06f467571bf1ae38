"use client";
// "Refresh": lists the provider's resources live (every region, every page) and replaces the
// stored inventory. A listing can take a while, so it shows that it is working and for how
// long, then says what it found or what failed.
import { useEffect, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Loader2, RefreshCw } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { refreshResourcesAction } from "@/lib/actions/connectivity";

type RefreshResourcesButtonProps = { orgSlug: string; providerId: string; suspended: boolean };

export function RefreshResourcesButton({ orgSlug, providerId, suspended }: RefreshResourcesButtonProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);

  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - startedAt) / 1000)), 250);
    return () => clearInterval(timer);
  }, [startedAt]);

  function run() {
    setElapsed(0);
    setStartedAt(Date.now());
    startTransition(async () => {
      const result = await refreshResourcesAction({ orgSlug, providerId });
      setStartedAt(null);
      if (!result.ok) toast.error(result.error);
      else if (!result.data.ok) toast.error(result.data.message, { description: result.data.hint, duration: 10_000 });
      else {
        const { count, partialFailures } = result.data;
        const found = `Found ${count.toLocaleString("en")} resource${count === 1 ? "" : "s"}.`;
        if (partialFailures.length) {
          toast.warning(found, {
            description: `${partialFailures.length} region${partialFailures.length === 1 ? "" : "s"} could not be listed: ${partialFailures.map((f) => f.scope).join(", ")}.`,
          });
        } else toast.success(found);
      }
      router.refresh();
    });
  }

  return (
    <div className="flex items-center gap-3">
      {pending && (
        <div role="status" className="flex items-center gap-2 text-sm text-muted-foreground" data-test="refresh-progress">
          <span className="relative block h-1.5 w-24 overflow-hidden rounded-full bg-muted" aria-hidden="true">
            <span className="absolute inset-y-0 left-0 w-1/3 animate-[progress_1.2s_ease-in-out_infinite] rounded-full bg-primary" />
          </span>
          Listing every region… {elapsed} s
        </div>
      )}
      <Button
        type="button"
        variant="outline"
        onClick={run}
        disabled={pending || suspended}
        title={suspended ? "Resume the provider to list its resources" : undefined}
        data-test="refresh-resources"
      >
        {pending ? <Loader2 aria-hidden="true" className="animate-spin" /> : <RefreshCw aria-hidden="true" />}
        {pending ? "Refreshing…" : "Refresh"}
      </Button>
    </div>
  );
}
