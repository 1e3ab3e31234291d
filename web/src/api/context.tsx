/** The signed-in client, for components deep in the map (tooltips) that fetch on demand. */
import { createContext, useContext } from "react";
import type { ApiClient } from "./client";

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi needs an ApiContext provider (the signed-in dashboard).");
  return api;
}
