// What an invitation page says in each case: who invites you to what, and — when the link
// cannot be used — why, and what to do instead.
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ROLE_LABELS } from "@/lib/auth/roles";
import type { InvitationPreview } from "@/supabase/functions/_shared/domain/members.ts";

type Problem = "not_found" | "expired" | "used" | "revoked";

function problemText(problem: Problem, organization: string) {
  switch (problem) {
    case "not_found":
      return {
        title: "Invitation not found",
        body: "This link does not match any invitation. Check that you copied the whole link, or ask an admin of the organization for a new one.",
      };
    case "expired":
      return {
        title: "This invitation has expired",
        body: `Invitations work for 7 days. Ask an admin of ${organization} to invite you again.`,
      };
    case "used":
      return {
        title: "This invitation has already been used",
        body: `Each invitation link works once. If you accepted it, sign in to open ${organization}. Otherwise ask an admin of ${organization} for a new invitation.`,
      };
    case "revoked":
      return {
        title: "This invitation was withdrawn",
        body: `An admin of ${organization} revoked it or sent a newer link. Use the latest link you received, or ask for a new invitation.`,
      };
  }
}

export function InvitationProblem({ problem, preview }: { problem: Problem; preview?: InvitationPreview | null }) {
  const { title, body } = problemText(problem, preview?.organization_name ?? "the organization");
  return (
    <Card data-test={`invitation-${problem}`}>
      <CardHeader>
        <CardTitle as="h1">{title}</CardTitle>
        <CardDescription>{body}</CardDescription>
      </CardHeader>
      <CardContent>
        <Button asChild variant="outline" className="w-full">
          <Link href="/">Go to Cloudkeep</Link>
        </Button>
      </CardContent>
    </Card>
  );
}

const article = (role: string) => (role === "admin" || role === "owner" ? "an" : "a");

/** The invitation itself: organization, role and address, with what the visitor can do next. */
export function InvitationCard({ preview, children }: { preview: InvitationPreview; children: React.ReactNode }) {
  const role = ROLE_LABELS[preview.role].toLowerCase();
  return (
    <Card data-test="invitation">
      <CardHeader>
        <CardTitle as="h1">Join {preview.organization_name}</CardTitle>
        <CardDescription>
          You are invited to join <span className="font-medium text-foreground">{preview.organization_name}</span> on Cloudkeep as{" "}
          {article(role)} <span className="font-medium text-foreground">{role}</span>. The invitation is for{" "}
          <span className="font-medium text-foreground break-all">{preview.email}</span>.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">{children}</CardContent>
    </Card>
  );
}
