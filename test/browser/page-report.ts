// Browser side of the test pages in test/browser/: collects the page's CSP violations and leaves
// what the page's run found on window.__pageResult, for test-pages.ts to read.
declare global {
  interface Window {
    __pageResult?: unknown;
  }
}

/** Every Content-Security-Policy violation the page reports, as it happens. */
export const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || e.sample}`));

/** Publishes the run's result when it ends, or `failed(error)` when it throws; the status line says which. */
export function report<R>(run: Promise<R>, summary: (result: R) => string, failed: (error: string) => R): void {
  const status = document.getElementById('status')!;
  run.then(
    (result) => {
      status.textContent = `done: ${summary(result)}`;
      window.__pageResult = result;
    },
    (error: unknown) => {
      status.textContent = 'failed';
      window.__pageResult = failed(error instanceof Error ? error.stack ?? error.message : String(error));
    },
  );
}
