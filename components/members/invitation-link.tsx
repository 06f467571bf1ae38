"use client";
// A fresh invitation link, shown to the admin who made it: the token is stored only hashed,
// so this is the one moment it can be copied.
import { CopyButton } from "@/components/copy-button";
import { Alert, AlertDescription } from "@/components/ui/alert";

export type IssuedInvitation = { email: string; link: string; mailed: boolean; mailError: string | null; expiresAt: string };

export function InvitationLink({ invitation }: { invitation: IssuedInvitation }) {
  return (
    <div className="grid gap-3" data-test="invitation-link">
      <p className="text-sm">
        {invitation.mailed ? (
          <>
            We emailed this link to <span className="font-medium">{invitation.email}</span>. You can also copy it and send it yourself.
          </>
        ) : (
          <>
            Copy this link and send it to <span className="font-medium">{invitation.email}</span>. It works once, for that email address
            only.
          </>
        )}
      </p>
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 rounded bg-muted px-2 py-1.5 font-mono text-xs break-all select-all" data-test="invitation-url">
          {invitation.link}
        </code>
        <CopyButton value={invitation.link} label="Copy link" />
      </div>
      <p className="text-xs text-muted-foreground">
        Expires {new Date(invitation.expiresAt).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" })}. Cloudkeep keeps only a
        hash of it, so this is the only time you can copy it; later, make a new link.
      </p>
      {invitation.mailError && (
        <Alert variant="warning">
          <AlertDescription>{invitation.mailError}</AlertDescription>
        </Alert>
      )}
    </div>
  );
}
