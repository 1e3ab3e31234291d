/**
 * The API key lives in sessionStorage: it survives a reload but not closing the tab, and it is
 * never written to localStorage or a cookie where it would outlive the planner's session.
 */
const STORAGE_KEY = "stockshift.apiKey";

export function loadKey(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveKey(key: string): void {
  window.sessionStorage.setItem(STORAGE_KEY, key);
}

export function clearKey(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
