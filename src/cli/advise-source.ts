import type { SourceKind, SourceSettings } from '../config/daemon-schema.js';
import { formatIssue, loadConfig } from '../config/load-config.js';

const KIND_NAMES: Partial<Record<SourceKind, string>> = { redis: 'Redis', postgres: 'PostgreSQL' };

/**
 * The settings of the `kind` source named `--source` in the config, for an advisor; null (after
 * printing why: config issues, or the names that exist) when there is none.
 */
export async function advisedSource<K extends SourceKind>(
  kind: K,
  options: { config?: string; source: string },
): Promise<SourceSettings<K> | null> {
  const loaded = await loadConfig({ configPath: options.config });
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    return null;
  }
  const instances = loaded.config.daemon.sources[kind] as Record<string, SourceSettings<K>>;
  const source = instances[options.source];
  if (!source) {
    const known = Object.keys(instances).join(', ') || 'none';
    const name = KIND_NAMES[kind] ?? kind;
    console.error(
      `vigil advise ${kind}: no ${name} source ${JSON.stringify(options.source)} in the config (known: ${known}); or pass --url`,
    );
    return null;
  }
  return source;
}
