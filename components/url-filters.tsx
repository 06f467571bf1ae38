"use client";
// Search and filters that live in the URL (?q=&<select>=…): the server does the filtering, and
// without JavaScript the form still submits as a plain GET, native selects included. Used by the providers list, a
// provider's resources and the organization-wide inventory.
import { useEffect, useRef, useState, useTransition } from "react";
import { usePathname, useRouter } from "next/navigation";
import { ChevronDownIcon, Loader2, Search, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue, selectTriggerClassName } from "@/components/ui/select";
import { AfterHydration } from "@/components/after-hydration";
import { cn } from "@/lib/utils";

export type FilterSelectSpec = { name: string; label: string; allLabel: string; options: [string, string][] };
/** A free-text filter besides the search, applied on Enter or when the field is left. */
export type FilterTextSpec = { name: string; label: string; placeholder: string };

type UrlFiltersProps = {
  /** Names the search landmark, e.g. "Filter providers". */
  label: string;
  idPrefix: string;
  searchLabel: string;
  searchPlaceholder: string;
  /** Current values from the URL: `q` and one per select. */
  values: Record<string, string>;
  selects: FilterSelectSpec[];
  texts?: FilterTextSpec[];
  /** Parameters carried along unchanged (a tab, a sort order). */
  keep?: Record<string, string>;
  "data-test"?: string;
};

const ALL = "all";
const SEARCH_DELAY_MS = 300;

export function UrlFilters({
  label,
  idPrefix,
  searchLabel,
  searchPlaceholder,
  values,
  selects,
  texts = [],
  keep = {},
  "data-test": dataTest,
}: UrlFiltersProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const current = values.q ?? "";
  const [q, setQ] = useState(current);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const names = ["q", ...selects.map((select) => select.name), ...texts.map((text) => text.name)];
  const active = names.some((name) => values[name]);
  // More filters than fit beside the search on one line: the search gets a line of its own.
  const stacked = selects.length + texts.length > 3;
  const textValues = Object.fromEntries(texts.map((text) => [text.name, values[text.name] ?? ""]));
  const [typed, setTyped] = useState(textValues);
  const [seenTexts, setSeenTexts] = useState(textValues);
  if (texts.some((text) => textValues[text.name] !== seenTexts[text.name])) {
    setSeenTexts(textValues);
    setTyped(textValues);
  }

  // Follow the URL when it changes from outside (back button, a "Clear filters" link), but not when
  // it is catching up with what was typed: that would undo keystrokes made since.
  const [seenQ, setSeenQ] = useState(current);
  const [sentQ, setSentQ] = useState(current);
  if (current !== seenQ) {
    setSeenQ(current);
    if (current !== sentQ.trim()) setQ(current);
  }
  useEffect(() => () => clearTimeout(timer.current), []);

  // What the last change asked for, and the values it started from. Until the server's answer
  // arrives, `values` still holds the URL before that change: a second change made meanwhile (a
  // select, then typing a search) must build on the first, not undo it.
  const requested = useRef<{ from: Record<string, string>; to: Record<string, string> }>(null);

  function navigate(next: Record<string, string>) {
    clearTimeout(timer.current);
    const last = requested.current;
    const stillPending = last !== null && names.every((name) => (values[name] ?? "") === (last.from[name] ?? ""));
    const merged: Record<string, string> = { ...(stillPending ? last.to : values), ...typed, q, ...next };
    setSentQ(merged.q ?? "");
    const params = new URLSearchParams(keep);
    const to: Record<string, string> = {};
    for (const key of names) {
      const value = (merged[key] ?? "").trim();
      to[key] = value === ALL ? "" : value;
      if (to[key]) params.set(key, to[key]);
    }
    requested.current = { from: values, to };
    // A new filter starts again at page 1.
    const query = params.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }

  return (
    <form
      role="search"
      aria-label={label}
      method="get"
      action={pathname}
      onSubmit={(event) => {
        event.preventDefault();
        navigate({});
      }}
      className={
        stacked
          ? "grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5 lg:items-end"
          : "grid grid-cols-2 gap-3 lg:grid-cols-[minmax(0,1fr)_auto_auto_auto_auto] lg:items-end"
      }
      data-test={dataTest}
    >
      {Object.entries(keep).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {/* Enter in a field submits the form only when it is the form's lone field or the form has a
          submit button (HTML's implicit submission); with a text filter besides the search there are
          two fields, so this button makes Enter apply them, with or without JavaScript. */}
      <button type="submit" tabIndex={-1} className="sr-only">
        Apply filters
      </button>
      <div className={stacked ? "col-span-2 grid gap-1.5 sm:col-span-3 lg:col-span-5" : "col-span-2 grid gap-1.5 lg:col-span-1"}>
        <Label htmlFor={`${idPrefix}-search`} className="sr-only">
          {searchLabel}
        </Label>
        <div className="relative">
          <Search
            aria-hidden="true"
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
          />
          <Input
            id={`${idPrefix}-search`}
            type="search"
            name="q"
            placeholder={searchPlaceholder}
            autoComplete="off"
            maxLength={100}
            value={q}
            onChange={(event) => {
              const value = event.target.value;
              setQ(value);
              clearTimeout(timer.current);
              timer.current = setTimeout(() => navigate({ q: value }), SEARCH_DELAY_MS);
            }}
            className="pl-9"
          />
          {pending && (
            <Loader2 aria-hidden="true" className="absolute top-1/2 right-3 size-4 -translate-y-1/2 animate-spin text-muted-foreground" />
          )}
        </div>
      </div>
      {selects.map((select) => (
        <FilterSelect
          key={select.name}
          id={`filter-${select.name}`}
          spec={select}
          value={values[select.name] ?? ""}
          onChange={(value) => navigate({ [select.name]: value })}
          fill={stacked}
        />
      ))}
      {texts.map((text) => (
        <div key={text.name} className="grid gap-1.5">
          <Label htmlFor={`filter-${text.name}`} className="sr-only">
            {text.label}
          </Label>
          <Input
            id={`filter-${text.name}`}
            name={text.name}
            placeholder={text.placeholder}
            autoComplete="off"
            maxLength={200}
            value={typed[text.name] ?? ""}
            onChange={(event) => setTyped({ ...typed, [text.name]: event.target.value })}
            onBlur={() => {
              if ((typed[text.name] ?? "").trim() !== (values[text.name] ?? "")) navigate({});
            }}
          />
        </div>
      ))}
      {active ? (
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            setQ("");
            setTyped(Object.fromEntries(texts.map((text) => [text.name, ""])));
            navigate(Object.fromEntries(names.map((name) => [name, ""])));
          }}
        >
          <X aria-hidden="true" />
          Clear
        </Button>
      ) : (
        <span className="hidden lg:block" />
      )}
    </form>
  );
}

