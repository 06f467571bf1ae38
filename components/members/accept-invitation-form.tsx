"use client";
// The "Join" button on an invitation page; the action redirects into the organization.
import { useActionState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/actions/safe-action";

type Props = {
  token: string;
  organizationName: string;
  action: (state: ActionResult<never> | null, formData: FormData) => Promise<ActionResult<never>>;
};

export function AcceptInvitationForm({ token, organizationName, action }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="grid gap-4" data-test="accept-invitation-form">
      {state && !state.ok && (
        <Alert variant="destructive">
          <AlertDescription>{state.error}</AlertDescription>
        </Alert>
      )}
      <input type="hidden" name="token" value={token} />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Joining…" : `Join ${organizationName}`}
      </Button>
    </form>
  );
}
