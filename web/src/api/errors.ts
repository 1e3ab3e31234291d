/**
 * Errors from the service as messages a planner can act on. The service answers with RFC 9457
 * problem details; the status decides the advice (a viewer key cannot plan, a stale plan cannot
 * be executed), the service's `detail` says what exactly went wrong.
 */

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  constructor(status: number, problem: ProblemDetails) {
    super(problem.detail ?? problem.title ?? `The service answered ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
}

/** Turn any error body (problem+json, FastAPI's `{detail: [...]}`, plain text) into problem details. */
export function toProblem(status: number, body: unknown): ProblemDetails {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const detail = b.detail;
    if (typeof detail === "string") return { ...b, status, detail } as ProblemDetails;
    if (Array.isArray(detail)) {
      const parts = detail.map((d) => {
        const item = d as { loc?: unknown[]; msg?: string };
        const where = Array.isArray(item.loc) ? item.loc.filter((p) => p !== "body").join(".") : "";
        return where ? `${where}: ${item.msg ?? ""}` : (item.msg ?? "");
      });
      return { status, title: typeof b.title === "string" ? b.title : undefined, detail: parts.join("; ") };
    }
    return { status, title: typeof b.title === "string" ? b.title : undefined };
  }
  if (typeof body === "string" && body.trim() !== "") return { status, detail: body.trim() };
  return { status };
}

/** The service's detail as a sentence: capital first letter, closing full stop. */
function sentence(text: string): string {
  const t = text.trim();
  if (t === "") return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A heading and a sentence or two for the error banner. */
export function describeError(error: unknown): { title: string; message: string } {
  if (error instanceof ApiError) {
    const detail = error.problem.detail ? sentence(error.problem.detail) : null;
    switch (error.status) {
      case 401:
        return {
          title: "Key not accepted",
          message: "The service refused this API key. Check it, or create one with `stockshift keys create`.",
        };
      case 403:
        return {
          title: "Not allowed for your role",
          message: `${detail ?? "Your key's role may not do this."} Planning, executing and receiving need a planner or admin key: ask an admin for one.`,
        };
      case 404:
        return { title: "Not found", message: detail ?? "The plan or transfer no longer exists." };
      case 409:
        return {
          title: "Conflict: nothing was changed",
          message:
            detail ??
            "The plan or transfer is no longer in a state that allows this. Run a new plan on the current stock.",
        };
      case 413:
        return { title: "Too large", message: detail ?? "The request is larger than the service accepts." };
      case 422:
        return { title: "Invalid request", message: detail ?? "The service rejected the values sent." };
      default:
        return { title: `Service error (${error.status})`, message: detail ?? error.message };
    }
  }
  if (error instanceof TypeError) {
    return {
      title: "Service unreachable",
      message: "The dashboard could not reach the stockshift service. Is `stockshift serve` running?",
    };
  }
  return { title: "Something went wrong", message: error instanceof Error ? error.message : String(error) };
}
