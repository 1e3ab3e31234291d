/** Sign-in: the planner pastes an API key; it is checked against GET /api/v1/me before it is kept. */
import { type FormEvent, useState } from "react";
import { makeClient } from "../api/client";
import { describeError } from "../api/errors";
import { fetchMe } from "../api/service";
import type { Me } from "../api/types";

interface Props {
  onSignedIn: (key: string, me: Me) => void;
  notice?: string | null;
}

export function SignIn({ onSignedIn, notice }: Props) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<{ title: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === "") {
      setError({ title: "No key", message: "Paste the API key printed by `stockshift keys create`." });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await fetchMe(makeClient(trimmed));
      onSignedIn(trimmed, me);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title" className="signin-card">
        <h1 id="signin-title">stockshift</h1>
        <p>Inventory redistribution between stores. Sign in with your API key.</p>
        {notice && <p className="hint">{notice}</p>}
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            name="api-key"
            autoComplete="off"
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </label>
        {error && (
          <div role="alert" className="banner error">
            <strong>{error.title}.</strong> {error.message}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p className="hint">The key is kept in this browser tab only, until you sign out or close it.</p>
      </form>
    </main>
  );
}
