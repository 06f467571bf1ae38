import { useState } from "react";

/**
 * A dialog whose form starts afresh each time it opens: key the form with `session`, so an old secret,
 * link or error never shows again. Spread `dialog` onto the Dialog; `close` is for the form's Done.
 */
export function useFreshDialog() {
  const [open, setOpen] = useState(false);
  const [session, setSession] = useState(0);
  return {
    session,
    close: () => setOpen(false),
    dialog: {
      open,
      onOpenChange: (next: boolean) => {
        setOpen(next);
        if (next) setSession((n) => n + 1);
      },
    },
  };
}
