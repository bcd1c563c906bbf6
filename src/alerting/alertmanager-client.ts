import { ERR, vigilError } from '../core/errors.js';
import { type HttpAuth, httpEndpoint } from '../core/http-credentials.js';
import { redact } from '../core/redact.js';
import type { PostableAlert } from './alert-tracker.js';

/**
 * The Alertmanager v2 API, the one call vigil needs: `POST /api/v2/alerts`. Credentials (`auth`,
 * or the URL's userinfo) go in the Authorization header; `baseUrl` is the URL without them.
 * The alerts pass `redact` on their way out: an annotation quotes an objective's error text,
 * and Alertmanager forwards annotations to on-call.
 */
export class AlertmanagerClient {
  readonly baseUrl: string;
  private readonly endpoint: string;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(
    url: string,
    private readonly timeoutMs: number,
    auth?: HttpAuth,
  ) {
    const target = httpEndpoint(url, auth);
    this.baseUrl = target.url;
    this.headers = target.headers;
    this.endpoint = new URL('api/v2/alerts', target.url.endsWith('/') ? target.url : `${target.url}/`).toString();
  }

  async post(alerts: readonly PostableAlert[]): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.headers },
        body: redact(JSON.stringify(alerts)),
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
