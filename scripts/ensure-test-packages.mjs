#!/usr/bin/env node
// Runs before `npm test` (npm's `pretest`): the functional tests start real PostgreSQL, Redis,
// Docker Engine, Prometheus and Alertmanager, and drive Debian's chromium; on a fresh Debian 12
// machine run as root, the Debian packages that provide them are installed here when missing,
// saying which. VIGIL_TEST_NO_APT=1 turns that off (the tests then fail loudly, naming what is
// missing). Never used by vigil itself.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** The executable each test dependency is found by, and the Debian package that provides it. */
// VIGIL_TEST_PACKAGES_JSON replaces the list (the script's own test points it at a missing path).
const NEEDED = process.env.VIGIL_TEST_PACKAGES_JSON ? JSON.parse(process.env.VIGIL_TEST_PACKAGES_JSON) : [
  ['/usr/bin/redis-server', 'redis-server'],
  ['/usr/lib/postgresql/15/bin/postgres', 'postgresql'],
  ['/usr/sbin/dockerd', 'docker.io'],
  ['/usr/bin/docker', 'docker.io'],
  ['/bin/busybox', 'busybox-static'],
  ['/usr/bin/prometheus', 'prometheus'],
  ['/usr/bin/promtool', 'prometheus'],
  ['/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager'],
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/prometheus-redis-exporter', 'prometheus-redis-exporter'],
  ['/usr/bin/prometheus-postgres-exporter', 'prometheus-postgres-exporter'],
  ['/usr/bin/victoria-metrics', 'victoria-metrics'],
  ['/usr/bin/vmalert', 'victoria-metrics'],
  ['/usr/bin/vmauth', 'victoria-metrics'],
  ['/usr/bin/mmdebstrap', 'mmdebstrap'],
  ['/usr/bin/wrk', 'wrk'], // not for a test: npm run bench:loadgen's cross-check
];

const say = (text) => process.stderr.write(`[vigil test set-up] ${text}\n`);

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const missing = [...new Set(NEEDED.filter(([path]) => !executable(path)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
if (process.env.VIGIL_TEST_NO_APT === '1') {
  say(`missing Debian packages: ${missing.join(' ')}; VIGIL_TEST_NO_APT=1, so not installing them (${command})`);
  process.exit(0);
}
if (!executable('/usr/bin/apt-get')) {
  say(`missing: ${missing.join(' ')} (Debian package names); no apt-get here: install the equivalents, or the functional tests fail`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  say(`missing Debian packages: ${missing.join(' ')}. Install them as root (sudo ${command}), or set VIGIL_TEST_NO_APT=1`);
  process.exit(1);
}
say(`installing the Debian packages the functional tests need: ${missing.join(' ')} (VIGIL_TEST_NO_APT=1 skips this)`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
  const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (run.status !== 0) {
    say(`apt-get ${args[0]} failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}
say(`installed: ${missing.join(' ')}`);
