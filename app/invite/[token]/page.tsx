import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvitationForm } from "@/components/members/accept-invitation-form";
import { InvitationCard, InvitationProblem } from "@/components/members/invitation-pages";
import { Button } from "@/components/ui/button";
import { acceptInvitationAction, switchAccountForInvitationAction } from "@/lib/actions/members";
import { getUser } from "@/lib/auth/require-user";
import { getInvitationPreview } from "@/lib/db/queries/members";
import { getMyOrganization } from "@/lib/db/queries/organizations";

// The token is in the URL: never hand it to another site in a Referer header.
export const metadata: Metadata = { title: "Invitation", referrer: "no-referrer" };

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const preview = await getInvitationPreview(token);
  if (!preview) return <InvitationProblem problem="not_found" />;
  if (preview.status !== "pending") return <InvitationProblem problem={preview.status} preview={preview} />;

  const user = await getUser();
  const next = encodeURIComponent(`/invite/${token}`);
  if (!user) {
    return (
      <InvitationCard preview={preview}>
        <p className="text-sm text-muted-foreground">Create your account or sign in with that address to accept.</p>
        <Button asChild className="w-full">
          <Link href={`/sign-up?next=${next}`}>Create account</Link>
        </Button>
        <Button asChild variant="outline" className="w-full">
          <Link href={`/sign-in?next=${next}`}>Sign in</Link>
        </Button>
      </InvitationCard>
    );
  }

  if (user.email.toLowerCase() !== preview.email) {
    return (
      <InvitationCard preview={preview}>
        <p className="text-sm" data-test="invitation-wrong-email">
          You are signed in as <span className="font-medium break-all">{user.email}</span>. Only {preview.email} can accept this invitation.
        </p>
        <form action={switchAccountForInvitationAction}>
          <input type="hidden" name="token" value={token} />
          <Button type="submit" className="w-full">
            Sign out and sign in as {preview.email}
          </Button>
        </form>
      </InvitationCard>
    );
  }

  const membership = await getMyOrganization(user, preview.organization_slug);
  if (membership) {
    return (
      <InvitationCard preview={preview}>
        <p className="text-sm">You are already a member of {preview.organization_name}.</p>
        <Button asChild className="w-full">
          <Link href={`/orgs/${membership.slug}/providers`}>Open {preview.organization_name}</Link>
        </Button>
      </InvitationCard>
    );
  }

  return (
    <InvitationCard preview={preview}>
      <AcceptInvitationForm token={token} organizationName={preview.organization_name} action={acceptInvitationAction} />
    </InvitationCard>
  );
}
