/**
 * The service's event stream (GET /api/v1/events). EventSource cannot send headers, so the key
 * travels as `?access_token=`. Every event names what changed; the matching cached queries are
 * marked stale and TanStack Query refetches the ones on screen, so the map and tables follow
 * plans finishing and stock moving without a reload.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

/**
 * Which cached queries an event makes stale. `plan` events (plan_id, status, progress) touch the
 * plan list and that plan; `stock` events (reason, store_ids, plan_id, transfer_id) touch stock,
 * charts and the plan whose lines changed status.
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
  if (keys.length === 0) keys.push(["plans"], ["plan"], ["stock"]);
  return keys;
}

/** The service's event names (GET /api/v1/events); unnamed messages are handled too. */
const EVENT_NAMES = ["message", "plan", "stock"];

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

/** Subscribe while signed in; returns whether the stream is connected (shown as a live dot). */
export function useServiceEvents(apiKey: string): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (typeof EventSource === "undefined") return undefined;
    const source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(apiKey)}`);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    const listeners = EVENT_NAMES.map((name) => {
      const listener = (e: MessageEvent<string>) => invalidate(queryClient, name, e.data);
      source.addEventListener(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener);
      source.close();
    };
  }, [apiKey, queryClient]);
  return connected;
}
