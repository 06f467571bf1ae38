// Where focus goes after the add and rotate dialogs show errors: a keyboard user lands on what needs fixing.
import { useCallback, useEffect, useRef, useState } from "react";

/**
 * `requestFocus()` moves focus, once React has rendered, to the whole-credentials error, else the first invalid
 * field, else (`fallbackToFirstInput`, a new step) the chosen radio or first input; inside `ref`, or its `within`.
 */
export function useFocusFirstError<T extends HTMLElement>({
  within,
  fallbackToFirstInput = false,
}: { within?: string; fallbackToFirstInput?: boolean } = {}) {
  const ref = useRef<T>(null);
  const [request, setRequest] = useState(0);

  useEffect(() => {
    if (!request || !ref.current) return;
    const scope = within ? ref.current.querySelector<HTMLElement>(within) : ref.current;
    if (!scope) return;
    const wholeError = scope.querySelector<HTMLElement>("[data-test='credentials-error']");
    const target =
      wholeError ??
      scope.querySelector<HTMLElement>("[aria-invalid='true']") ??
      (fallbackToFirstInput
        ? (scope.querySelector<HTMLElement>("input[type=radio]:checked") ??
          scope.querySelector<HTMLElement>("input:not([type=file]), textarea, button[role=combobox]"))
        : null);
    // A paragraph takes focus only with a tabindex.
    if (target && target === wholeError) wholeError.setAttribute("tabindex", "-1");
    target?.focus();
  }, [request, within, fallbackToFirstInput]);

  const requestFocus = useCallback(() => setRequest((n) => n + 1), []);
  return { ref, requestFocus };
}
