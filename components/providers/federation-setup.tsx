"use client";
// Connecting with no secret: the values to paste into the cloud (issuer, subject, audience), each
// with a copy button, and generated commands. Nothing here is secret; the subject names this
// provider only, so trusting it trusts nothing else.
import { Info } from "lucide-react";

import { CodeBlock } from "@/components/code-block";
import { CopyButton } from "@/components/copy-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { FederationSetupState } from "@/lib/federation-setup";
import type { FederationSetup as FederationSetupValue } from "@/supabase/functions/_shared/federation/setup.ts";

export function FederationValue({ label, value, test }: { label: string; value: string; test: string }) {
  const id = `federation-${test}`;
  return (
    <div className="grid gap-1.5">
      <span className="text-sm font-medium" id={`${id}-label`}>
        {label}
      </span>
      <div className="flex flex-wrap items-center gap-2">
        <code
          aria-labelledby={`${id}-label`}
          className="rounded-md border bg-muted/50 px-2 py-1 font-mono text-xs break-all"
          data-test={id}
        >
          {value}
        </code>
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
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
  const words = CLOUD_WORDS[setup.cloud];
  return (
    <Card data-test="federation-setup">
      <CardHeader>
        <CardTitle as="h2">Connect with no secret</CardTitle>
        <CardDescription>
          {words.cloud} trusts Cloudkeep&apos;s OpenID Connect issuer for this provider only. {words.steps} Then use Check now: it reports
          which link fails, if one does.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <FederationValue label="Issuer URL" value={setup.issuer} test="issuer" />
        <FederationValue label="Subject" value={setup.subject} test="subject" />
        <FederationValue label="Audience" value={setup.audience} test="audience" />
        <FederationValue label={words.principal} value={setup.principal} test="principal" />
        <Tabs defaultValue={setup.cloudformation ? "cloudformation" : "commands"}>
          <TabsList aria-label="How to set up the trust">
            {setup.cloudformation && <TabsTrigger value="cloudformation">CloudFormation</TabsTrigger>}
            <TabsTrigger value="commands">{words.cli}</TabsTrigger>
            <TabsTrigger value="terraform">Terraform</TabsTrigger>
          </TabsList>
          {setup.cloudformation && (
            <TabsContent value="cloudformation" className="pt-2">
              <CodeBlock label="Template" text={setup.cloudformation} data-test="federation-cloudformation" />
            </TabsContent>
          )}
          <TabsContent value="commands" className="pt-2">
            <CodeBlock label="Commands" text={setup.commands} data-test="federation-commands" />
          </TabsContent>
          <TabsContent value="terraform" className="pt-2">
            <CodeBlock label="Terraform" text={setup.terraform} data-test="federation-terraform" />
          </TabsContent>
        </Tabs>
      </CardContent>
    </Card>
  );
}

/** How each cloud names the pieces. */
const CLOUD_WORDS: Record<FederationSetupValue["cloud"], { cloud: string; steps: string; principal: string; cli: string }> = {
  gcp: {
    cloud: "Google Cloud",
    steps: "Create the workload identity pool provider with this issuer and bind this subject.",
    principal: "Principal",
    cli: "gcloud",
  },
  aws: {
    cloud: "AWS",
    steps:
      "Create the IAM OIDC identity provider for this issuer (once per account) and the role whose trust policy pins this audience and subject.",
    principal: "Role",
    cli: "AWS CLI",
  },
  azure: {
    cloud: "Microsoft Entra ID",
    steps:
      "Add a federated credential with this issuer, subject and audience to the app registration, and give the app Reader on the subscription.",
    principal: "Application (client) ID",
    cli: "az CLI",
  },
};
