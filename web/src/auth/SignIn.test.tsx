import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SignIn } from "./SignIn";
import { clearKey, loadKey, saveKey } from "./session";

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json" },
  });
}

afterEach(() => vi.unstubAllGlobals());

describe("SignIn", () => {
  it("checks the key with GET /api/v1/me and hands over key and role", async () => {
    const fetchMock = vi.fn(async (_request: Request) => answer(200, { key_id: 1, name: "ops", role: "planner" }));
    vi.stubGlobal("fetch", fetchMock);
    const onSignedIn = vi.fn();
    render(<SignIn onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText("API key"), "  ssk_good  ");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(onSignedIn).toHaveBeenCalledWith("ssk_good", { role: "planner", name: "ops" });
    const request = fetchMock.mock.calls[0]?.[0];
    expect(request?.url).toMatch(/\/api\/v1\/me$/);
    expect(request?.headers.get("Authorization")).toBe("Bearer ssk_good");
  });

  it("refuses a wrong key with a message and keeps the form", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => answer(401, { title: "Unauthorized", status: 401, detail: "unknown API key" })),
    );
    const onSignedIn = vi.fn();
    render(<SignIn onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText("API key"), "ssk_wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Key not accepted");
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("asks for a key before calling the service", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    render(<SignIn onSignedIn={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByRole("alert")).toHaveTextContent("No key");
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe("session", () => {
  it("keeps the key in sessionStorage until sign-out", () => {
    expect(loadKey()).toBeNull();
    saveKey("ssk_1");
    expect(window.sessionStorage.getItem("stockshift.apiKey")).toBe("ssk_1");
    expect(window.localStorage.length).toBe(0);
    expect(loadKey()).toBe("ssk_1");
    clearKey();
    expect(loadKey()).toBeNull();
  });
});
