/** Signs the planner in (key kept in sessionStorage) and shows the dashboard; a refused key returns here. */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { makeClient } from "./api/client";
import { ApiError } from "./api/errors";
import { fetchMe } from "./api/service";
import type { Me } from "./api/types";
import { Dashboard } from "./Dashboard";
import { SignIn } from "./auth/SignIn";
import { clearKey, loadKey, saveKey } from "./auth/session";

export function App() {
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState<string | null>(() => loadKey());
  const [me, setMe] = useState<Me | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const api = useMemo(() => (apiKey ? makeClient(apiKey) : null), [apiKey]);

  // A key kept from earlier in this tab is checked again: it may have been revoked since.
  useEffect(() => {
    if (!api || me) return;
    let live = true;
    fetchMe(api).then(
      (m) => live && setMe(m),
      (e: unknown) => {
        if (!live) return;
        clearKey();
        setApiKey(null);
        setNotice(e instanceof ApiError && e.status === 401 ? "Your key is no longer accepted; sign in again." : null);
      },
    );
    return () => {
      live = false;
    };
  }, [api, me]);

  const signOut = () => {
    clearKey();
    queryClient.clear();
    setMe(null);
    setApiKey(null);
  };

  if (!api || !apiKey) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(key, m) => {
          saveKey(key);
          setMe(m);
          setApiKey(key);
        }}
      />
    );
  }
  if (!me) return <p className="loading page">Signing in…</p>;
  return <Dashboard api={api} apiKey={apiKey} me={me} onSignOut={signOut} />;
}
