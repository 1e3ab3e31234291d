/**
 * The service's event stream (GET /api/v1/events). EventSource cannot send headers, and an API
 * key in a URL ends up in logs, so the stream is opened with a short-lived, stream-only token
 * from POST /api/v1/events/token; when the stream drops and the token has expired, a new one is
 * fetched. Every event names what changed; the matching cached queries are marked stale and
 * TanStack Query refetches the ones on screen, so the map and tables follow plans finishing and
 * stock moving without a reload.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { makeClient, unwrap } from "./client";

/** Wait before asking for a new token after the stream closed or the request failed. */
const RETRY_MS = 3000;

/**
 * Which cached queries an event makes stale. `plan` events (plan_id, status, progress) touch the
 * plan list and that plan; `stock` events (reason, store_ids, plan_id, transfer_id) touch stock,
 * charts and the plan whose lines changed status; `backtest` events (backtest_id, status, progress
 * or error) touch that backtest and the list, so the Backtest tab follows a replay without polling.
 */
export function staleKeysFor(eventName: string, data: unknown): string[][] {
  const payload = (data && typeof data === "object" ? data : {}) as Record<string, unknown>;
  const planId = payload.plan_id !== undefined && payload.plan_id !== null ? String(payload.plan_id) : null;
  const keys: string[][] = [];
  if (eventName.startsWith("plan")) {
    keys.push(["plans"]);
    keys.push(planId ? ["plan", planId] : ["plan"]);
  }
  if (eventName.startsWith("stock") || eventName.startsWith("transfer") || eventName.includes("execut")) {
    keys.push(["stock"], ["insight"]);
    if (planId) keys.push(["plan", planId]);
  }
  if (eventName.startsWith("backtest")) {
    const id = payload.backtest_id;
    keys.push(id !== undefined && id !== null ? ["backtest", String(id)] : ["backtest"], ["backtests"]);
  }
  if (keys.length === 0) keys.push(["plans"], ["plan"], ["stock"]);
  return keys;
}

/** The service's event names (GET /api/v1/events); unnamed messages are handled too. */
const EVENT_NAMES = ["message", "plan", "stock", "backtest"];

function invalidate(queryClient: QueryClient, eventName: string, raw: string): void {
  let data: unknown = null;
  try {
    data = JSON.parse(raw);
  } catch {
    data = null;
  }
  const name =
    eventName === "message" && data && typeof data === "object" && "type" in data
      ? String((data as { type: unknown }).type)
      : eventName;
  for (const key of staleKeysFor(name, data)) void queryClient.invalidateQueries({ queryKey: key });
}

/** The URL that opens the stream: a fresh event token, never the key itself. */
export async function eventStreamUrl(apiKey: string, baseUrl = ""): Promise<string> {
  const { token } = await unwrap(makeClient(apiKey, baseUrl).POST("/api/v1/events/token"));
  return `${baseUrl}/api/v1/events?token=${encodeURIComponent(token)}`;
}

/** Subscribe while signed in; returns whether the stream is connected (shown as a live dot). */
export function useServiceEvents(apiKey: string): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (typeof EventSource === "undefined") return undefined;
    let stopped = false;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const listeners = EVENT_NAMES.map(
      (name) => [name, (e: MessageEvent<string>) => invalidate(queryClient, name, e.data)] as const,
    );
    const close = () => {
      if (!source) return;
      for (const [name, listener] of listeners) source.removeEventListener(name, listener);
      source.close();
      source = null;
    };
    const later = () => {
      if (!stopped) retry = setTimeout(() => void open(), RETRY_MS);
    };
    const open = async () => {
      let url: string;
      try {
        url = await eventStreamUrl(apiKey);
      } catch {
        later();
        return;
      }
      if (stopped) return;
      const opened = new EventSource(url);
      source = opened;
      opened.onopen = () => setConnected(true);
      opened.onerror = () => {
        setConnected(false);
        // EventSource retries by itself with the same URL; once the token has expired the
        // service answers 401 and the source closes for good: fetch a new token.
        if (opened.readyState === EventSource.CLOSED) {
          close();
          later();
        }
      };
      for (const [name, listener] of listeners) opened.addEventListener(name, listener);
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      close();
    };
  }, [apiKey, queryClient]);
  return connected;
}
