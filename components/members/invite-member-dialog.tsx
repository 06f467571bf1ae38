"use client";
// Admins invite by email with a role (owner only offered to owners); the new link is shown to copy.
import { useState, useTransition } from "react";

import { useRouter } from "next/navigation";
import { UserPlus } from "lucide-react";

import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { useFreshDialog } from "@/components/use-fresh-dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { inviteMemberAction } from "@/lib/actions/members";
import type { FieldErrors } from "@/lib/actions/safe-action";
import type { OrgRole } from "@/lib/auth/roles";
import { InvitationLink, type IssuedInvitation } from "./invitation-link";
import { ROLE_DESCRIPTIONS } from "./role-badge";
import { RoleSelect } from "./role-select";

export function InviteMemberDialog({ orgSlug, canInviteOwner }: { orgSlug: string; canInviteOwner: boolean }) {
  const { session, close, dialog } = useFreshDialog();
  return (
    <Dialog {...dialog}>
      <DialogTrigger asChild>
        <Button>
          <UserPlus aria-hidden="true" />
          Invite member
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-lg" data-test="invite-member-dialog">
        <DialogHeader>
          <DialogTitle>Invite a member</DialogTitle>
          <DialogDescription>They get a link that works once, for this email address, for 7 days.</DialogDescription>
        </DialogHeader>
        <InviteForm key={session} orgSlug={orgSlug} canInviteOwner={canInviteOwner} onDone={close} />
      </DialogContent>
    </Dialog>
  );
}

function InviteForm({ orgSlug, canInviteOwner, onDone }: { orgSlug: string; canInviteOwner: boolean; onDone: () => void }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<OrgRole>("member");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedInvitation | null>(null);
  const [pending, startTransition] = useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await inviteMemberAction({ orgSlug, email, role });
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        setFormError(result.fieldErrors ? null : result.error);
        return;
      }
      setErrors({});
      setFormError(null);
      setIssued(result.data);
      router.refresh();
    });
  }

  if (issued) {
    return (
      <>
        <InvitationLink invitation={issued} />
        <DialogFooter>
          <Button type="button" variant="outline" onClick={() => setIssued(null)}>
            Invite someone else
          </Button>
          <Button type="button" onClick={onDone}>
            Done
          </Button>
        </DialogFooter>
      </>
    );
  }

  return (
    <form noValidate onSubmit={submit} className="grid gap-4">
      {formError && (
        <Alert variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Alert>
      )}
      <FormField id="invite-email" label="Email" error={errors.email}>
        {(control) => (
          <Input
            {...control}
            type="email"
            autoComplete="off"
            placeholder="teammate@example.com"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        )}
      </FormField>
      <FormField id="invite-role" label="Role" error={errors.role} description={ROLE_DESCRIPTIONS[role]}>
        {(control) => (
          <RoleSelect value={role} onValueChange={setRole} canGrantOwner={canInviteOwner} trigger={control} className="w-full" />
        )}
      </FormField>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Inviting…" : "Send invitation"}
        </Button>
      </DialogFooter>
    </form>
  );
}
