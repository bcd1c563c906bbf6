/**
 * A histogram is named in SLO files by its selector without `_bucket`
 * (`http_request_duration_seconds{route="/decide"}`); queries need its `_bucket` or `_count` series.
 */

import { ERR, vigilError } from '../core/errors.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const NAME_MATCHER = /__name__\s*=\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/;

/** `x` or `x_bucket` (tolerated although the format says without it) -> `x<suffix>`. */
function suffixed(name: string, suffix: string): string {
  const base = name.endsWith('_bucket') ? name.slice(0, -'_bucket'.length) : name;
  return `${base}${suffix}`;
}

/**
 * `http_request_duration_seconds{route="/decide"}` with `suffix` (`_bucket`, `_count`) on the
 * metric name; label matchers are kept verbatim. Also accepts a bare name and the
 * `{__name__="..."}` form. Anything with a range or a function is refused.
 */
export function withMetricSuffix(selector: string, suffix: string): string {
  const text = selector.trim();
  const brace = text.indexOf('{');
  const name = (brace === -1 ? text : text.slice(0, brace)).trim();
  const matchers = brace === -1 ? '' : text.slice(brace);
  if (matchers !== '' && !matchers.endsWith('}')) {
    throw vigilError(ERR.VIGIL_ERR_PROMQL_SELECTOR, {
      detail: `expected a series selector like name{label="value"}, got ${JSON.stringify(selector)}`,
    });
  }
  if (/[[\]()]/.test(name) || /\]\s*$/.test(text)) {
    throw vigilError(ERR.VIGIL_ERR_PROMQL_SELECTOR, {
      detail: `expected a plain series selector without range or functions, got ${JSON.stringify(selector)}`,
    });
  }
  if (name === '') {
    const named = NAME_MATCHER.exec(matchers);
    if (!named) throw vigilError(ERR.VIGIL_ERR_PROMQL_SELECTOR, { detail: `expected a metric name in ${JSON.stringify(selector)}` });
    return matchers.replace(named[0], `__name__="${suffixed(named[1]!, suffix)}"`);
  }
  if (!METRIC_NAME.test(name))
    throw vigilError(ERR.VIGIL_ERR_PROMQL_SELECTOR, { detail: `expected a metric name, got ${JSON.stringify(name)}` });
  return `${suffixed(name, suffix)}${matchers}`;
}

/** The histogram's `_bucket` series selector. */
export function bucketSelector(histogram: string): string {
  return withMetricSuffix(histogram, '_bucket');
}
