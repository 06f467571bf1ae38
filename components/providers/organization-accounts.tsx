// Whole cloud organizations on a provider's page. A parent lists every account its discovery saw:
// connected (a link to its provider), or why not in its cloud's words, with what to do. Admins run
// discovery now, exclude an account or let discovery try it again, and connect or stop connecting the
// organization. The last discovery says when it ran and, when it could not list the organization at
// all, why (to everyone who can see the provider). A discovered account names its parent.
import Link from "next/link";
import { Building2, Network } from "lucide-react";

import { CodeBlock } from "@/components/code-block";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { DiscoveredAccountRecord, DiscoveryRunRecord } from "@/supabase/functions/_shared/domain/cloud-organizations.ts";
import type { OrganizationScope } from "@/supabase/functions/_shared/providers/discovery.ts";
import { AccountExclusionButton, DiscoverNowButton, OrganizationScopeForm } from "./organization-controls";
import { formatDateTime, formatRelative } from "./provider-meta";

const CLOUD_WORDS = {
  aws: { accounts: "Accounts", account: "Account ID", one: "account" },
  azure: { accounts: "Subscriptions", account: "Subscription ID", one: "subscription" },
  gcp: { accounts: "Projects", account: "Project ID", one: "project" },
} as const;

function scopeDescription(scope: OrganizationScope): string {
  switch (scope.cloud) {
    case "aws":
      return `every account of its AWS Organization, through the ${scope.member_role_name} role in each member account`;
    case "azure":
      return scope.management_group_id
        ? `every subscription under management group ${scope.management_group_id}`
        : "every subscription its principal can read in the tenant";
    case "gcp":
      return `every project under ${scope.parent}, nested folders included`;
  }
}

const STATE_BADGES: Record<
  DiscoveredAccountRecord["state"],
  { label: string; variant: "success" | "warning" | "destructive" | "secondary" }
> = {
  connected: { label: "Connected", variant: "success" },
  failed: { label: "Not connected", variant: "destructive" },
  unavailable: { label: "Unavailable", variant: "warning" },
  excluded: { label: "Excluded", variant: "secondary" },
};

