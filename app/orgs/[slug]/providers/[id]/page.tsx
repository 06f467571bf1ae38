import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ArrowLeft, ScrollText } from "lucide-react";

import { TabLinks } from "@/components/tab-links";
import { ActivityTimeline } from "@/components/providers/activity-timeline";
import { AwsRoleSetup } from "@/components/providers/aws-role-setup";
import { FederationSetup } from "@/components/providers/federation-setup";
import { CheckNowButton } from "@/components/providers/check-now-button";
import { HealthHistory } from "@/components/providers/health-history";
import { ConnectOrganization, DiscoveredThrough, OrganizationAccounts } from "@/components/providers/organization-accounts";
import { ProviderActions } from "@/components/providers/provider-actions";
import { ProviderLogo } from "@/components/providers/provider-logo";
import { ENVIRONMENT_LABELS, providerLabel, toSummary } from "@/components/providers/provider-meta";
import { ProviderDetailsCard, ProviderHealthCard } from "@/components/providers/provider-overview";
import { ProviderStatusBadge } from "@/components/providers/provider-badges";
import { ResourcesPanel, parseResourceParams } from "@/components/providers/resources-panel";
import { Button } from "@/components/ui/button";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole } from "@/lib/auth/roles";
import { getHealthHistory, getInventory, listResources } from "@/lib/db/queries/connectivity";
import { getOrganizationLinks, getProvider } from "@/lib/db/queries/providers";
import { getAwsRoleSetup } from "@/lib/aws-role-setup";
import { isDiscoveryCloud, type OrganizationScope } from "@/supabase/functions/_shared/providers/discovery.ts";
import { getFederationSetup } from "@/lib/federation-setup";
import { getMemberRoleTemplate } from "@/lib/organization-setup";

