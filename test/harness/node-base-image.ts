// The Dockerfile's base image, made here because no image registry is reachable: a Debian
// bookworm minbase root file system (mmdebstrap, from Debian's mirror) with the Node.js binary and
// npm of the machine running the tests copied in, imported under the name the Dockerfile's FROM
// lines use. The root file system is kept as a tarball in a cache folder, so later runs on the
// same machine (the same CI run) only import it (a few seconds instead of a minute).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { DockerAddress } from './docker-launcher.js';
import { requireBinary } from './process-utils.js';

const run = promisify(execFile);

/** Where the root file system tarball is kept between runs; override with VIGIL_TEST_CACHE. */
export function baseImageCacheDir(): string {
  return process.env.VIGIL_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vigil-test');
}

/** The image the Dockerfile builds on: its `ARG NODE_IMAGE=` default (one place decides it). */
export function dockerfileBaseImage(dockerfile: string): string {
  const text = readFileSync(dockerfile, 'utf8');
  const m = /^ARG\s+NODE_IMAGE=(\S+)\s*$/m.exec(text);
  if (!m) throw new Error(`${dockerfile}: no "ARG NODE_IMAGE=<image>" line naming the base image`);
  return m[1]!;
}

export interface BaseImage {
  image: string;
  /** True when the root file system came from the cache (no mmdebstrap run). */
  cached: boolean;
  /** Time spent making (or only importing) it. */
  ms: number;
}

/** The npm that came with the running Node (…/bin/node -> …/lib/node_modules/npm). */
function npmDir(): string {
  const dir = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm');
  if (!existsSync(join(dir, 'bin', 'npm-cli.js'))) throw new Error(`npm not found beside ${process.execPath} (looked in ${dir})`);
  return dir;
}

/** Inside the image: the extra CA certificates the host's Node trusts (see `hostExtraCa`). */
const IMAGE_CA_PATH = '/usr/local/share/ca-certificates/host-extra-ca.crt';

/**
 * The certificates this machine's Node is told to trust on top of its own (NODE_EXTRA_CA_CERTS),
 * or null. Where the registry is reached through a TLS-inspecting proxy, npm inside the build
 * needs them as much as npm outside does; the image under test carries them only through its
 * base (the Dockerfile stays as users build it).
 */
function hostExtraCa(): { path: string; digest: string } | null {
  const path = process.env.NODE_EXTRA_CA_CERTS;
  if (!path || !existsSync(path)) return null;
  return { path, digest: createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12) };
}

async function makeRootfsTarball(tarball: string, ca: { path: string } | null): Promise<void> {
  const mmdebstrap = requireBinary('/usr/bin/mmdebstrap', 'mmdebstrap', 'mmdebstrap');
  const partial = `${tarball}.${process.pid}.partial.tar`;
  const npm = npmDir();
  // minbase: Essential packages and apt (which brings libstdc++, all Node needs); passwd for the
  // Dockerfile's useradd. Node and npm go where the official node images have them.
  const hooks = [
    'mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules"',
    `cp -a '${process.execPath}' "$1/usr/local/bin/node"`,
    `cp -a '${npm}' "$1/usr/local/lib/node_modules/npm"`,
    'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"',
    'ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*',
    ...(ca ? [`mkdir -p "$1${dirname(IMAGE_CA_PATH)}"`, `cp '${ca.path}' "$1${IMAGE_CA_PATH}"`] : []),
  ];
  try {
    await run(
      mmdebstrap,
      [
        '--variant=minbase',
        '--include=passwd',
        '--format=tar',
        ...hooks.map((h) => `--customize-hook=${h}`),
        'bookworm',
        partial,
        'http://deb.debian.org/debian',
      ],
      { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    rmSync(partial, { force: true });
    const e = err as { message: string; stderr?: string };
    throw new Error(`mmdebstrap of bookworm failed: ${e.message}\n${(e.stderr ?? '').slice(-4000)}`);
  }
  renameSync(partial, tarball);
}

/**
 * Makes sure `docker` has the Dockerfile's base image: imports the cached root file system, or
 * makes it first. The Node.js major version must match the tag (node:20-… gets Node 20).
 */
export async function ensureNodeBaseImage(docker: DockerAddress, dockerfile: string): Promise<BaseImage> {
  const started = Date.now();
  const image = dockerfileBaseImage(dockerfile);
  const major = process.versions.node.split('.')[0]!;
  const tagMajor = /:(\d+)/.exec(image)?.[1];
  if (tagMajor !== major) {
    throw new Error(`the Dockerfile's base ${image} wants Node ${tagMajor ?? '?'}, but the tests run on Node ${process.versions.node}`);
  }
  const cacheDir = baseImageCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const ca = hostExtraCa();
  const tarball = join(cacheDir, `bookworm-minbase-node-${process.versions.node}${ca ? `-ca-${ca.digest}` : ''}.tar`);
  const cached = existsSync(tarball);
  if (!cached) await makeRootfsTarball(tarball, ca);
  const changes = [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...(ca ? [`ENV NODE_EXTRA_CA_CERTS=${IMAGE_CA_PATH}`] : []),
    'CMD ["node"]',
  ];
  try {
    await run(
      docker.dockerBin,
      ['-H', `unix://${docker.socketPath}`, 'import', ...changes.flatMap((c) => ['--change', c]), tarball, image],
      {
        timeout: 300_000,
      },
    );
  } catch (err) {
    const e = err as { message: string; stderr?: string };
    throw new Error(`docker import of ${tarball} as ${image} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
  return { image, cached, ms: Date.now() - started };
}
