/**
 * A stubbed service for hook and component tests: `fetch` answers from a table of
 * "METHOD /path" handlers (the path without the query string); anything else is a 404.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement, type ReactNode } from "react";
import { vi } from "vitest";
import { type ApiClient, makeClient } from "../api/client";

export type Handler = (request: Request) => [status: number, body: unknown] | Promise<[number, unknown]>;

export function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json" },
  });
}

/** Stub `fetch` with the handlers; returns the mock (its calls are the requests made) and a client. */
export function stubService(handlers: Record<string, Handler>): { fetch: ReturnType<typeof vi.fn>; api: ApiClient } {
  const fetchMock = vi.fn(async (request: Request) => {
    const url = new URL(request.url);
    const handler = handlers[`${request.method} ${url.pathname}`];
    if (!handler) return answer(404, { title: "Not Found", status: 404, detail: `${request.method} ${url.pathname}` });
    const [status, body] = await handler(request);
    return answer(status, body);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { fetch: fetchMock, api: makeClient("ssk_test", "http://stockshift.test") };
}

/** A wrapper giving a fresh query cache (no retries) to `render` or `renderHook`. */
export function withQueries(): ({ children }: { children: ReactNode }) => ReactNode {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return ({ children }) => createElement(QueryClientProvider, { client }, children);
}

/** A plan document as GET /api/v1/plans/{id} returns it, with only what a test cares about. */
export function planDocument(planId: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    plan_id: planId,
    status: "completed",
    progress: null,
    error: null,
    parameters: { target: "forecast" },
    created_at: "2026-11-25T10:00:00Z",
    finished_at: null,
    executed_at: null,
    schema: "stockshift.plan/1",
    stores: [],
    transfers: [],
    fulfilment: [],
    warehouse_orders: [],
    warnings: [],
    clusters: [],
    summary: null,
    elbow: null,
    ...extra,
  };
}