type Params = Promise<{ slug: string; id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const TABS = ["overview", "resources", "activity", "history"] as const;
type Tab = (typeof TABS)[number];
const HISTORY_LIMIT = 100;

/** One read per request, shared by the metadata and the page. */
const loadProvider = cache(async (slug: string, id: string) => {
  const { user, organization } = await requireOrg(slug);
  // RLS scopes the read to this organization: an id from another one is simply not found.
  return { user, organization, provider: await getProvider(user, organization.id, id) };
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug, id } = await params;
  const { provider } = await loadProvider(slug, id);
  return { title: provider ? provider.name : "Provider not found" };
}

export default async function ProviderPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { slug, id } = await params;
  const query = await searchParams;
  const { user, organization, provider } = await loadProvider(slug, id);
  if (!provider) notFound();

  const canManage = hasRole(organization.role, "admin");
  const canCheck = hasRole(organization.role, "member");
  // CloudTrail activity is for AWS providers, and for members and above (it names people).
  const hasActivity = provider.provider_type === "aws" && canCheck;
  const requested = (TABS as readonly string[]).includes(String(query.tab)) ? (query.tab as Tab) : "overview";
  const tab: Tab = requested === "activity" && !hasActivity ? "overview" : requested;
  const roleSetup = getAwsRoleSetup(provider);
  const federationSetup = getFederationSetup(provider);
  const suspended = provider.status === "suspended";
  const listHref = `/orgs/${encodeURIComponent(organization.slug)}/providers`;
  const base = `${listHref}/${provider.id}`;
  const now = new Date();

  const resourceParams = parseResourceParams(query);
  const [checks, inventory, resources, links] = await Promise.all([
    getHealthHistory(user, provider.id, tab === "history" ? HISTORY_LIMIT : 30),
    getInventory(user, provider.id),
    tab === "resources" ? listResources(user, provider.id, resourceParams) : null,
    getOrganizationLinks(user, provider),
  ]);
  const scope = provider.organization_scope as OrganizationScope | null;
  // AWS, Azure and GCP providers that connect one account may connect the rest of their organization.
  const canConnectOrganization = canManage && !scope && !provider.parent_provider_id && isDiscoveryCloud(provider.provider_type);

  const tabs = [
    { id: "overview", label: "Overview", href: base },
    {
      id: "resources",
      label: (
        <>
          Resources
          {inventory && (
            <span className="rounded-full bg-muted-foreground/15 px-1.5 text-xs tabular-nums">
              {inventory.resource_count.toLocaleString("en")}
            </span>
          )}
        </>
      ),
      href: `${base}?tab=resources`,
    },
    ...(hasActivity ? [{ id: "activity", label: "Activity", href: `${base}?tab=activity` }] : []),
    { id: "history", label: "Health history", href: `${base}?tab=history` },
  ];

  return (
    <>
      <Link
        href={listHref}
        className="inline-flex w-fit items-center gap-1.5 rounded-sm text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        Providers
      </Link>

      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 items-start gap-4">
          <ProviderLogo kind={provider.provider_type} size={48} />
          <div className="min-w-0 space-y-1.5">
            <h1 className="text-2xl font-semibold tracking-tight break-words">{provider.name}</h1>
            <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
              <ProviderStatusBadge status={provider.status} />
              <span>
                {providerLabel(provider.provider_type)} · {ENVIRONMENT_LABELS[provider.environment]}
              </span>
            </div>
            {links.parent && <DiscoveredThrough orgSlug={organization.slug} parent={links.parent} />}
          </div>
        </div>
        {(canCheck || canManage) && (
          <div className="flex shrink-0 flex-wrap items-center gap-2" data-test="provider-detail-actions">
            {canCheck && (
              <CheckNowButton orgSlug={organization.slug} providerId={provider.id} providerName={provider.name} suspended={suspended} />
            )}
            {canManage && (
              <ProviderActions orgSlug={organization.slug} provider={toSummary(provider)} layout="toolbar" afterDeleteHref={listHref} />
            )}
          </div>
        )}
      </div>

      <TabLinks tabs={tabs} current={tab} label="Provider sections" />

      {tab === "overview" && (
        <>
          <ProviderHealthCard provider={provider} checks={checks} now={now} />
          {roleSetup && <AwsRoleSetup state={roleSetup} />}
          {federationSetup && <FederationSetup state={federationSetup} />}
          {scope && links.accounts && (
            <OrganizationAccounts
              orgSlug={organization.slug}
              providerId={provider.id}
              scope={scope}
              accounts={links.accounts}
              lastDiscovery={links.lastDiscovery}
              canManage={canManage}
              suspended={suspended}
              now={now}
              memberRole={getMemberRoleTemplate(provider)}
            />
          )}
          {canConnectOrganization && (
            <ConnectOrganization
              orgSlug={organization.slug}
              providerId={provider.id}
              cloud={provider.provider_type as OrganizationScope["cloud"]}
            />
          )}
          <ProviderDetailsCard
            provider={provider}
            checks={checks}
            now={now}
            action={
              canManage && (
                <Button variant="ghost" size="sm" asChild>
                  <Link href={`/orgs/${encodeURIComponent(organization.slug)}/audit?provider=${provider.id}`}>
                    <ScrollText aria-hidden="true" />
                    View audit log
                  </Link>
                </Button>
              )
            }
          />
        </>
      )}

      {tab === "resources" && resources && (
        <ResourcesPanel
          orgSlug={organization.slug}
          providerId={provider.id}
          providerType={provider.provider_type}
          base={base}
          params={resourceParams}
          page={resources}
          inventory={inventory}
          canRefresh={canCheck}
          suspended={suspended}
          now={now}
        />
      )}

      {tab === "activity" && (
        <ActivityTimeline
          user={user}
          orgSlug={organization.slug}
          providerId={provider.id}
          base={base}
          query={query}
          canImport={canCheck}
          suspended={suspended}
          now={now}
        />
      )}

      {tab === "history" && <HealthHistory checks={checks} now={now} />}
    </>
  );
}
