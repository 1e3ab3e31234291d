/** Tabs that follow the WAI-ARIA pattern: arrow keys move between tabs, the panel is labelled by its tab. */
import type { KeyboardEvent, ReactNode } from "react";

interface Props<T extends string> {
  tabs: readonly T[];
  current: T;
  onChange: (tab: T) => void;
  children: ReactNode;
}

export function Tabs<T extends string>({ tabs, current, onChange, children }: Props<T>) {
  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = tabs.indexOf(current);
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = tabs[(i + step + tabs.length) % tabs.length];
    if (next !== undefined) {
      onChange(next);
      document.getElementById(tabId(next))?.focus();
    }
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label="Plan details">
        {tabs.map((t) => (
          <button
            key={t}
            id={tabId(t)}
            role="tab"
            type="button"
            aria-selected={t === current}
            aria-controls="tab-panel"
            tabIndex={t === current ? 0 : -1}
            onClick={() => onChange(t)}
            onKeyDown={onKey}
          >
            {t}
          </button>
        ))}
      </div>
      <div id="tab-panel" role="tabpanel" aria-labelledby={tabId(current)} className="tab-panel">
        {children}
      </div>
    </div>
  );
}

function tabId(tab: string): string {
  return `tab-${tab.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}
