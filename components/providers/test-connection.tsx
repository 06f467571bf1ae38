"use client";
// "Test connection" for credentials that are not saved yet: the server calls the cloud with
// them once and says what it reached, or what failed and what to do. Nothing is stored.
import { useState, useTransition } from "react";
import { CheckCircle2, Loader2, PlugZap, XCircle } from "lucide-react";

import { Button } from "@/components/ui/button";
import { testConnectionAction, type CheckOutcome } from "@/lib/actions/connectivity";

type TestConnectionProps = {
  orgSlug: string;
  /** The body to test, or null when the form found errors first (it shows them itself). */
  body: () => Record<string, unknown> | null;
};

type Shown = { kind: "outcome"; outcome: CheckOutcome } | { kind: "error"; message: string } | null;

export function TestConnection({ orgSlug, body }: TestConnectionProps) {
  const [shown, setShown] = useState<Shown>(null);
  const [pending, startTransition] = useTransition();

  function run() {
    const input = body();
    if (!input) {
      setShown(null);
      return;
    }
    startTransition(async () => {
      const result = await testConnectionAction({ orgSlug, ...input });
      setShown(result.ok ? { kind: "outcome", outcome: result.data } : { kind: "error", message: result.error });
    });
  }

  return (
    <div className="grid gap-2">
      <div>
        <Button type="button" variant="outline" size="sm" onClick={run} disabled={pending} data-test="test-connection">
          {pending ? <Loader2 aria-hidden="true" className="animate-spin" /> : <PlugZap aria-hidden="true" />}
          {pending ? "Testing…" : "Test connection"}
        </Button>
      </div>
      <div aria-live="polite" data-test="test-connection-result">
        {shown && !pending && <Result shown={shown} />}
      </div>
    </div>
  );
}

function Result({ shown }: { shown: NonNullable<Shown> }) {
  if (shown.kind === "error") {
    return <p className="text-sm text-destructive">{shown.message}</p>;
  }
  const { outcome } = shown;
  if (outcome.ok) {
    return (
      <p className="flex items-start gap-2 rounded-md border border-success/30 bg-success/10 px-3 py-2 text-sm" data-ok="true">
        <CheckCircle2 aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-success" />
        <span>
          Connected to <span className="font-mono break-all">{outcome.account}</span>
          {outcome.label && outcome.label !== outcome.account ? ` (${outcome.label})` : ""} in {outcome.latencyMs} ms.
        </span>
      </p>
    );
  }
  return (
    <div className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm" data-ok="false">
      <XCircle aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-destructive" />
      <div className="grid gap-0.5">
        <p className="font-medium">{outcome.message}</p>
        <p className="text-muted-foreground">{outcome.hint}</p>
        <p className="font-mono text-xs text-muted-foreground">{outcome.code}</p>
      </div>
    </div>
  );
}
