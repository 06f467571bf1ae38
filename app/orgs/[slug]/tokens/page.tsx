import type { Metadata } from "next";
import { KeyRound, Lock } from "lucide-react";

import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { CreateTokenDialog } from "@/components/tokens/create-token-dialog";
import { TokensTable } from "@/components/tokens/tokens-table";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole } from "@/lib/auth/roles";
import { listTokens } from "@/lib/db/queries/tokens";

export const metadata: Metadata = { title: "API tokens" };

const DESCRIPTION =
  "Organization-scoped tokens for services that call the Cloudkeep API. Each token works only in this organization and only within its scopes.";

export default async function TokensPage({ params }: { params: Promise<{ slug: string }> }) {
  const { user, organization } = await requireOrg((await params).slug);

  // Members and viewers get no list and no controls; the actions and the database refuse them anyway.
  if (!hasRole(organization.role, "admin")) {
    return (
      <>
        <PageHeader title="API tokens" description={DESCRIPTION} />
        <EmptyState
          icon={<Lock />}
          title="Only admins manage API tokens"
          description="Ask an admin or owner of this organization to create a token for your service, or to revoke one."
        />
      </>
    );
  }

  const tokens = await listTokens(user, organization.id);
  return (
    <>
      {/* One dialog, always in the header: a new token is shown inside it, so it must survive the
          refresh that replaces the empty state with the table. */}
      <PageHeader title="API tokens" description={DESCRIPTION} actions={<CreateTokenDialog orgSlug={organization.slug} />} />
      {tokens.length === 0 ? (
        <EmptyState
          icon={<KeyRound />}
          title="No API tokens yet"
          description="Create a token for each service that calls the API, with only the scopes it needs. You see the token once; Cloudkeep keeps only its hash."
        />
      ) : (
        <TokensTable orgSlug={organization.slug} tokens={tokens} now={new Date()} />
      )}
    </>
  );
}
