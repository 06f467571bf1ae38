import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireOrg } from "@/lib/auth/require-org";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { listMembers } from "@/lib/db/queries/organizations";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);
  const members = await listMembers(user, organization.id);
  return (
    <>
      <PageHeader title="Members" description={`People who can see ${organization.name}. Invitations arrive in a later release.`} />
      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead className="hidden sm:table-cell">Joined</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {members.map((m) => (
              <TableRow key={m.userId}>
                <TableCell className="font-medium">
                  {m.email}
                  {m.userId === user.id && <span className="text-muted-foreground ml-2 text-xs">(you)</span>}
                </TableCell>
                <TableCell>
                  <Badge variant={m.role === "owner" || m.role === "admin" ? "default" : "secondary"}>{ROLE_LABELS[m.role]}</Badge>
                </TableCell>
                <TableCell className="text-muted-foreground hidden sm:table-cell">{m.joinedAt.toLocaleDateString("en", { dateStyle: "medium" })}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </>
  );
}
