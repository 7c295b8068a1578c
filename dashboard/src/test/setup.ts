/**
 * Unit tests never reach a server: happy-dom's fetch would otherwise go to localhost:3000, where a
 * developer's backend may be running. A test that forgets to mock an api module gets what the
 * dashboard gets offline (a NetworkError from http.ts). Assigned rather than `vi.stubGlobal`ed, so
 * a spec that stubs fetch itself (http.spec.ts) and unstubs afterwards comes back to this.
 */
globalThis.fetch = (input: RequestInfo | URL) =>
  Promise.reject(new TypeError(`no network in unit tests (mock the api module): ${String(input)}`));
