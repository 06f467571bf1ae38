"use client";
// The organization's webhook: URL and on/off, the signing secret shown once (on creation and
// on rotation), and removal. Admins and owners only; the page renders it for them alone.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { KeyRound, Trash2 } from "lucide-react";
import { toast } from "sonner";

import { CopyButton } from "@/components/copy-button";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { removeWebhookAction, rotateWebhookSecretAction, saveWebhookAction } from "@/lib/actions/settings";
import type { Webhook } from "@/supabase/functions/_shared/domain/webhooks.ts";

export function WebhookForm({ orgSlug, webhook }: { orgSlug: string; webhook: Webhook | null }) {
  const router = useRouter();
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  const [error, setError] = useState<string[] | undefined>();
  const [secret, setSecret] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function save(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await saveWebhookAction({ orgSlug, url, enabled });
      if (!result.ok) {
        setError(result.fieldErrors?.url ?? [result.error]);
        return;
      }
      setError(undefined);
      if (result.data.secret) setSecret(result.data.secret);
      toast.success("Webhook saved");
      router.refresh();
    });
  }

  function rotate() {
    startTransition(async () => {
      const result = await rotateWebhookSecretAction({ orgSlug });
      if (!result.ok) return void toast.error(result.error);
      setSecret(result.data.secret);
      toast.success("New signing secret made", { description: "The old one no longer verifies." });
      router.refresh();
    });
  }

  async function remove() {
    const result = await removeWebhookAction({ orgSlug });
    if (!result.ok) return result.error;
    setUrl("");
    setSecret(null);
    toast.success("Webhook removed");
    router.refresh();
  }

  return (
    <div className="grid gap-5" data-test="webhook-form">
      {secret && (
        <div className="grid gap-2 rounded-md border border-warning/35 bg-warning/5 p-3 text-sm" data-test="webhook-secret">
          <p className="font-medium">Signing secret — copy it now, you will not see it again.</p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="rounded bg-muted px-2 py-1 font-mono text-xs break-all">{secret}</code>
            <CopyButton value={secret} />
          </div>
          <p className="text-muted-foreground">Verify each delivery&apos;s Cloudkeep-Signature header with it (see the README).</p>
        </div>
      )}
      <form noValidate onSubmit={save} className="grid gap-4">
        <FormField
          id="webhook-url"
          label="Payload URL"
          error={error}
          description="Cloudkeep POSTs JSON here when a provider fails or recovers and when a credential nears expiry or grows old."
        >
          {(control) => (
            <Input
              {...control}
              type="url"
              placeholder="https://hooks.example.com/cloudkeep"
              spellCheck={false}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          )}
        </FormField>
        <div className="flex items-center gap-3">
          <Checkbox id="webhook-enabled" checked={enabled} onCheckedChange={(value) => setEnabled(value === true)} />
          <Label htmlFor="webhook-enabled">Send deliveries</Label>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : webhook ? "Save webhook" : "Add webhook"}
          </Button>
          {webhook && (
            <>
              <Button type="button" variant="outline" onClick={rotate} disabled={pending}>
                <KeyRound aria-hidden="true" />
                Rotate secret
              </Button>
              <ConfirmDialog
                trigger={
                  <Button type="button" variant="ghost" disabled={pending}>
                    <Trash2 aria-hidden="true" />
                    Remove
                  </Button>
                }
                title="Remove the webhook?"
                description="Pending deliveries are dropped. In-app notifications continue."
                confirmLabel="Remove webhook"
                pendingLabel="Removing…"
                onConfirm={remove}
              />
            </>
          )}
        </div>
        {webhook && (
          <p className="text-sm text-muted-foreground">
            Current secret: <span className="font-mono">{webhook.secret_hint}</span>
          </p>
        )}
      </form>
    </div>
  );
}