export function OrganizationAccounts({
  orgSlug,
  providerId,
  scope,
  accounts,
  lastDiscovery,
  canManage,
  suspended,
  now,
  memberRole,
}: {
  orgSlug: string;
  providerId: string;
  scope: OrganizationScope;
  accounts: DiscoveredAccountRecord[];
  lastDiscovery: DiscoveryRunRecord | null;
  canManage: boolean;
  suspended: boolean;
  now: Date;
  /** AWS: the StackSet template of the member role, or why it cannot be shown. */
  memberRole?: { ok: true; template: string } | { ok: false; problem: string } | null;
}) {
  const words = CLOUD_WORDS[scope.cloud];
  const counts = Object.fromEntries((["connected", "failed", "unavailable", "excluded"] as const).map((s) => [s, 0])) as Record<
    DiscoveredAccountRecord["state"],
    number
  >;
  for (const account of accounts) counts[account.state] += 1;
  const lastChecked =
    lastDiscovery?.ran_at ?? accounts.reduce<Date | null>((latest, a) => (!latest || a.checked_at > latest ? a.checked_at : latest), null);
  const lastBy = lastDiscovery ? (lastDiscovery.trigger === "scheduled" ? " (scheduled sweep)" : " (run by an admin)") : "";
  const providersHref = `/orgs/${encodeURIComponent(orgSlug)}/providers`;

  return (
    <Card data-test="organization-accounts">
      <CardHeader className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="grid gap-1.5">
          <CardTitle as="h2" className="flex items-center gap-2">
            <Network aria-hidden="true" className="size-4 text-muted-foreground" />
            {words.accounts} in this organization
          </CardTitle>
          <CardDescription>
            Connects {scopeDescription(scope)}. Each one that passes a health check becomes a provider of its own; new ones join after the
            next scheduled sweep.
            {lastChecked && (
              <>
                {" "}
                Last discovery{" "}
                <time dateTime={new Date(lastChecked).toISOString()} title={formatDateTime(lastChecked)}>
                  {formatRelative(lastChecked, now)}
                </time>
                {lastBy}.
              </>
            )}
          </CardDescription>
        </div>
        {canManage && (
          <div className="flex shrink-0 flex-wrap gap-2">
            <DiscoverNowButton orgSlug={orgSlug} providerId={providerId} suspended={suspended} />
            <OrganizationScopeForm orgSlug={orgSlug} providerId={providerId} cloud={scope.cloud} scope={scope} />
          </div>
        )}
      </CardHeader>
      <CardContent className="grid gap-4">
        {lastDiscovery && !lastDiscovery.ok && (
          <Alert variant="destructive" data-test="discovery-failed">
            <AlertTitle>The last discovery could not list the organization</AlertTitle>
            <AlertDescription>
              <p>{lastDiscovery.error_message}</p>
              {lastDiscovery.error_hint && <p>{lastDiscovery.error_hint}</p>}
              <p className="text-xs">
                {lastDiscovery.error_code} · {formatDateTime(lastDiscovery.ran_at)}.
                {accounts.length > 0 && " The accounts below are as an earlier discovery saw them."}
              </p>
            </AlertDescription>
          </Alert>
        )}
        {memberRole && (
          <details className="rounded-md border p-3 text-sm" data-test="member-role-template">
            <summary className="cursor-pointer font-medium">Member role: the StackSet template for every member account</summary>
            <div className="mt-3 grid gap-3">
              <p className="text-muted-foreground">
                Create a service-managed StackSet with this template, targeting the organization (or its OUs), with automatic deployment on:
                each account gets the read-only role, and accounts that join later get it too.
              </p>
              {memberRole.ok ? (
                <CodeBlock label="StackSet template (CloudFormation)" text={memberRole.template} />
              ) : (
                <Alert variant="warning">
                  <AlertDescription>{memberRole.problem}</AlertDescription>
                </Alert>
              )}
            </div>
          </details>
        )}
        {accounts.length === 0 ? (
          <p className="text-sm text-muted-foreground" data-test="organization-accounts-empty">
            Nothing discovered yet.{" "}
            {canManage ? "Use Discover now, or wait for the next scheduled sweep." : "Accounts appear after the next scheduled sweep."}
          </p>
        ) : (
          <>
            <p className="text-sm" data-test="organization-accounts-counts">
              <span className="font-medium">{counts.connected.toLocaleString("en")} connected</span>
              {counts.failed > 0 && <span className="text-destructive"> · {counts.failed.toLocaleString("en")} not connected</span>}
              {counts.unavailable > 0 && <span> · {counts.unavailable.toLocaleString("en")} unavailable</span>}
              {counts.excluded > 0 && <span className="text-muted-foreground"> · {counts.excluded.toLocaleString("en")} excluded</span>}
            </p>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>{words.account}</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead className="w-1/2">Why not connected</TableHead>
                  {canManage && (
                    <TableHead>
                      <span className="sr-only">Actions</span>
                    </TableHead>
                  )}
                </TableRow>
              </TableHeader>
              <TableBody>
                {accounts.map((account) => {
                  const badge = STATE_BADGES[account.state];
                  return (
                    <TableRow key={account.account} data-test="discovered-account" data-state={account.state}>
                      <TableCell className="font-medium">
                        {account.child_provider_id ? (
                          <Link href={`${providersHref}/${account.child_provider_id}`} className="underline-offset-4 hover:underline">
                            {account.name}
                          </Link>
                        ) : (
                          account.name
                        )}
                      </TableCell>
                      <TableCell className="font-mono text-xs break-all">{account.account}</TableCell>
                      <TableCell>
                        <Badge variant={badge.variant}>{badge.label}</Badge>
                      </TableCell>
                      <TableCell className="text-sm whitespace-normal">
                        {account.reason_message ? (
                          <span className="grid gap-0.5">
                            <span>{account.reason_message}</span>
                            {account.reason_hint && <span className="text-muted-foreground">{account.reason_hint}</span>}
                          </span>
                        ) : (
                          <span className="text-muted-foreground">—</span>
                        )}
                      </TableCell>
                      {canManage && (
                        <TableCell className="text-right">
                          {account.state !== "connected" && (
                            <AccountExclusionButton
                              orgSlug={orgSlug}
                              providerId={providerId}
                              account={account.account}
                              name={account.name}
                              excluded={account.state === "excluded"}
                            />
                          )}
                        </TableCell>
                      )}
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** For AWS, Azure and GCP providers that connect one account: connect the rest of the organization. */
export function ConnectOrganization({
  orgSlug,
  providerId,
  cloud,
}: {
  orgSlug: string;
  providerId: string;
  cloud: OrganizationScope["cloud"];
}) {
  const words = CLOUD_WORDS[cloud];
  return (
    <Card data-test="connect-organization">
      <CardHeader className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="grid gap-1.5">
          <CardTitle as="h2" className="flex items-center gap-2">
            <Building2 aria-hidden="true" className="size-4 text-muted-foreground" />
            Connect the whole organization
          </CardTitle>
          <CardDescription>
            {words.accounts} this credential can reach are discovered and each becomes a provider of its own, with a copy of this credential
            for its {words.one}. New ones join after each scheduled sweep.
          </CardDescription>
        </div>
        <OrganizationScopeForm orgSlug={orgSlug} providerId={providerId} cloud={cloud} scope={null} />
      </CardHeader>
    </Card>
  );
}

/** On a discovered account's page: which provider connected it. */
export function DiscoveredThrough({ orgSlug, parent }: { orgSlug: string; parent: { id: string; name: string } }) {
  return (
    <p className="flex items-center gap-1.5 text-sm text-muted-foreground" data-test="discovered-through">
      <Network aria-hidden="true" className="size-4" />
      Discovered through{" "}
      <Link
        href={`/orgs/${encodeURIComponent(orgSlug)}/providers/${parent.id}`}
        className="font-medium text-foreground underline-offset-4 hover:underline"
      >
        {parent.name}
      </Link>
      <Badge variant="secondary">Part of an organization</Badge>
    </p>
  );
}
