"use client";
// In the add dialog, for "No secret (federation)": the values the cloud must trust, as far as they
// are known before saving. The subject names the provider, whose id exists once it is saved; its
// page then shows every value exactly, with the commands.
import { ShieldCheck } from "lucide-react";

import { AWS_WEB_IDENTITY_AUDIENCE, AZURE_FEDERATION_AUDIENCE } from "@/supabase/functions/_shared/federation/issuer.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { FederationValue } from "./federation-setup";
import { chosenVariant, type CredentialValues } from "./provider-form";

const FEDERATED = new Set(["workload_identity", "web_identity", "federated"]);

export function isFederatedVariant(kind: ProviderType, values: CredentialValues) {
  return FEDERATED.has(chosenVariant(kind, values)?.value ?? "");
}

/** The pool provider's audience from a pasted credential configuration, as Google expects it in the token. */
function gcpAudience(text: unknown): string | null {
  if (typeof text !== "string") return null;
  try {
    const audience = (JSON.parse(text) as { audience?: unknown }).audience;
    return typeof audience === "string" && audience.startsWith("//iam.googleapis.com/") ? `https:${audience}` : null;
  } catch {
    return null;
  }
}

export function FederationPreview({ kind, issuer, values }: { kind: ProviderType; issuer: string | null; values: CredentialValues }) {
  const audience =
    kind === "gcp"
      ? gcpAudience(values.credential_config)
      : kind === "aws"
        ? AWS_WEB_IDENTITY_AUDIENCE
        : kind === "azure"
          ? AZURE_FEDERATION_AUDIENCE
          : null;
  return (
    <div className="grid gap-3 rounded-lg border p-4" data-test="federation-preview">
      <p className="flex items-start gap-2 text-sm text-muted-foreground">
        <ShieldCheck aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
        Nothing secret is stored. The cloud trusts Cloudkeep&apos;s issuer for this provider&apos;s subject only; after saving, its page
        shows the exact subject and the commands to bind it, and Check now says which link fails, if one does.
      </p>
      {issuer ? (
        <FederationValue label="Issuer URL" value={issuer} test="preview-issuer" />
      ) : (
        <p className="text-sm text-destructive">This Cloudkeep has no OIDC issuer configured (CLOUDKEEP_OIDC_ISSUER).</p>
      )}
      {audience && <FederationValue label="Audience" value={audience} test="preview-audience" />}
      <p className="text-sm">
        <span className="font-medium">Subject:</span>{" "}
        <code className="font-mono text-xs">org:&lt;organization id&gt;:provider:&lt;provider id&gt;</code>, shown once saved.
      </p>
    </div>
  );
}
