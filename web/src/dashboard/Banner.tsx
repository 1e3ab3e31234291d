/** The message line under the top bar, and the alert shown when the page's own data would not load. */
import { describeError } from "../api/errors";
import type { Notice } from "./useBanner";

export function Banner({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  if (notice === null) return null;
  return (
    <div role={notice.kind === "error" ? "alert" : "status"} className={`banner ${notice.kind}`}>
      <strong>{notice.title}.</strong> {notice.message}
      <button type="button" className="small" onClick={onDismiss} aria-label="Dismiss message">
        ×
      </button>
    </div>
  );
}

export function LoadError({ error }: { error: unknown }) {
  if (!error) return null;
  const { title, message } = describeError(error);
  return (
    <div role="alert" className="banner error">
      <strong>{title}.</strong> {message}
    </div>
  );
}
