/** The one message line under the top bar: what the last action did, or why it failed. */
import { useCallback, useMemo, useState } from "react";
import { describeError } from "../api/errors";

export interface Notice {
  kind: "error" | "info";
  title: string;
  message: string;
}

export function useBanner() {
  const [notice, setNotice] = useState<Notice | null>(null);
  const info = useCallback((title: string, message: string) => setNotice({ kind: "info", title, message }), []);
  const fail = useCallback((e: unknown) => setNotice({ kind: "error", ...describeError(e) }), []);
  const clear = useCallback(() => setNotice(null), []);
  return useMemo(() => ({ notice, info, fail, clear }), [notice, info, fail, clear]);
}

export type BannerControl = ReturnType<typeof useBanner>;
