import type { ObjectiveStatus, Snapshot } from '../snapshot/snapshot-schema.js';

type ServiceResult = Snapshot['services'][number];

import type { ServiceCurrentResponse, ServiceListResponse } from './api-schemas.js';

interface Views {
  list: ServiceListResponse;
  byService: Map<string, ServiceCurrentResponse>;
  /** JSON per view as UTF-8 bytes, made by the route's compiled serializer on first use. */
  json: Map<string, Buffer>;
}

export type Serialize = (payload: unknown) => string;

/**
 * The API's views of a snapshot, built once per snapshot and kept beside it (a WeakMap, so an
 * old snapshot's views go with it): a thousand requests a second read, none rebuild.
 */
export class ServiceViews {
  private readonly cache = new WeakMap<Snapshot, Views>();

  list(snapshot: Snapshot): ServiceListResponse {
    return this.views(snapshot).list;
  }

  /** undefined for a service the snapshot does not know. */
  current(snapshot: Snapshot, service: string): ServiceCurrentResponse | undefined {
    return this.views(snapshot).byService.get(service);
  }

  /**
   * The service's view as JSON, serialised once per snapshot with `serialize` (the route's
   * schema-compiled serializer) and encoded once: every request until the next cycle sends the
   * same bytes, with no per-request serialisation or UTF-8 encoding.
   */
  currentJson(snapshot: Snapshot, service: string, serialize: Serialize): Buffer | undefined {
    const views = this.views(snapshot);
    let text = views.json.get(service);
    if (text === undefined) {
      const view = views.byService.get(service);
      if (!view) return undefined;
      text = Buffer.from(serialize(view), 'utf8');
      views.json.set(service, text);
    }
    return text;
  }

  /** The list as JSON bytes, once per snapshot. */
  listJson(snapshot: Snapshot, serialize: Serialize): Buffer {
    const views = this.views(snapshot);
    let text = views.json.get('\u0000list');
    if (text === undefined) {
      text = Buffer.from(serialize(views.list), 'utf8');
      views.json.set('\u0000list', text);
    }
    return text;
  }

  private views(snapshot: Snapshot): Views {
    let views = this.cache.get(snapshot);
    if (!views) {
      views = build(snapshot);
      this.cache.set(snapshot, views);
    }
    return views;
  }
}

function build(snapshot: Snapshot): Views {
  const evaluatedAt = new Date(snapshot.evaluatedAt).toISOString();
  const byService = new Map<string, ServiceCurrentResponse>();
  for (const s of snapshot.services) byService.set(s.service, currentView(snapshot, s, evaluatedAt));
  const list: ServiceListResponse = {
    evaluated_at: evaluatedAt,
    services: snapshot.services.map((s) => ({
      service: s.service,
      status: s.status,
      objectives: {
        total: s.objectives.length,
        ok: count(s, 'ok'),
        warning: count(s, 'warning'),
        breach: count(s, 'breach'),
        no_data: count(s, 'no_data'),
      },
      href: `/api/sla/${encodeURIComponent(s.service)}/current`,
    })),
  };
  return { list, byService, json: new Map() };
}

function count(s: ServiceResult, status: ObjectiveStatus): number {
  return s.objectives.filter((o) => o.status === status).length;
}

function currentView(snapshot: Snapshot, s: ServiceResult, evaluatedAt: string): ServiceCurrentResponse {
  const used = new Set(s.objectives.map((o) => `${o.source.kind}/${o.source.name}`));
  return {
    service: s.service,
    status: s.status,
    evaluated_at: evaluatedAt,
    data_age_seconds: s.dataAgeSeconds,
    ...s.summary,
    labels: { ...s.labels },
    objectives: s.objectives as ServiceCurrentResponse['objectives'],
    sources: snapshot.sources.filter((h) => used.has(`${h.kind}/${h.name}`)),
  };
}
