"use client";
// Connecting AWS by role: the external ID to copy, and what to deploy in the account — a
// CloudFormation stack (quick-create link when the template is published, else download and upload),
// Terraform, or the raw policies. Nothing here is secret; the external ID only works for Cloudkeep.
import { Download, ExternalLink, Info } from "lucide-react";

import { CopyButton } from "@/components/copy-button";
import { CodeBlock } from "@/components/code-block";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { AwsRoleSetupState } from "@/lib/aws-role-setup";

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

export function AwsRoleSetup({ state }: { state: AwsRoleSetupState }) {
  if (!state.ok) {
    return (
      <Alert variant="warning" data-test="aws-role-setup">
        <Info aria-hidden="true" />
        <AlertTitle>Connecting AWS by role is not set up on this Cloudkeep</AlertTitle>
        <AlertDescription>{state.problem}</AlertDescription>
      </Alert>
    );
  }
  const { setup } = state;
  const { cloudformation: stack } = setup;
  const fileName = `cloudkeep-role-${setup.role_name}.json`;

  return (
    <Card data-test="aws-role-setup">
      <CardHeader>
        <CardTitle as="h2">Connect with a role</CardTitle>
        <CardDescription>
          Create <span className="font-mono break-all">{setup.role_arn ?? `the role ${setup.role_name}`}</span> in the AWS account. It
          trusts only Cloudkeep, only with this provider&apos;s external ID, and may only read what Cloudkeep shows. Then use Check now:
          Cloudkeep assumes the role and makes sure it refuses anyone without the external ID.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <div className="grid gap-1.5">
          <span className="text-sm font-medium" id="external-id-label">
            External ID
          </span>
          <div className="flex flex-wrap items-center gap-2">
            <code
              aria-labelledby="external-id-label"
              className="rounded-md border bg-muted/50 px-2 py-1 font-mono text-xs break-all"
              data-test="external-id"
            >
              {setup.external_id}
            </code>
            <CopyButton value={setup.external_id} label="Copy external ID" />
          </div>
          <p className="text-xs text-muted-foreground">
            Issued by Cloudkeep for this provider; it cannot be changed. Cloudkeep&apos;s principal:{" "}
            <span className="font-mono break-all">{setup.principal_arn}</span>
          </p>
        </div>

        <Tabs defaultValue="cloudformation">
          <TabsList aria-label="How to create the role">
            <TabsTrigger value="cloudformation">CloudFormation</TabsTrigger>
            <TabsTrigger value="terraform">Terraform</TabsTrigger>
            <TabsTrigger value="policies">Policies</TabsTrigger>
          </TabsList>

          <TabsContent value="cloudformation" className="grid gap-4 pt-2">
            <div className="flex flex-wrap items-center gap-2">
              {stack.quick_create_url ? (
                <Button asChild>
                  <a href={stack.quick_create_url} target="_blank" rel="noopener noreferrer" data-test="quick-create-link">
                    <ExternalLink aria-hidden="true" />
                    Launch stack in the AWS console
                  </a>
                </Button>
              ) : (
                <Button variant="outline" asChild>
                  <a href={stack.create_stack_url} target="_blank" rel="noopener noreferrer" data-test="create-stack-link">
                    <ExternalLink aria-hidden="true" />
                    Open Create stack
                  </a>
                </Button>
              )}
              <Button type="button" variant="outline" onClick={() => download(fileName, stack.template_json)} data-test="download-template">
                <Download aria-hidden="true" />
                Download template
              </Button>
            </div>
            <p className="text-sm text-muted-foreground">
              {stack.quick_create_url
                ? "The link opens Cloudkeep's template with this provider's external ID and role name filled in. Acknowledge that it creates a named IAM role, then create the stack."
                : `Download the template, then on Create stack choose “Upload a template file”. Its parameters already hold this provider's external ID and role name. Acknowledge that it creates a named IAM role.`}
            </p>
            <CodeBlock label="Template" text={stack.template_json} data-test="cloudformation-template" />
          </TabsContent>

          <TabsContent value="terraform" className="grid gap-4 pt-2">
            <p className="text-sm text-muted-foreground">
              Add this to a configuration that manages the account (AWS provider), then apply.
            </p>
            <CodeBlock label="Terraform" text={setup.terraform} data-test="terraform-snippet" />
          </TabsContent>

          <TabsContent value="policies" className="grid gap-4 pt-2">
            <p className="text-sm text-muted-foreground">
              To create the role yourself: the trust policy, and the permissions policy with exactly the actions Cloudkeep calls (
              {setup.actions.join(", ")}).
            </p>
            <CodeBlock label="Trust policy" text={JSON.stringify(setup.policies.trust, null, 2)} data-test="trust-policy" />
            <CodeBlock
              label="Permissions policy"
              text={JSON.stringify(setup.policies.permissions, null, 2)}
              data-test="permissions-policy"
            />
          </TabsContent>
        </Tabs>
      </CardContent>
    </Card>
  );
}
