import { ERR, vigilError } from '../core/errors.js';
import type { PostableAlert } from './alert-tracker.js';

/** The Alertmanager v2 API, the one call vigil needs: `POST /api/v2/alerts`. */
export class AlertmanagerClient {
  private readonly endpoint: string;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = new URL('api/v2/alerts', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  }

  async post(alerts: readonly PostableAlert[]): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw vigilError(ERR.VIGIL_ERR_ALERTMANAGER, { url: this.baseUrl, detail: `unreachable: ${cause}` });
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 300);
      throw vigilError(ERR.VIGIL_ERR_ALERTMANAGER, { url: this.baseUrl, detail: `answered ${response.status}: ${body}` });
    }
    await response.body?.cancel();
  }
}