function FilterSelect({
  id,
  spec,
  value,
  onChange,
  fill,
}: {
  id: string;
  spec: FilterSelectSpec;
  value: string;
  onChange: (value: string) => void;
  fill: boolean;
}) {
  const width = fill ? "w-full" : "w-full lg:w-40";
  const selected = value || ALL;
  const options: [string, string][] = [[ALL, spec.allLabel], ...spec.options];
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id} className="sr-only">
        {spec.label}
      </Label>
      <AfterHydration
        placeholder={
          // Until hydration, and for good without JavaScript, a native select in the trigger's
          // look: the form then filters as a plain GET.
          <div className="relative">
            <select
              id={id}
              name={spec.name}
              defaultValue={selected}
              className={cn(selectTriggerClassName, "h-9 appearance-none pr-9", width)}
            >
              {options.map(([optionValue, optionLabel]) => (
                <option key={optionValue} value={optionValue}>
                  {optionLabel}
                </option>
              ))}
            </select>
            <ChevronDownIcon
              aria-hidden="true"
              className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 opacity-50"
            />
          </div>
        }
      >
        <Select name={spec.name} value={selected} onValueChange={onChange}>
          <SelectTrigger id={id} className={width}>
            {/* The label is given, not looked up, so it shows before the content has mounted. */}
            <SelectValue>{options.find(([optionValue]) => optionValue === selected)?.[1] ?? spec.allLabel}</SelectValue>
          </SelectTrigger>
          <SelectContent>
            {options.map(([optionValue, optionLabel]) => (
              <SelectItem key={optionValue} value={optionValue}>
                {optionLabel}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </AfterHydration>
    </div>
  );
}
