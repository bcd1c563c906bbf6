// The cross-shard list: merging the local list with peers' answers (every service once, hrefs to
// the owning peer, partial when a peer failed) and asking peers with a bound on the wait.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceListResponse } from '../../../src/server/api-schemas.js';
import { askPeers, mergeLists, otherShardServices, type PeerReply, withShard } from '../../../src/server/shard-fanout.js';
import { renderOverview } from '../../../src/ui/overview-page.js';

const entry = (service: string) => ({
  service,
  status: 'ok' as const,
  objectives: { total: 1, ok: 1, warning: 0, breach: 0, no_data: 0 },
  href: `/api/sla/${service}/current`,
});
const listOf = (names: string[]): ServiceListResponse => ({ evaluated_at: '2026-12-01T00:00:00.000Z', services: names.map(entry) });
const shard = (index: number, peers: string[] = [], peerTimeoutMs = 1000) => ({ index, total: 3, peers, peerTimeoutMs });

describe('otherShardServices (the status page across shards)', () => {
  const replies: PeerReply[] = [
    { url: 'http://shard-1:8093/', ok: true, list: withShard(listOf(['a', 'd']), shard(1)) },
    { url: 'http://shard-0:8093', ok: true, list: withShard(listOf(['b', 'e']), shard(0)) },
    { url: 'http://shard-2:8093', ok: false, error: 'no answer within 1000 ms' },
  ];

  it("keeps the peers' services this shard does not own, each linking to its owner's page, and the peers that failed", () => {
    const others = otherShardServices(replies, new Set(['b', 'e']));
    expect(others.services.map((s) => [s.service, s.shard, s.pageUrl])).toEqual([
      ['a', 1, 'http://shard-1:8093/services/a'],
      ['d', 1, 'http://shard-1:8093/services/d'],
    ]);
    expect(others.failed).toEqual([{ url: 'http://shard-2:8093', error: 'no answer within 1000 ms' }]);
  });

  it('the overview shows them beside the local services, marked partial with the silent shard named', () => {
    const others = otherShardServices(replies, new Set());
    const page = renderOverview(
      { evaluatedAt: Date.parse('2026-12-01T00:00:00Z'), services: [], sources: [] },
      {},
      { pollSeconds: 5, assets: { script: '/ui/app.js', style: '/ui/app.css' } },
      others,
    );
    expect(page).toContain('<a href="http://shard-1:8093/services/a">a</a>');
    expect(page).toContain('<a href="http://shard-0:8093/services/e">e</a>');
    expect(page).toMatch(/4 services:/);
    expect(page).toMatch(/<p class="partial"[^>]*>.*http:\/\/shard-2:8093.*no answer within 1000 ms/s);
    // A search keeps other shards' services by name; a label filter (their labels are not listed) keeps none.
    expect(renderOverview(null, {}, { pollSeconds: 5, assets: { script: '', style: '' } }, others)).not.toContain('data-service=');
    const searched = renderOverview(
      { evaluatedAt: 0, services: [], sources: [] },
      { q: 'd' },
      { pollSeconds: 5, assets: { script: '', style: '' } },
      others,
    );
    expect(searched).toContain('data-service="d"');
    expect(searched).not.toContain('data-service="a"');
    const labelled = renderOverview(
      { evaluatedAt: 0, services: [], sources: [] },
      { label: 'team=ml' },
      { pollSeconds: 5, assets: { script: '', style: '' } },
      others,
    );
    expect(labelled).not.toContain('data-service=');
  });
});

describe('mergeLists', () => {
  const local = withShard(listOf(['b', 'e']), shard(0));

  it('says which services this shard owns', () => {
    expect(local.shard).toEqual({ index: 0, total: 3, services: ['b', 'e'] });
    expect(local.services.every((s) => s.shard === 0)).toBe(true);
  });

  it('lists every service once, sorted, with the owner and a link to it', () => {
    const replies: PeerReply[] = [
      { url: 'http://shard-1:8093/', ok: true, list: withShard(listOf(['a', 'd']), shard(1)) },
      // A shard listed among its own peers answers with what is already there.
      { url: 'http://shard-0:8093', ok: true, list: local },
      { url: 'http://shard-2:8093', ok: true, list: withShard(listOf(['c']), shard(2)) },
    ];
    const merged = mergeLists(local, replies);
    expect(merged.services.map((s) => [s.service, s.shard])).toEqual([
      ['a', 1],
      ['b', 0],
      ['c', 2],
      ['d', 1],
      ['e', 0],
    ]);
    expect(merged.services.find((s) => s.service === 'a')!.href).toBe('http://shard-1:8093/api/sla/a/current');
    expect(merged.services.find((s) => s.service === 'b')!.href).toBe('/api/sla/b/current');
    expect(merged.partial).toBe(false);
    expect(merged.peers!.map((p) => [p.shard, p.services])).toEqual([
      [1, 2],
      [0, 2],
      [2, 1],
    ]);
  });

  it('marks the answer partial and names the peer that failed', () => {
    const merged = mergeLists(local, [{ url: 'http://shard-1:8093', ok: false, error: 'no answer within 1000 ms' }]);
    expect(merged.partial).toBe(true);
    expect(merged.services.map((s) => s.service)).toEqual(['b', 'e']);
    expect(merged.peers).toEqual([{ url: 'http://shard-1:8093', ok: false, shard: null, services: 0, error: 'no answer within 1000 ms' }]);
  });
});

describe('askPeers', () => {
  let server: Server;
  let base = '';
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      if (req.url?.startsWith('/slow/')) return void setTimeout(() => res.end('{}'), 2_000);
      if (req.url?.startsWith('/broken/')) return void res.end('{"nonsense":true}');
      if (req.url?.startsWith('/down/')) return void res.writeHead(503).end('{}');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(withShard(listOf(['x']), shard(1))));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it('asks each peer for its local list, and reports a slow, failing or garbled peer instead of waiting', async () => {
    const replies = await askPeers(shard(0, [`${base}/ok`, `${base}/slow`, `${base}/broken`, `${base}/down`], 300));
    expect(asked).toContain('/ok/api/sla?scope=local');
    expect(replies[0]).toMatchObject({ ok: true });
    expect(replies.slice(1)).toEqual([
      { url: `${base}/slow`, ok: false, error: 'no answer within 300 ms' },
      { url: `${base}/broken`, ok: false, error: 'the answer is not a service list' },
      { url: `${base}/down`, ok: false, error: 'HTTP 503' },
    ]);
  });
});
