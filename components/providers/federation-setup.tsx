"use client";
// Connecting with no secret: the values to paste into the cloud (issuer, subject, audience), each
// with a copy button, and generated commands. Nothing here is secret; the subject names this
// provider only, so trusting it trusts nothing else.
import { Info } from "lucide-react";

import { CopyButton } from "@/components/copy-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { FederationSetupState } from "@/lib/federation-setup";

export function FederationValue({ label, value, test }: { label: string; value: string; test: string }) {
  const id = `federation-${test}`;
  return (
    <div className="grid gap-1.5">
      <span className="text-sm font-medium" id={`${id}-label`}>
        {label}
      </span>
      <div className="flex flex-wrap items-center gap-2">
        <code aria-labelledby={`${id}-label`} className="rounded-md border bg-muted/50 px-2 py-1 font-mono text-xs break-all" data-test={id}>
          {value}
        </code>
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}

function Code({ label, text, test }: { label: string; text: string; test: string }) {
  return (
    <div className="grid gap-2">
      <div className="flex items-center justify-between gap-2">
        <span className="text-sm font-medium">{label}</span>
        <CopyButton value={text} label={`Copy ${label.toLowerCase()}`} />
      </div>
      <pre tabIndex={0} aria-label={label} className="max-h-80 overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs" data-test={test}>
        {text}
      </pre>
    </div>
  );
}

export function FederationSetup({ state }: { state: FederationSetupState }) {
  if (!state.ok) {
    return (
      <Alert variant="warning" data-test="federation-setup">
        <Info aria-hidden="true" />
        <AlertTitle>Cloudkeep&apos;s OIDC issuer is not configured</AlertTitle>
        <AlertDescription>{state.problem}</AlertDescription>
      </Alert>
    );
  }
  const { setup } = state;
  return (
    <Card data-test="federation-setup">
      <CardHeader>
        <CardTitle as="h2">Connect with no secret</CardTitle>
        <CardDescription>
          Google Cloud trusts Cloudkeep&apos;s OpenID Connect issuer for this provider only. Create the workload identity pool provider with this issuer, bind this
          subject, then use Check now: it reports which link fails, if one does.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <FederationValue label="Issuer URL" value={setup.issuer} test="issuer" />
        <FederationValue label="Subject" value={setup.subject} test="subject" />
        <FederationValue label="Audience" value={setup.audience} test="audience" />
        <FederationValue label="Principal" value={setup.principal} test="principal" />
        <Tabs defaultValue="gcloud">
          <TabsList aria-label="How to set up the trust">
            <TabsTrigger value="gcloud">gcloud</TabsTrigger>
            <TabsTrigger value="terraform">Terraform</TabsTrigger>
          </TabsList>
          <TabsContent value="gcloud" className="pt-2">
            <Code label="Commands" text={setup.commands} test="federation-commands" />
          </TabsContent>
          <TabsContent value="terraform" className="pt-2">
            <Code label="Terraform" text={setup.terraform} test="federation-terraform" />
          </TabsContent>
        </Tabs>
      </CardContent>
    </Card>
  );
}
