"use client";
// Network access and credential ages. Admins edit; everyone else sees the values, disabled.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { updateSettingsAction } from "@/lib/actions/settings";
import type { OrganizationSettings } from "@/supabase/functions/_shared/domain/organization-settings.ts";

type Errors = Record<string, string[]>;

export function SettingsForm({ orgSlug, settings, canEdit }: { orgSlug: string; settings: OrganizationSettings; canEdit: boolean }) {
  const router = useRouter();
  const [allowHttp, setAllowHttp] = useState(settings.allow_http_endpoints);
  const [readOnlyOnly, setReadOnlyOnly] = useState(settings.read_only_access_only);
  const [cidrs, setCidrs] = useState(settings.allowed_private_cidrs.join("\n"));
  const [horizon, setHorizon] = useState(settings.horizon_url ?? "");
  const [warning, setWarning] = useState(String(settings.credential_warning_days));
  const [critical, setCritical] = useState(String(settings.credential_critical_days));
  const [checkInterval, setCheckInterval] = useState(String(settings.health_check_interval_minutes));
  const [threshold, setThreshold] = useState(String(settings.health_failure_threshold));
  const [errors, setErrors] = useState<Errors>({});
  const [pending, startTransition] = useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await updateSettingsAction({
        orgSlug,
        allow_http_endpoints: allowHttp,
        read_only_access_only: readOnlyOnly,
        allowed_private_cidrs: cidrs,
        horizon_url: horizon,
        credential_warning_days: warning,
        credential_critical_days: critical,
        health_check_interval_minutes: checkInterval,
        health_failure_threshold: threshold,
      });
      if (result.ok) {
        setErrors({});
        toast.success("Settings saved");
        router.refresh();
        return;
      }
      // "allowed_private_cidrs.1" and the like belong to the list's field.
      const found: Errors = {};
      for (const [path, messages] of Object.entries(result.fieldErrors ?? {})) {
        const [field = path] = path.split(".");
        (found[field] ??= []).push(...messages);
      }
      setErrors(found);
      if (Object.keys(found).length === 0) toast.error(result.error);
      else document.querySelector<HTMLElement>("[data-test=settings-form] [aria-invalid=true]")?.focus();
    });
  }

  return (
    <form noValidate onSubmit={submit} className="grid gap-6" data-test="settings-form">
      <fieldset disabled={!canEdit || pending} className="grid gap-5">
        <legend className="mb-3 text-base font-semibold">Network access</legend>
        <div className="flex items-start gap-3">
          <Checkbox
            id="settings-allow-http"
            checked={allowHttp}
            onCheckedChange={(value) => setAllowHttp(value === true)}
            className="mt-0.5"
          />
          <div className="grid gap-1">
            <Label htmlFor="settings-allow-http">Allow plain-http endpoints</Label>
            <p className="text-sm text-muted-foreground">
              For private OpenStack or MinIO without TLS. Credentials then travel unencrypted on that network; leave off unless you must.
            </p>
          </div>
        </div>
        <FormField
          id="settings-cidrs"
          label="Allowed private networks"
          error={errors.allowed_private_cidrs}
          description="One CIDR per line, e.g. 10.20.0.0/16. Cloudkeep refuses loopback, link-local, metadata and private addresses unless listed here."
        >
          {(control) => (
            <Textarea
              {...control}
              rows={3}
              className="font-mono"
              spellCheck={false}
              value={cidrs}
              onChange={(e) => setCidrs(e.target.value)}
            />
          )}
        </FormField>
        <FormField
          id="settings-horizon"
          label="OpenStack Horizon URL"
          error={errors.horizon_url}
          description="For links from OpenStack servers into your Horizon dashboard."
        >
          {(control) => (
            <Input
              {...control}
              type="url"
              placeholder="https://horizon.example.com"
              spellCheck={false}
              value={horizon}
              onChange={(e) => setHorizon(e.target.value)}
            />
          )}
        </FormField>
      </fieldset>

      <fieldset disabled={!canEdit || pending} className="grid gap-5">
        <legend className="mb-3 text-base font-semibold">Access</legend>
        <div className="flex items-start gap-3">
          <Checkbox
            id="settings-read-only"
            checked={readOnlyOnly}
            onCheckedChange={(value) => setReadOnlyOnly(value === true)}
            className="mt-0.5"
          />
          <div className="grid gap-1">
            <Label htmlFor="settings-read-only">Read-only access only</Label>
            <p className="text-sm text-muted-foreground">
              Health checks and listings use only a provider&apos;s read-only credential. A provider without one is not checked — Cloudkeep
              never falls back to the full credential.
            </p>
          </div>
        </div>
      </fieldset>

      <fieldset disabled={!canEdit || pending} className="grid gap-5">
        <legend className="mb-3 text-base font-semibold">Scheduled health checks</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <NumberField
            id="settings-interval"
            label="Check every (minutes)"
            error={errors.health_check_interval_minutes}
            description="5 minutes to 1,440 (a day)."
            min={5}
            max={1440}
            value={checkInterval}
            onChange={setCheckInterval}
          />
          <NumberField
            id="settings-threshold"
            label="Failed after (checks in a row)"
            error={errors.health_failure_threshold}
            description="Scheduled failures in a row before a provider is marked failed; one success marks it healthy."
            min={1}
            max={10}
            value={threshold}
            onChange={setThreshold}
          />
        </div>
      </fieldset>

      <fieldset disabled={!canEdit || pending} className="grid gap-5">
        <legend className="mb-3 text-base font-semibold">Credential age</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <NumberField
            id="settings-warning"
            label="Warn after (days)"
            error={errors.credential_warning_days}
            min={1}
            max={3650}
            value={warning}
            onChange={setWarning}
          />
          <NumberField
            id="settings-critical"
            label="Critical after (days)"
            error={errors.credential_critical_days}
            min={2}
            max={3650}
            value={critical}
            onChange={setCritical}
          />
        </div>
        <p className="-mt-2 text-sm text-muted-foreground">
          Counted from when a credential was added or last rotated. Old credentials appear under Needs attention.
        </p>
      </fieldset>

      {canEdit && (
        <div>
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save settings"}
          </Button>
        </div>
      )}
    </form>
  );
}

/** A whole-number setting with its bounds, label, help and field error. */
function NumberField(props: {
  id: string;
  label: string;
  error: string[] | undefined;
  description?: string;
  min: number;
  max: number;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <FormField id={props.id} className="content-start" label={props.label} error={props.error} description={props.description}>
      {(control) => (
        <Input
          {...control}
          type="number"
          min={props.min}
          max={props.max}
          inputMode="numeric"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </FormField>
  );
}
