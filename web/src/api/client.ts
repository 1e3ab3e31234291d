/**
 * The HTTP client, generated: `paths` comes from the service's OpenAPI document
 * (web/openapi.json, turned into ./schema.d.ts by openapi-typescript during the build), so a
 * renamed path or parameter fails the type check instead of a planner's click.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { ApiError, toProblem } from "./errors";
import type { paths } from "./schema";

export type ApiClient = Client<paths>;

export function makeClient(apiKey: string, baseUrl = ""): ApiClient {
  const client = createClient<paths>({ baseUrl: baseUrl || window.location.origin });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${apiKey}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** The body of a successful answer, or an ApiError carrying the problem details of a failed one. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw new ApiError(response.status, toProblem(response.status, error));
  return data;
}
